#!/bin/bash
set -euo pipefail
umask 077

AWS_REGION='eu-west-2'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='/ai-portal-example/gateway'
GATEWAY_IMAGE='111122223333.dkr.ecr.eu-west-2.amazonaws.com/example/bedrock-access-gateway@sha256:3333333333333333333333333333333333333333333333333333333333333333'
GATE_IMAGE='111122223333.dkr.ecr.eu-west-2.amazonaws.com/example/usage-gate@sha256:4444444444444444444444444444444444444444444444444444444444444444'
GATEWAY_PORT='8000'
UPSTREAM_PORT='8081'
GATEWAY_KEY_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/gateway-CCCCCC'
GATE_DB_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/database/usage-gate-DDDDDD'
BIND_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/bind-BBBBBB'
SECRET_VERSIONS='bind:v-bind gateway-key:v-gateway-key usage-gate-db:v-gate'
# shellcheck disable=SC2034 # read by find_database in boot-common.sh
DB_INSTANCE_ID='ai-portal-example-postgres'
DB_WAIT_SECONDS='2700'
DATABASE_CA_FILE='/etc/ai-portal/rds-ca.pem'
NETWORK=ai-portal-gateway

readonly CONFIG_DIR=/etc/ai-portal

log() {
    printf 'ai-portal-boot: %s\n' "$*"
}

install_docker() {
    if ! command -v docker >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
        log "installing docker and jq from the Amazon Linux repositories"
        dnf install -y docker jq
    fi
    systemctl enable --now docker
    mkdir -p "$CONFIG_DIR"
    chmod 700 "$CONFIG_DIR"
}

secret_json() {
    aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$1" \
        --query SecretString --output text
}

json_field() {
    jq -er --arg field "$1" '.[$field] | select(. != "")'
}

write_private() {
    local tmp
    tmp=$(mktemp "$1.XXXXXX")
    cat >"$tmp"
    chmod 600 "$tmp"
    mv -f "$tmp" "$1"
}

install_unit() {
    local unit="ai-portal-$1.service"
    write_private "/etc/systemd/system/$unit"
    chmod 644 "/etc/systemd/system/$unit"
    systemctl daemon-reload
    systemctl enable "$unit"
    systemctl restart "$unit"
}

run_container() {
    local name=$1 description=$2 options=$3 image=$4
    install_unit "$name" <<UNIT
[Unit]
Description=AI Portal: $description
After=docker.service network-online.target
Requires=docker.service
Wants=network-online.target

[Service]
Restart=always
RestartSec=5
ExecStartPre=-/usr/bin/docker rm -f $name
ExecStart=/usr/bin/docker run --rm --name $name $options $(log_options "$name") $image
ExecStop=/usr/bin/docker stop $name

[Install]
WantedBy=multi-user.target
UNIT
}

log_options() {
    printf -- '--log-driver awslogs --log-opt awslogs-region=%s --log-opt awslogs-group=%s --log-opt awslogs-stream=%s' \
        "$AWS_REGION" "$LOG_GROUP" "$1"
}

retry() {
    local end=$((SECONDS + $1)) every=$2
    shift 2
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep "$every"
    done
}

boot_file() {
    local value actual
    value=$(aws ssm get-parameter --region "$AWS_REGION" --name "$1" --query Parameter.Value --output text)
    actual=$(printf '%s' "$value" | sha256sum)
    actual=${actual%% *}
    if [ "$actual" != "$2" ]; then
        log "boot file $1 has SHA-256 $actual, but this user data pins $2: stopping the boot"
        return 1
    fi
    printf '%s\n' "$value" | write_private "$3"
    chmod "$4" "$3"
}

find_database() {
    # shellcheck disable=SC2034
    database_host=$(aws rds describe-db-instances --region "$AWS_REGION" --db-instance-identifier "$DB_INSTANCE_ID" |
        jq -er '.DBInstances[0].Endpoint.Address')
}

install_docker
log "secrets at versions $SECRET_VERSIONS"
log "fetching the boot files pinned by SHA-256"
while read -r -u 3 name sha256 target mode; do
    boot_file "$name" "$sha256" "$target" "$mode"
done 3<<'BOOTFILES'
/ai-portal-example/boot/gateway-rds-ca.pem 43343858a9c9e89f7ce9112b40440c7f7662d72df18e0931d5049379f3c2342d /etc/ai-portal/rds-ca.pem 644
BOOTFILES

write_private "$CONFIG_DIR/gateway.env" <<'SETTINGS'
PORT=8081
AWS_REGION=eu-west-2
AWS_DEFAULT_REGION=eu-west-2
DEFAULT_MODEL=arn:aws:bedrock:eu-west-2:111122223333:application-inference-profile/abcdef123456
ENABLE_CROSS_REGION_INFERENCE=true
ENABLE_APPLICATION_INFERENCE_PROFILES=true
ALLOWED_ORIGINS=https://203.0.113.10
API_KEY_SECRET_ARN=arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/gateway-CCCCCC
DEBUG=false
SETTINGS
write_private "$CONFIG_DIR/usage-gate.env" <<'SETTINGS'
GATE_LISTEN_HOST=0.0.0.0
GATE_LISTEN_PORT=8000
GATE_UPSTREAM_URL=http://bedrock-gateway:8081
GATE_API_PREFIX=/api/v1
GATE_LIMIT_DEFAULT_USD=50
GATE_LIMITS_BY_GROUP={"Data Science":200}
GATE_FAIL_MODE=open
GATE_STACK=example
GATE_MODEL_ALIASES={"arn:aws:bedrock:eu-west-2:111122223333:application-inference-profile/abcdef123456":"eu.anthropic.claude-sonnet-4-20250514-v1:0"}
GATE_DB_PORT=5432
GATE_DB_CA_FILE=/etc/ai-portal/rds-ca.pem
GATE_LDAP_URL=ldap://ldap.ai-portal-example.internal:389
GATE_LDAP_BIND_DN=svc-openwebui@ad.example.internal
GATE_LDAP_USER_BASE=OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal
GATE_LDAP_GROUP_BASE=DC=ad,DC=example,DC=internal
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

gateway_key=$(secret_json "$GATEWAY_KEY_SECRET_ARN")
gate_db=$(secret_json "$GATE_DB_SECRET_ARN")
gate_api_key=$(json_field api_key <<<"$gateway_key")
gate_db_user=$(json_field username <<<"$gate_db")
gate_db_password=$(json_field password <<<"$gate_db")
gate_db_name=$(json_field dbname <<<"$gate_db")
gate_db_schema=$(json_field schema <<<"$gate_db")
log "finding database $DB_INSTANCE_ID"
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

run_container usage-gate "usage gate (port $GATEWAY_PORT, in front of the gateway)" \
    "--env-file $CONFIG_DIR/usage-gate.env --env-file $CONFIG_DIR/usage-gate.secrets.env --network $NETWORK --publish $GATEWAY_PORT:$GATEWAY_PORT --volume $DATABASE_CA_FILE:$DATABASE_CA_FILE:ro" \
    "$GATE_IMAGE"

log "gateway host configured"
