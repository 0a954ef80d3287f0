#!/bin/bash
# AI Portal gateway host: the Bedrock Access Gateway's OpenAI-compatible API on the gateway port,
# reachable only from the web host's security group. Runs at every boot and is idempotent. The
# gateway reads its API key from Secrets Manager itself (API_KEY_SECRET_ARN): no secret here.
set -euo pipefail
umask 077

AWS_REGION='{{AWS_REGION}}'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='{{LOG_GROUP}}'
GATEWAY_IMAGE='{{GATEWAY_IMAGE}}'
GATEWAY_PORT='{{GATEWAY_PORT}}'
# The version of the API-key secret the gateway reads at start. A new key changes this user data,
# so `pulumi up` has EC2 stop and start the host and the gateway starts with the new key.
SECRET_VERSIONS='{{SECRET_VERSIONS}}'

#@include boot-common.sh

install_docker
log "secrets at versions $SECRET_VERSIONS"

write_private "$CONFIG_DIR/gateway.env" <<'SETTINGS'
{{GATEWAY_SETTINGS}}
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
