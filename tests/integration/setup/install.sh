#!/usr/bin/env bash
# Installs what the integration suite runs, once per machine, from Debian's packages, and builds
# pgvector (not packaged for Debian 12) from Debian's own source. Idempotent: on a machine that has
# everything it only checks. Fails with the reason when something cannot be had; never skips.
set -euo pipefail

log() { printf 'integration setup: %s\n' "$*"; }
policy_rc_d=""
build=""
cleanup() {
    [ -z "$policy_rc_d" ] || rm -f "$policy_rc_d"
    [ -z "$build" ] || rm -rf "$build"
}
trap cleanup EXIT
fail() {
    printf 'integration setup: %s\n' "$*" >&2
    exit 1
}

# Debian 12 packages: the servers, the Python drivers Open WebUI uses, and the tools the tests run.
packages=(
    postgresql-15 postgresql-server-dev-15
    samba samba-ad-dc samba-ad-provision
    caddy redis-server
    python3-ldap3 python3-psycopg2 python3-psycopg python3-asyncpg python3-sqlalchemy python3-redis
    python3-alembic
    # Authlib (Open WebUI's OAuth/OIDC client) with the HTTP client and framework its Starlette
    # integration imports: the OIDC sign-in replay (python/oidc_login.py).
    python3-authlib python3-httpx python3-starlette
    openssl jq curl iproute2 util-linux systemd
)

missing=()
for package in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null)" != "installed" ]; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # The suite starts the servers it needs itself: packages must not start theirs (samba, caddy,
    # postgresql) on this machine. policy-rc.d is how Debian lets an installer say so.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy_rc_d=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$policy_rc_d"
        chmod 755 "$policy_rc_d"
    fi
    apt-get update -qq || fail "apt-get update failed: Debian's package mirror is not reachable"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        fail "apt-get install ${missing[*]} failed"
fi

# pgvector, which Open WebUI's vector store needs (VECTOR_DB=pgvector), from Debian trixie's source
# package: the upstream tarball Debian ships, checked against the SHA-256 its Sources index lists.
pg_config=/usr/lib/postgresql/15/bin/pg_config
pgvector_version=0.8.0
pgvector_sha256=867a2c328d4928a5a9d6f052cd3bc78c7d60228a9b914ad32aa3db88e9de27b0
pgvector_url="http://deb.debian.org/debian/pool/main/p/pgvector/pgvector_${pgvector_version}.orig.tar.gz"
if [ ! -f "$("$pg_config" --sharedir)/extension/vector--${pgvector_version}.sql" ]; then
    log "building pgvector ${pgvector_version} for PostgreSQL 15"
    build=$(mktemp -d)
    curl -fsS -o "$build/pgvector.tar.gz" "$pgvector_url" ||
        fail "cannot download $pgvector_url (Debian may have replaced the version: read pool/main/p/pgvector in dists/trixie/main/source/Sources and update the pin)"
    echo "$pgvector_sha256  $build/pgvector.tar.gz" | sha256sum -c --quiet - ||
        fail "pgvector ${pgvector_version}: the download does not match its pinned SHA-256"
    tar -xzf "$build/pgvector.tar.gz" -C "$build"
    make -s -C "$build/pgvector-${pgvector_version}" -j2 PG_CONFIG="$pg_config" >/dev/null 2>&1 ||
        fail "pgvector ${pgvector_version} did not build (postgresql-server-dev-15, gcc and make are needed)"
    make -s -C "$build/pgvector-${pgvector_version}" install PG_CONFIG="$pg_config" >/dev/null ||
        fail "pgvector ${pgvector_version} did not install"
fi

/usr/bin/python3 -c 'from authlib.integrations.starlette_client import OAuth' 2>/dev/null ||
    fail "Debian's python3-authlib (with python3-httpx and python3-starlette) is installed but its Starlette client does not import: the OIDC sign-in replay needs it"

# From this machine image, not installable here (PyPI is not reachable): moto and the AWS CLI.
python3 -c 'import moto.server' 2>/dev/null ||
    fail "moto is not importable by $(command -v python3) (the machine image's Python carries it; PyPI is not reachable to install it)"
aws ds-data help >/dev/null 2>&1 ||
    fail "the AWS CLI ($(command -v aws || echo 'not found')) is missing or has no ds-data commands"
log "ready"
