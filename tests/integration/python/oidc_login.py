#!/usr/bin/python3
"""Replays Open WebUI's OpenID Connect sign-in with the settings the program renders, against a
real OpenID provider (oidc-provider, tests/integration/oidc/provider.mjs), with the library Open
WebUI uses (Authlib's Starlette client, Debian's python3-authlib).

Upstream, read for this replay (read, not copied):
- backend/open_webui/config.py, load_oauth_providers: the "oidc" client is registered with
  server_metadata_url=OPENID_PROVIDER_URL, client_kwargs {scope: OAUTH_SCOPES,
  code_challenge_method: "S256" when OAUTH_CODE_CHALLENGE_METHOD is S256, token_endpoint_auth_method
  when set}, redirect_uri=OPENID_REDIRECT_URI; the settings' defaults (OAUTH_EMAIL_CLAIM "email",
  OAUTH_USERNAME_CLAIM "name", OAUTH_GROUPS_CLAIM falling back to OAUTH_GROUP_CLAIM then
  "groups", OAUTH_ROLES_CLAIM "roles", OAUTH_ALLOWED_ROLES "user,admin", OAUTH_ADMIN_ROLES "admin",
  both split on OAUTH_ROLES_SEPARATOR "," and stripped, empty items dropped; OAUTH_GROUPS_SEPARATOR
  ";"; OAUTH_ALLOWED_DOMAINS "*"; ENABLE_OAUTH_GROUP_CREATION false).
- backend/open_webui/utils/oauth.py, OAuthManager of the 0.11 line (the stacks pin v0.11.0). The
  text read is a 0.11-line copy of the file whose commit could not be pinned here (the repository
  is too large to fetch; the indexed upstream snapshot is of the 0.7 line); its get_user_role is
  the one open-webui issue #29532 quotes, with line numbers, from v0.11.1. Read: handle_login
  (authorize_redirect with the registered redirect_uri), handle_callback (authorize_access_token;
  claims from the ID token, the userinfo endpoint only when the e-mail or name claim is missing, ID token claims backfilled;
  sub; e-mail required and lower-cased; allowed domains; the account by the provider's sub, then by
  e-mail only when OAUTH_MERGE_ACCOUNTS_BY_EMAIL; an existing account has its managed access
  revoked or validated first, then its role and groups synced; a new one is refused when the
  e-mail is taken, gets get_user_role's role, and its groups), get_user_role, update_user_groups.
  Any exception in authorize_access_token is a 400 with INVALID_CRED; an HTTPException's detail
  is what the user sees (/auth?error=...).
Also the library's own checks, which this replay runs rather than restates: Authlib 1.2.0
(Debian 12) parse_id_token verifies the signature against the discovered JWKS, the issuer against
the discovery document's, the nonce, and the audience through CodeIDToken's azp rule (an aud
other than the client needs an azp naming it). Open WebUI's image installs a newer Authlib.
The first-user, TOTP, webhook, picture and session-cookie branches are left out: the portal
creates its local administrator at first start (WEBUI_ADMIN_EMAIL), so there is always a user, and
the others change no decision made here.

The user agent (a person's browser at the provider's sign-in and consent pages) and the attacker
(a flow at another tenant or for another client, with the portal's nonce) are the test's, not
Open WebUI's; they are marked as such below.

Input (JSON in $AI_PORTAL_INPUT):
  {"settings": {Open WebUI's environment, with OAUTH_CLIENT_SECRET}, "signIns": {name: {"account":
   the provider account that signs in, "users": [Open WebUI accounts before], "groups": [Open
   WebUI groups], "attack": null or {"issuer", "clientId", "clientSecret", "redirectUri",
   "controlUrl"}}}}
  Users: {"id", "email", "name", "role", "oauth": {"oidc": {"sub"}} or null}; groups: {"name",
  "user_ids"}. The CA the provider's certificate chains to is in $SSL_CERT_FILE (httpx reads it).
Output (JSON): {name: {"authorization": the authorization request's parameters, "result": {"ok":
  true, "user": {...}, "groups": [...]} or {"ok": false, "status", "detail", "reason"}, "users":
  [...], "groups": [...]}}, each sign-in from the same starting state.
"""
import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
import urllib.parse
import uuid

