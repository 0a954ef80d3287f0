#!/bin/bash
# AI Portal web host: Open WebUI on the loopback behind Caddy (TLS on 443, 80 redirects).
# Runs at every boot (cloud-init scripts-user: always) and is idempotent. It carries no secret
# values: it fetches them with the instance role and keeps them in root-only files.
set -euo pipefail
umask 077

AWS_REGION='{{AWS_REGION}}'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='{{LOG_GROUP}}'
OPEN_WEBUI_IMAGE='{{OPEN_WEBUI_IMAGE}}'
CADDY_IMAGE='{{CADDY_IMAGE}}'
OPEN_WEBUI_PORT='{{OPEN_WEBUI_PORT}}'
DB_SECRET_ARN='{{DB_SECRET_ARN}}'
WEB_SECRET_ARN='{{WEB_SECRET_ARN}}'
GATEWAY_KEY_SECRET_ARN='{{GATEWAY_KEY_SECRET_ARN}}'
BIND_SECRET_ARN='{{BIND_SECRET_ARN}}'
# The versions of those secrets this script was rendered with. A new version (a changed password)
# changes this user data, so `pulumi up` has EC2 stop and start the host, and this script fetches
# the new values at the next boot: a credential change reaches the containers, it is never stale.
SECRET_VERSIONS='{{SECRET_VERSIONS}}'
# The RDS CA certificate, mounted read-only into Open WebUI's container at this same path.
DATABASE_CA_FILE='{{DATABASE_CA_FILE}}'
PORTAL_HOST='{{PORTAL_HOST}}'
PORTAL_STACK='{{PORTAL_STACK}}'
HEALTH_NAMESPACE='{{HEALTH_NAMESPACE}}'
HEALTH_METRIC='{{HEALTH_METRIC}}'
# The domain controllers answer for the directory's domain (LDAP_SERVER_HOST), which resolves to
# both of them, so logins survive one being down; the VPC resolver comes last for everything else.
DIRECTORY_DNS='{{DIRECTORY_DNS}}'

#@include boot-common.sh

install_docker
log "secrets at versions $SECRET_VERSIONS"

write_private "$CONFIG_DIR/open-webui.env" <<'SETTINGS'
{{OPEN_WEBUI_SETTINGS}}
SETTINGS

# Public certificates: readable by anyone, like the system's own trust store.
write_private "$DATABASE_CA_FILE" <<'CERTIFICATES'
{{RDS_CA_BUNDLE}}
CERTIFICATES
chmod 644 "$DATABASE_CA_FILE"

write_private "$CONFIG_DIR/Caddyfile" <<'CADDYFILE'
{{CADDYFILE}}
CADDYFILE

# Each secret is read once; each value is assigned on its own line, so a missing field stops the
# script (set -e) instead of leaving an empty setting.
database=$(secret_json "$DB_SECRET_ARN")
web=$(secret_json "$WEB_SECRET_ARN")
gateway_key=$(secret_json "$GATEWAY_KEY_SECRET_ARN")
bind=$(secret_json "$BIND_SECRET_ARN")
database_url=$(json_field url <<<"$database")
webui_secret_key=$(json_field secret_key <<<"$web")
admin_password=$(json_field admin_password <<<"$web")
gateway_api_key=$(json_field api_key <<<"$gateway_key")
ldap_app_password=$(json_field password <<<"$bind")
printf 'DATABASE_URL=%s\nPGVECTOR_DB_URL=%s\nWEBUI_SECRET_KEY=%s\nWEBUI_ADMIN_PASSWORD=%s\nOPENAI_API_KEY=%s\nLDAP_APP_PASSWORD=%s\n' \
    "$database_url" "$database_url" "$webui_secret_key" "$admin_password" "$gateway_api_key" "$ldap_app_password" |
    write_private "$CONFIG_DIR/open-webui.secrets.env"
unset database web gateway_key bind database_url webui_secret_key admin_password gateway_api_key ldap_app_password

dns_options=""
for server in $DIRECTORY_DNS 169.254.169.253; do
    dns_options+="--dns $server "
done

log "pulling images pinned by digest"
docker pull "$OPEN_WEBUI_IMAGE"
docker pull "$CADDY_IMAGE"

run_container open-webui "Open WebUI (localhost:$OPEN_WEBUI_PORT only)" \
    "--env-file $CONFIG_DIR/open-webui.env --env-file $CONFIG_DIR/open-webui.secrets.env --publish 127.0.0.1:$OPEN_WEBUI_PORT:$OPEN_WEBUI_PORT ${dns_options}--dns-option timeout:1 --dns-option attempts:2 --volume open-webui-data:/app/backend/data --volume $DATABASE_CA_FILE:$DATABASE_CA_FILE:ro" \
    "$OPEN_WEBUI_IMAGE"
run_container caddy "Caddy, TLS on 443 with 80 redirecting" \
    "--network host --volume caddy-data:/data --volume caddy-config:/config --volume $CONFIG_DIR/Caddyfile:/etc/caddy/Caddyfile:ro" \
    "$CADDY_IMAGE"

# Every minute: 1 when the portal answers over HTTPS through Caddy to Open WebUI's /health, else 0.
# The CloudWatch alarm on it also fires when the metric stops arriving (host or reporter down).
write_private "$CONFIG_DIR/health.env" <<HEALTHENV
AWS_REGION=$AWS_REGION
PORTAL_HOST=$PORTAL_HOST
PORTAL_STACK=$PORTAL_STACK
HEALTH_NAMESPACE=$HEALTH_NAMESPACE
HEALTH_METRIC=$HEALTH_METRIC
HEALTHENV
write_private /usr/local/sbin/ai-portal-health <<'HEALTHCHECK'
#!/bin/bash
set -uo pipefail
healthy=0
if curl --silent --fail --insecure --max-time 10 --resolve "$PORTAL_HOST:443:127.0.0.1" "https://$PORTAL_HOST/health" >/dev/null; then
    healthy=1
fi
aws cloudwatch put-metric-data --region "$AWS_REGION" --namespace "$HEALTH_NAMESPACE" --metric-name "$HEALTH_METRIC" \
    --dimensions "Stack=$PORTAL_STACK" --value "$healthy"
HEALTHCHECK
chmod 700 /usr/local/sbin/ai-portal-health
write_private /etc/systemd/system/ai-portal-health.service <<UNIT
[Unit]
Description=AI Portal: report the portal's HTTPS health to CloudWatch
After=ai-portal-caddy.service

[Service]
Type=oneshot
EnvironmentFile=$CONFIG_DIR/health.env
ExecStart=/usr/local/sbin/ai-portal-health
UNIT
write_private /etc/systemd/system/ai-portal-health.timer <<UNIT
[Unit]
Description=AI Portal: health report every minute

[Timer]
OnBootSec=2min
OnUnitActiveSec=1min

[Install]
WantedBy=timers.target
UNIT
chmod 644 /etc/systemd/system/ai-portal-health.service /etc/systemd/system/ai-portal-health.timer
systemctl daemon-reload
systemctl enable --now ai-portal-health.timer

log "web host configured"
