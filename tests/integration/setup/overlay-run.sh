#!/usr/bin/env bash
# overlay-run.sh <state dir> <command> [args...]
# Runs a command as if on a host's own disk: in a mount namespace of its own, /etc, /usr/local,
# /var, /root and /opt are overlays whose writes land in <state dir>/upper/<tree> and stay there
# for the next run (like a disk between boots), while the machine's own files stay untouched.
set -euo pipefail
if [ "${1:-}" != "--inside" ]; then
    exec unshare --mount --propagation private -- bash "$0" --inside "$@"
fi
state=$2
shift 2
for tree in etc usr/local var root opt; do
    mkdir -p "$state/upper/$tree" "$state/work/$tree"
    mount -t overlay overlay -o "lowerdir=/$tree,upperdir=$state/upper/$tree,workdir=$state/work/$tree" "/$tree"
done
# The suite's private hosts file: the overlay on /etc hides its bind mount.
if [ -n "${AI_PORTAL_IT_HOSTS:-}" ]; then
    mount --bind "$AI_PORTAL_IT_HOSTS" /etc/hosts
fi
exec "$@"