import httpx
from authlib.integrations.starlette_client import OAuth
from starlette.requests import Request

PROVIDER = "oidc"
# ERROR_MESSAGES' names (backend/open_webui/constants.py), which the test compares.
INVALID_CRED = "INVALID_CRED"
EMAIL_TAKEN = "EMAIL_TAKEN"
ACCESS_PROHIBITED = "ACCESS_PROHIBITED"


class Refused(Exception):
    """Upstream's HTTPException: a status and the detail the person is shown."""

    def __init__(self, status, detail, reason=""):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.reason = reason


class Settings:
    """Open WebUI's reading of its environment (config.py), for the keys this flow uses."""

    def __init__(self, env):
        self.env = env
        get = env.get
        self.client_id = get("OAUTH_CLIENT_ID", "")
        self.client_secret = get("OAUTH_CLIENT_SECRET", "")
        self.provider_url = get("OPENID_PROVIDER_URL", "")
        self.redirect_uri = get("OPENID_REDIRECT_URI", "")
        self.scopes = get("OAUTH_SCOPES", "openid email profile")
        self.code_challenge_method = get("OAUTH_CODE_CHALLENGE_METHOD") or None
        self.token_endpoint_auth_method = get("OAUTH_TOKEN_ENDPOINT_AUTH_METHOD") or None
        self.sub_claim = get("OAUTH_SUB_CLAIM") or None
        self.username_claim = get("OAUTH_USERNAME_CLAIM", "name")
        self.email_claim = get("OAUTH_EMAIL_CLAIM", "email")
        self.groups_claim = get("OAUTH_GROUPS_CLAIM", get("OAUTH_GROUP_CLAIM", "groups"))
        self.roles_claim = get("OAUTH_ROLES_CLAIM", "roles")
        self.roles_separator = get("OAUTH_ROLES_SEPARATOR", ",")
        self.groups_separator = get("OAUTH_GROUPS_SEPARATOR", ";")
        self.allowed_roles = [
            r.strip() for r in get("OAUTH_ALLOWED_ROLES", f"user{self.roles_separator}admin").split(self.roles_separator) if r
        ]
        self.admin_roles = [r.strip() for r in get("OAUTH_ADMIN_ROLES", "admin").split(self.roles_separator) if r]
        self.allowed_domains = [d.strip() for d in get("OAUTH_ALLOWED_DOMAINS", "*").split(",")]
        self.blocked_groups = json.loads(get("OAUTH_BLOCKED_GROUPS", "[]"))
        self.default_user_role = get("DEFAULT_USER_ROLE", "pending")
        self.signup = flag(get("ENABLE_OAUTH_SIGNUP", "False"))
        self.merge_by_email = flag(get("OAUTH_MERGE_ACCOUNTS_BY_EMAIL", "False"))
        self.role_management = flag(get("ENABLE_OAUTH_ROLE_MANAGEMENT", "False"))
        self.group_management = flag(get("ENABLE_OAUTH_GROUP_MANAGEMENT", "False"))
        self.group_creation = flag(get("ENABLE_OAUTH_GROUP_CREATION", "False"))


def flag(value):
    return str(value).lower() == "true"


class Store:
    """Open WebUI's users and groups tables, as far as this flow reads and writes them."""

    def __init__(self, users, groups):
        self.users = [dict(u) for u in users]
        self.groups = [dict(g, user_ids=list(g.get("user_ids", []))) for g in groups]

    def by_oauth_sub(self, sub):
        return next((u for u in self.users if ((u.get("oauth") or {}).get(PROVIDER) or {}).get("sub") == sub), None)

    def by_email(self, email):
        return next((u for u in self.users if u["email"].lower() == email.lower()), None)

    def groups_of(self, user):
        return [g for g in self.groups if user["id"] in g["user_ids"]]


