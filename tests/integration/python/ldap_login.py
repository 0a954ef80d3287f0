#!/usr/bin/python3
"""Replays Open WebUI's LDAP sign-in (backend/open_webui/routers/auths.py, ldap_auth, v0.11.0)
with the same library (ldap3) and the settings the program renders, against a real directory.

Input (JSON in $AI_PORTAL_INPUT): {"settings": {LDAP_* env values}, "user": ..., "password": ...}.
Output (JSON): {"ok": true, "email": ..., "name": ...} or {"ok": false, "stage": ..., "reason": ...},
where the reason is the message Open WebUI logs for that refusal.

The steps, in upstream's order: refuse an empty password; build the server (LDAP_USE_TLS means
LDAPS, no StartTLS); bind as the application account; search the base for
(&(<username attribute>=<escaped, lower-cased user>)<LDAP_SEARCH_FILTER>) asking for the
username, mail and cn attributes; take the first entry; require the lower-cased user among the
entry's usernames; require a mail value (lower-cased, the first if several); bind as the entry's
DN with the given password.
"""
import json
import os
import ssl

from ldap3 import ANONYMOUS, NONE, SIMPLE, Connection, Server, Tls
from ldap3.utils.conv import escape_filter_chars


def refuse(stage, reason):
    return {"ok": False, "stage": stage, "reason": reason}


def truthy(value):
    return str(value).lower() == "true"


def values(attribute_value):
    if attribute_value is None:
        return []
    if isinstance(attribute_value, list):
        return attribute_value
    return [attribute_value]


def login(settings, user, password):
    if not password or not password.strip():
        return refuse("form", "empty password")
    tls = Tls(
        validate=ssl.CERT_REQUIRED if truthy(settings.get("LDAP_VALIDATE_CERT", "True")) else ssl.CERT_NONE,
        version=ssl.PROTOCOL_TLS,
        ca_certs_file=settings.get("LDAP_CA_CERT_FILE") or None,
        ciphers=settings.get("LDAP_CIPHERS") or "ALL",
    )
    server = Server(
        host=settings["LDAP_SERVER_HOST"],
        port=int(settings.get("LDAP_SERVER_PORT", "389")),
        get_info=NONE,
        use_ssl=truthy(settings.get("LDAP_USE_TLS", "True")),
        tls=tls,
        connect_timeout=5,
    )
    app_dn = settings.get("LDAP_APP_DN", "")
    app = Connection(server, app_dn, settings.get("LDAP_APP_PASSWORD", ""), auto_bind="NONE",
                     authentication=SIMPLE if app_dn else ANONYMOUS)
    if not app.bind():
        return refuse("app-bind", "Application account bind failed")

    username_attribute = settings.get("LDAP_ATTRIBUTE_FOR_USERNAME", "uid")
    mail_attribute = settings.get("LDAP_ATTRIBUTE_FOR_MAIL", "mail")
    extra = settings.get("LDAP_SEARCH_FILTER", settings.get("LDAP_SEARCH_FILTERS", ""))
    search_filter = f"(&({username_attribute}={escape_filter_chars(user.lower())}){extra})"
    app.search(search_base=settings.get("LDAP_SEARCH_BASE", ""), search_filter=search_filter,
               attributes=[username_attribute, mail_attribute, "cn"])
    if not app.entries:
        return refuse("search", "User not found in the LDAP server")
    entry = app.entries[0]
    usernames = [str(v).lower() for v in values(entry[username_attribute].value)]
    if user.lower() not in usernames:
        return refuse("search", "User record mismatch.")
    mail = entry[mail_attribute].value if mail_attribute in entry.entry_attributes else None
    if not mail:
        return refuse("mail", "User does not have a valid email address.")
    email = mail.lower() if isinstance(mail, str) else (str(mail[0]).lower() if isinstance(mail, list) else str(mail).lower())

    person = Connection(server, entry.entry_dn, password, auto_bind="NONE", authentication=SIMPLE)
    if not person.bind():
        return refuse("user-bind", "Authentication failed.")
    return {"ok": True, "email": email, "name": str(entry["cn"]), "dn": entry.entry_dn}


def main():
    request = json.loads(os.environ["AI_PORTAL_INPUT"])
    print(json.dumps(login(request["settings"], request["user"], request["password"])))


if __name__ == "__main__":
    main()
