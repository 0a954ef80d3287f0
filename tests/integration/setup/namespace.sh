#!/usr/bin/env bash
# Runs inside the suite's own network, mount and PID namespaces (see ../run.sh): brings up the
# loopback, gives the suite a private /etc/hosts it may add names to, and runs mocha. This shell is
# PID 1 of the namespace: when it exits, the kernel ends every process still in it.
set -euo pipefail
work=$1
shift

ip link set lo up
cp /etc/hosts "$work/hosts"
mount --bind "$work/hosts" /etc/hosts

export AI_PORTAL_IT_WORK="$work"
export AI_PORTAL_IT_HOSTS="$work/hosts"
# Nothing in here may reach a real AWS endpoint or instance metadata: there is no network but the
# loopback, and these make that explicit for every SDK and CLI the suite runs.
export AWS_EC2_METADATA_DISABLED=true
set +e
node_modules/.bin/mocha --config .mocharc.integration.json "$@"
status=$?
set -e
exit "$status"