def walk(user_data, claim):
    """Upstream's nested claim lookup: "a.b" reads user_data["a"]["b"], {} when absent."""
    data = user_data
    for part in claim.split("."):
        data = data.get(part, {})
    return data


def get_user_role(s, store, user, user_data):
    count = len(store.users)
    if user and count == 1:
        return "admin"
    if not user and count == 0:
        return s.default_user_role
    if s.role_management:
        role = s.default_user_role
        roles = []
        # Upstream extracts roles only when the claim and BOTH lists are set.
        if s.roles_claim and s.allowed_roles and s.admin_roles:
            data = walk(user_data, s.roles_claim)
            if not data:
                data = user_data.get(s.roles_claim, {})
            if isinstance(data, list):
                roles = data
            elif isinstance(data, str):
                roles = data.split(s.roles_separator) if s.roles_separator and s.roles_separator in data else [data]
            elif isinstance(data, int):
                roles = [str(data)]
        # Roles present must match; no roles at all leaves the default role (upstream, #29532).
        if roles:
            matched = False
            for allowed in s.allowed_roles:
                if allowed in roles:
                    role, matched = "user", True
                    break
            for admin in s.admin_roles:
                if admin in roles:
                    role, matched = "admin", True
                    break
            if not matched:
                raise Refused(403, ACCESS_PROHIBITED, "roles claim matches no allowed or admin role")
        return role
    return s.default_user_role if not user else user["role"]


def oauth_group_names(s, user_data):
    names = []
    if s.groups_claim:
        data = walk(user_data, s.groups_claim)
        if isinstance(data, list):
            names = data
        elif isinstance(data, str):
            names = data.split(s.groups_separator) if s.groups_separator in data else [data]
    return [str(n).strip() for n in names if n is not None and str(n).strip()]


def update_user_groups(s, store, user, user_data):
    """Strict sync at each sign-in: the person leaves every Open WebUI group their claim does not
    name and joins every existing one it names (OAUTH_BLOCKED_GROUPS compared by exact name here;
    upstream also takes patterns, and the portal sets none)."""
    names = oauth_group_names(s, user_data)
    current_names = {g["name"] for g in store.groups_of(user)}
    if s.group_creation:
        for name in names:
            if name not in {g["name"] for g in store.groups}:
                store.groups.append({"name": name, "user_ids": []})
    for group in store.groups:
        if group["name"] in current_names and group["name"] not in names and group["name"] not in s.blocked_groups:
            group["user_ids"] = [i for i in group["user_ids"] if i != user["id"]]
    for group in store.groups:
        if group["name"] in names and group["name"] not in current_names and group["name"] not in s.blocked_groups:
            group["user_ids"].append(user["id"])


def revoke_managed_access(s, store, user, user_data):
    """Before anything else, an existing linked account loses what the provider no longer grants."""
    if s.group_management:
        names = set(oauth_group_names(s, user_data))
        for group in store.groups_of(user):
            if group["name"] not in names and group["name"] not in s.blocked_groups:
                group["user_ids"] = [i for i in group["user_ids"] if i != user["id"]]
    if s.role_management:
        rank = {"pending": 0, "user": 1, "admin": 2}
        try:
            role = get_user_role(s, store, user, user_data)
        except Refused as refused:
            if refused.status == 403 and rank.get(user["role"], 0) > 0:
                user["role"] = "pending"
            raise
        if rank.get(role, 0) < rank.get(user["role"], 0):
            user["role"] = role


def sync_managed_access(s, store, user, user_data):
    if s.role_management:
        user["role"] = get_user_role(s, store, user, user_data)
    if s.group_management:
        update_user_groups(s, store, user, user_data)


