#!/bin/bash
# AI Portal gateway host: the usage gate (gate/) on the gateway port, reachable only from the web
# hosts (or the internal load balancer), in front of the Bedrock Access Gateway, which listens on
# UPSTREAM_PORT inside the host's own Docker network and publishes no port at all. Runs at every
# boot and is idempotent. It carries no secret values: the gateway reads its API key from Secrets
# Manager itself (API_KEY_SECRET_ARN); the gate's three secrets are fetched here into a root-only file.
set -euo pipefail
umask 077

AWS_REGION='{{AWS_REGION}}'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='{{LOG_GROUP}}'
GATEWAY_IMAGE='{{GATEWAY_IMAGE}}'
GATE_IMAGE='{{GATE_IMAGE}}'
GATEWAY_PORT='{{GATEWAY_PORT}}'
UPSTREAM_PORT='{{UPSTREAM_PORT}}'
# The secrets the gate reads at boot: the gateway's API key (the only key whose callers' user
# headers it trusts), its own database role's, and (group limits only; empty otherwise) the
# directory bind account's.
GATEWAY_KEY_SECRET_ARN='{{GATEWAY_KEY_SECRET_ARN}}'
GATE_DB_SECRET_ARN='{{GATE_DB_SECRET_ARN}}'
BIND_SECRET_ARN='{{BIND_SECRET_ARN}}'
# The versions of those secrets this script was rendered with. A new key or password changes this
# user data, so `pulumi up` has EC2 stop and start the host and both start with the new values.
SECRET_VERSIONS='{{SECRET_VERSIONS}}'
# The database by its RDS identifier, looked up at boot as the web hosts do (templates/web.sh).
# shellcheck disable=SC2034 # read by find_database in boot-common.sh
DB_INSTANCE_ID='{{DB_INSTANCE_ID}}'
DB_WAIT_SECONDS='{{DB_WAIT_SECONDS}}'
# Where the RDS CA boot file is written, mounted read-only into the gate's container at this path.
DATABASE_CA_FILE='{{DATABASE_CA_FILE}}'
# The Docker network the gate reaches the gateway on, by its container name.
NETWORK=ai-portal-gateway

#@include boot-common.sh

install_docker
log "secrets at versions $SECRET_VERSIONS"
# The RDS CA certificate the gate verifies the database with (a boot file: EC2's 16 KB).
log "fetching the boot files pinned by SHA-256"
while read -r -u 3 name sha256 target mode; do
    boot_file "$name" "$sha256" "$target" "$mode"
done 3<<'BOOTFILES'
{{BOOT_FILES}}
BOOTFILES

write_private "$CONFIG_DIR/gateway.env" <<'SETTINGS'
{{GATEWAY_SETTINGS}}
SETTINGS
write_private "$CONFIG_DIR/usage-gate.env" <<'SETTINGS'
{{GATE_SETTINGS}}
SETTINGS

registry=${GATEWAY_IMAGE%%/*}
if [[ $registry == *.dkr.ecr.*.amazonaws.com ]]; then
    aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$registry"
fi
gate_registry=${GATE_IMAGE%%/*}
if [[ $gate_registry != "$registry" && $gate_registry == *.dkr.ecr.*.amazonaws.com ]]; then
    aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$gate_registry"
fi
log "pulling the images pinned by digest"
docker pull "$GATEWAY_IMAGE"
docker pull "$GATE_IMAGE"
docker network inspect "$NETWORK" >/dev/null 2>&1 || docker network create "$NETWORK"

health_check="--health-cmd \"python3 -c 'import urllib.request; urllib.request.urlopen(\\\"http://127.0.0.1:$UPSTREAM_PORT/health\\\", timeout=3)'\" --health-interval 30s"
run_container bedrock-gateway "Bedrock Access Gateway (port $UPSTREAM_PORT, this host's gate only)" \
    "--env-file $CONFIG_DIR/gateway.env --network $NETWORK $health_check" \
    "$GATEWAY_IMAGE"

# Each secret is read once and each value assigned on its own line: a missing field stops the
# script (set -e) instead of leaving an empty setting.
gateway_key=$(secret_json "$GATEWAY_KEY_SECRET_ARN")
gate_db=$(secret_json "$GATE_DB_SECRET_ARN")
gate_api_key=$(json_field api_key <<<"$gateway_key")
gate_db_user=$(json_field username <<<"$gate_db")
gate_db_password=$(json_field password <<<"$gate_db")
gate_db_name=$(json_field dbname <<<"$gate_db")
gate_db_schema=$(json_field schema <<<"$gate_db")
log "finding database $DB_INSTANCE_ID"
# find_database (boot-common.sh) sets it.
database_host=""
retry "$DB_WAIT_SECONDS" 30 find_database
{
    printf 'GATE_API_KEY=%s\nGATE_DB_HOST=%s\nGATE_DB_NAME=%s\nGATE_DB_USER=%s\nGATE_DB_PASSWORD=%s\nGATE_DB_SCHEMA=%s\n' \
        "$gate_api_key" "$database_host" "$gate_db_name" "$gate_db_user" "$gate_db_password" "$gate_db_schema"
    if [ -n "$BIND_SECRET_ARN" ]; then
        bind_password=$(json_field password <<<"$(secret_json "$BIND_SECRET_ARN")")
        printf 'GATE_LDAP_PASSWORD=%s\n' "$bind_password"
    fi
} | write_private "$CONFIG_DIR/usage-gate.secrets.env"
unset gateway_key gate_db gate_api_key gate_db_password bind_password

# Its log lines (one JSON line per call, in CloudWatch's embedded metric format) go to this host's
# log group, stream usage-gate: CloudWatch Logs turns them into the AIPortal/UsageGate metrics.
run_container usage-gate "usage gate (port $GATEWAY_PORT, in front of the gateway)" \
    "--env-file $CONFIG_DIR/usage-gate.env --env-file $CONFIG_DIR/usage-gate.secrets.env --network $NETWORK --publish $GATEWAY_PORT:$GATEWAY_PORT --volume $DATABASE_CA_FILE:$DATABASE_CA_FILE:ro" \
    "$GATE_IMAGE"

log "gateway host configured"
