#!/usr/bin/python3
"""Lays out a freshly provisioned Samba domain the way AWS Managed Microsoft AD keeps it.

Usage: samba_directory.py <sam.ldb> <smb.conf>, with the layout as JSON on standard input:
{"shortName": "CORP", "users": [{"samAccountName", "password", "container", "mail"?, "disabled"?,
"withoutUpn"?, "upn"?}], "groups": [{"name", "container", "members": [account or group names]}],
"domainAdmins": [account names]?}. `upn` is written as is, the way a directory user-administrator
can (AD checks no UPN suffix on LDAP writes); `domainAdmins` join Domain Admins, standing in for
AWS's delegated groups (the Admin account's right to change the pre-created password policies). AWS puts the directory's own OU at OU=<NetBIOS name> with OU=Users under it; a
container is given relative to the domain ("OU=Users,OU=CORP", or "CN=Users" for Samba's default
container, which lies outside the portal's search base). Edits the database directly (no bind),
in one process, before the server starts.
"""
import json
import sys

import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB


def main() -> None:
    sam_path, conf = sys.argv[1], sys.argv[2]
    layout = json.load(sys.stdin)
    lp = LoadParm()
    lp.load(conf)
    samdb = SamDB(url=sam_path, session_info=system_session(), lp=lp)
    domain_dn = str(samdb.domain_dn())
    short_name = layout["shortName"]
    samdb.create_ou(f"OU={short_name},{domain_dn}")
    samdb.create_ou(f"OU=Users,OU={short_name},{domain_dn}")
    for user in layout["users"]:
        name = user["samAccountName"]
        samdb.newuser(name, user["password"], userou=user["container"], mailaddress=user.get("mail"))
        if user.get("withoutUpn"):
            # Accounts created by some tools carry no userPrincipalName attribute at all.
            found = samdb.search(base=domain_dn, expression=f"(sAMAccountName={ldb.binary_encode(name)})", attrs=["dn"])
            change = ldb.Message(found[0].dn)
            change["userPrincipalName"] = ldb.MessageElement([], ldb.FLAG_MOD_DELETE, "userPrincipalName")
            samdb.modify(change)
        if user.get("upn"):
            found = samdb.search(base=domain_dn, expression=f"(sAMAccountName={ldb.binary_encode(name)})", attrs=["dn"])
            change = ldb.Message(found[0].dn)
            change["userPrincipalName"] = ldb.MessageElement(user["upn"], ldb.FLAG_MOD_REPLACE, "userPrincipalName")
            samdb.modify(change)
        if user.get("disabled"):
            samdb.disable_account(f"(sAMAccountName={ldb.binary_encode(name)})")
    # Every group first, then the memberships, so a group may contain a group listed after it.
    for group in layout.get("groups", []):
        samdb.newgroup(group["name"], groupou=group["container"])
    for group in layout.get("groups", []):
        if group["members"]:
            samdb.add_remove_group_members(group["name"], group["members"], add_members_operation=True)
    if layout.get("domainAdmins"):
        samdb.add_remove_group_members("Domain Admins", layout["domainAdmins"], add_members_operation=True)


if __name__ == "__main__":
    main()