def register(s):
    """config.py's oidc_oauth_register."""
    client_kwargs = {"scope": s.scopes}
    if s.token_endpoint_auth_method:
        client_kwargs["token_endpoint_auth_method"] = s.token_endpoint_auth_method
    if s.code_challenge_method == "S256":
        client_kwargs["code_challenge_method"] = "S256"
    elif s.code_challenge_method:
        raise Exception(f"unsupported code challenge method {s.code_challenge_method}")
    oauth = OAuth()
    oauth.register(
        name=PROVIDER,
        client_id=s.client_id,
        client_secret=s.client_secret,
        server_metadata_url=s.provider_url,
        client_kwargs=client_kwargs,
        redirect_uri=s.redirect_uri,
    )
    return oauth.create_client(PROVIDER)


def request(session, query=""):
    """A Starlette request as Open WebUI's routes receive it: the session (SessionMiddleware) and the query."""
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": "/",
            "headers": [],
            "query_string": query.encode(),
            "session": session,
        }
    )


async def handle_callback(s, store, client, callback_request):
    try:
        token = await client.authorize_access_token(callback_request)
    except Exception as e:  # upstream: any failure here is a 400 with INVALID_CRED
        raise Refused(400, INVALID_CRED, f"{type(e).__name__}: {e}")
    user_data = token.get("userinfo")
    id_token_claims = dict(user_data) if user_data else {}
    if not user_data or s.email_claim not in user_data or s.username_claim not in user_data:
        user_data = await client.userinfo(token=token)
        if user_data and id_token_claims:
            for key, value in id_token_claims.items():
                if key not in user_data:
                    user_data[key] = value
    if not user_data:
        raise Refused(400, INVALID_CRED, "no user data")
    sub = user_data.get(s.sub_claim) if s.sub_claim else user_data.get("sub")
    if not sub:
        raise Refused(400, INVALID_CRED, "no sub")
    email = user_data.get(s.email_claim, "")
    if not email:
        raise Refused(400, INVALID_CRED, "no e-mail")
    email = email.lower()
    if "*" not in s.allowed_domains and email.split("@")[-1] not in s.allowed_domains:
        raise Refused(400, INVALID_CRED, "e-mail domain not allowed")

    user = store.by_oauth_sub(sub)
    if not user and s.merge_by_email:
        user = store.by_email(email)
    if user:
        linked = ((user.get("oauth") or {}).get(PROVIDER) or {}).get("sub") == sub
        if linked:
            revoke_managed_access(s, store, user, user_data)
        elif s.role_management:
            get_user_role(s, store, user, user_data)
        user["oauth"] = {**(user.get("oauth") or {}), PROVIDER: {"sub": sub}}
        sync_managed_access(s, store, user, user_data)
        return user
    if not s.signup:
        raise Refused(403, ACCESS_PROHIBITED, "sign-up through the provider is off")
    if store.by_email(email):
        raise Refused(400, EMAIL_TAKEN, "an account with this e-mail exists")
    role = get_user_role(s, store, None, user_data)
    user = {
        "id": str(uuid.uuid4()),
        "email": email,
        "name": user_data.get(s.username_claim) or email,
        "role": role,
        "oauth": {PROVIDER: {"sub": sub}},
    }
    store.users.append(user)
    if len(store.users) == 1:
        user["role"] = "admin"
    if s.group_management:
        update_user_groups(s, store, user, user_data)
    return user


# --- the test's side: the person's browser, and an attacker -------------------------------


def browse_to_callback(authorization_url, account, redirect_uri):
    """The person's browser at the provider: signs in as `account`, consents, and stops at the
    redirect back to the portal (the portal's host is not here). Returns that redirect's URL."""
    url = authorization_url
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        for _ in range(12):
            response = browser.get(url)
            while response.status_code in (302, 303):
                url = urllib.parse.urljoin(url, response.headers["location"])
                if url.startswith(redirect_uri):
                    return url
                response = browser.get(url)
            if response.status_code != 200:
                raise Exception(f"the provider answered {response.status_code} at {url}: {response.text[:400]}")
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            prompt = re.search(r'name="prompt" value="([a-z]+)"', response.text)
            if not form or not prompt:
                raise Exception(f"no interaction form at {url}: {response.text[:400]}")
            action = urllib.parse.urljoin(url, form.group(1).replace("&amp;", "&"))
            fields = {"prompt": prompt.group(1)}
            if prompt.group(1) == "login":
                fields.update(login=account, password="not checked by the development login")
            response = browser.post(action, data=fields)
            if response.status_code not in (302, 303):
                raise Exception(f"the provider answered {response.status_code} to {fields['prompt']}: {response.text[:400]}")
            url = urllib.parse.urljoin(action, response.headers["location"])
            if url.startswith(redirect_uri):
                return url
    raise Exception("the provider never redirected back to the portal")


