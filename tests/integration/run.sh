#!/usr/bin/env bash
# npm run test:integration: the program's real artefacts (boot scripts, the role bootstrap, the
# bind-account script, the LDAP and database settings, the Caddyfile, the units) against real
# components started here: PostgreSQL 15 with TLS, Samba as an AD domain controller, moto as
# Secrets Manager / S3 / CloudWatch, Caddy, systemd-analyze.
#
# Needs root: it installs Debian packages once (setup/install.sh) and runs the suite in private
# network, mount and PID namespaces (setup/namespace.sh), so every server listens on a loopback of
# its own, /etc/hosts is a private copy, and nothing the suite started outlives it.
# Arguments are passed to mocha (e.g. --grep LDAP).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" -ne 0 ]; then
    echo "integration suite: needs root (apt-get, namespaces, ports 80/389/443/5432); run it as root or in CI" >&2
    exit 1
fi

bash tests/integration/setup/install.sh

work=$(mktemp -d /tmp/ai-portal-integration.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
set +e
unshare --net --mount --pid --fork --mount-proc --propagation private -- \
    bash tests/integration/setup/namespace.sh "$work" "$@"
status=$?
set -e
exit "$status"
