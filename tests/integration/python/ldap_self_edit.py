#!/usr/bin/python3
"""Tries what a directory user could do to become someone else in Open WebUI: bind as themselves
and change an attribute of their own entry.

Input (JSON in $AI_PORTAL_INPUT): {"settings": {LDAP_* env values}, "user": <sAMAccountName>,
"password": ..., "attribute": ..., "value": ...}. Output (JSON): {"changed": bool, "result": the
LDAP result name, e.g. "insufficientAccessRights"}.
"""
import json
import os

from ldap3 import MODIFY_REPLACE, NONE, SIMPLE, Connection, Server


def main():
    request = json.loads(os.environ["AI_PORTAL_INPUT"])
    settings = request["settings"]
    server = Server(settings["LDAP_SERVER_HOST"], port=int(settings["LDAP_SERVER_PORT"]), get_info=NONE,
                    connect_timeout=5)
    # The user principal name's suffix is the AD domain (the bind identity's), not the server's name.
    domain = settings["LDAP_APP_DN"].split("@", 1)[1]
    person = Connection(server, f"{request['user']}@{domain}", request["password"], authentication=SIMPLE,
                        auto_bind="NONE")
    if not person.bind():
        print(json.dumps({"changed": False, "result": "bind failed: " + str(person.result["description"])}))
        return
    person.search(settings["LDAP_SEARCH_BASE"], f"(sAMAccountName={request['user']})", attributes=["cn"])
    dn = person.entries[0].entry_dn
    changed = person.modify(dn, {request["attribute"]: [(MODIFY_REPLACE, [request["value"]])]})
    print(json.dumps({"changed": changed, "result": person.result["description"]}))


if __name__ == "__main__":
    main()