def foreign_id_token(attack, account, nonce):
    """An ID token a genuine flow gets elsewhere (another tenant's issuer, or another client),
    for the same person and the portal's nonce (which travels in the portal's authorization URL)."""
    discovery = httpx.get(attack["issuer"].rstrip("/") + "/.well-known/openid-configuration").json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": attack["clientId"],
            "redirect_uri": attack["redirectUri"],
            "scope": "openid email profile",
            "state": secrets.token_urlsafe(16),
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    callback = browse_to_callback(f"{discovery['authorization_endpoint']}?{query}", account, attack["redirectUri"])
    code = urllib.parse.parse_qs(urllib.parse.urlparse(callback).query)["code"][0]
    token = httpx.post(
        discovery["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": attack["redirectUri"], "code_verifier": verifier},
        auth=(attack["clientId"], attack["clientSecret"]),
    )
    token.raise_for_status()
    return token.json()["id_token"]


def claims_of(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


async def sign_in(s, given):
    """One person's sign-in through the portal's client, from a fresh browser and Open WebUI state."""
    store = Store(given.get("users", []), given.get("groups", []))
    client = register(s)
    session = {}

    # handle_login: the redirect URI the client was registered with, else the route's own URL.
    redirect_uri = (client.server_metadata or {}).get("redirect_uri")
    login = await client.authorize_redirect(request(session), redirect_uri)
    authorization_url = login.headers["location"]
    authorization = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(authorization_url).query))

    callback_url = await asyncio.to_thread(browse_to_callback, authorization_url, given["account"], s.redirect_uri)
    callback = urllib.parse.urlparse(callback_url)

    attack = given.get("attack")
    foreign = None
    if attack:
        # The attacker's token replaces the one the provider mints when the portal redeems this code.
        foreign = await asyncio.to_thread(foreign_id_token, attack, given["account"], authorization["nonce"])
        code = urllib.parse.parse_qs(callback.query)["code"][0]
        async with httpx.AsyncClient() as control:
            (await control.post(attack["controlUrl"], json={"code": code, "idToken": foreign})).raise_for_status()

    try:
        user = await handle_callback(s, store, client, request(session, callback.query))
        result = {
            "ok": True,
            "user": {k: user[k] for k in ("email", "name", "role")},
            "groups": sorted(g["name"] for g in store.groups_of(user)),
        }
    except Refused as refused:
        result = {"ok": False, "status": refused.status, "detail": refused.detail, "reason": refused.reason}

    return {
        "authorization": {k: v for k, v in authorization.items() if k not in ("state", "nonce", "code_challenge")},
        "callbackPath": callback.path,
        "foreignClaims": {k: claims_of(foreign)[k] for k in ("iss", "aud")} if foreign else None,
        "result": result,
        "users": store.users,
        "groups": store.groups,
    }


async def main():
    given = json.loads(os.environ["AI_PORTAL_INPUT"])
    s = Settings(given["settings"])
    # One process for every sign-in (importing Authlib and httpx is most of one sign-in's time),
    # side by side; each has its own client, session, browser and Open WebUI state.
    names = list(given["signIns"])
    done = await asyncio.gather(*(sign_in(s, given["signIns"][name]) for name in names))
    print(json.dumps(dict(zip(names, done))))


asyncio.run(main())
