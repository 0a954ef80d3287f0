#!/bin/bash
set -euo pipefail
umask 077

AWS_REGION='eu-west-2'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='/ai-portal-example/gateway'
GATEWAY_IMAGE='111122223333.dkr.ecr.eu-west-2.amazonaws.com/example/bedrock-access-gateway@sha256:3333333333333333333333333333333333333333333333333333333333333333'
GATEWAY_PORT='8000'
SECRET_VERSIONS='gateway-key:v-gateway-key'

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

install_docker
log "secrets at versions $SECRET_VERSIONS"

write_private "$CONFIG_DIR/gateway.env" <<'SETTINGS'
PORT=8000
AWS_REGION=eu-west-2
AWS_DEFAULT_REGION=eu-west-2
DEFAULT_MODEL=eu.anthropic.claude-sonnet-4-20250514-v1:0
ENABLE_CROSS_REGION_INFERENCE=true
ENABLE_APPLICATION_INFERENCE_PROFILES=true
ALLOWED_ORIGINS=https://203.0.113.10
API_KEY_SECRET_ARN=arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/gateway-CCCCCC
DEBUG=false
SETTINGS

registry=${GATEWAY_IMAGE%%/*}
if [[ $registry == *.dkr.ecr.*.amazonaws.com ]]; then
    aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$registry"
fi
log "pulling the gateway image pinned by digest"
docker pull "$GATEWAY_IMAGE"

health_check="--health-cmd \"python3 -c 'import urllib.request; urllib.request.urlopen(\\\"http://127.0.0.1:$GATEWAY_PORT/health\\\", timeout=3)'\" --health-interval 30s"
run_container bedrock-gateway "Bedrock Access Gateway (port $GATEWAY_PORT, web host only)" \
    "--env-file $CONFIG_DIR/gateway.env --publish $GATEWAY_PORT:$GATEWAY_PORT $health_check" \
    "$GATEWAY_IMAGE"

log "gateway host configured"
