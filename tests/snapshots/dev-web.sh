#!/bin/bash
# AI Portal web host: Open WebUI on 127.0.0.1:8080 behind Caddy (TLS on 443, 80 redirects).
# Runs at every boot (cloud-init scripts-user: always) and is idempotent. It carries no secret
# values: it fetches them with the instance role and keeps them in root-only files.
set -euo pipefail
umask 077

AWS_REGION='eu-west-2'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='/ai-portal-dev/web'
OPEN_WEBUI_IMAGE='ghcr.io/open-webui/open-webui@sha256:3c384ee8c0d01405823e087ed0d68683a783f9f88cbe4fdb336ec0bb6b6b0c43'
CADDY_IMAGE='docker.io/library/caddy@sha256:532a41ad86fc077a09312cd14e52e45ae904067efc5ce68a916132396636e875'
DB_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-dev/database/openwebui-d1529f'
WEB_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-dev/web/openwebui-4ccd7d'
GATEWAY_KEY_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-dev/gateway/api-key-cb6d12'
BIND_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:123456789012:secret:ai-portal-dev/directory/openwebui-bind-a4a1d0'
PORTAL_HOST='3.10.36.170'
PORTAL_STACK='dev'
HEALTH_NAMESPACE='AIPortal'
HEALTH_METRIC='PortalHealthy'
# The domain controllers answer for the directory's domain (LDAP_SERVER_HOST), which resolves to
# both of them, so logins survive one being down; the VPC resolver comes last for everything else.
DIRECTORY_DNS='10.0.10.42 10.0.11.187'

# --- shared by both hosts (rendered into each boot script) ---------------------------------
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

# Prints one field of a JSON secret to stdout; callers assign it, so nothing is echoed or logged.
secret_field() {
    aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$1" \
        --query SecretString --output text | jq -er --arg field "$2" '.[$field]'
}

# Writes standard input to a root-only file, atomically.
write_private() {
    local tmp
    tmp=$(mktemp "$1.XXXXXX")
    cat >"$tmp"
    chmod 600 "$tmp"
    mv -f "$tmp" "$1"
}

# Installs standard input as the systemd unit ai-portal-<name>.service and (re)starts it.
install_unit() {
    local unit="ai-portal-$1.service"
    write_private "/etc/systemd/system/$unit"
    chmod 644 "/etc/systemd/system/$unit"
    systemctl daemon-reload
    systemctl enable "$unit"
    systemctl restart "$unit"
}

# Runs one container (name, description, docker run options already quoted for systemd, image)
# in the foreground of a systemd unit, which restarts it whenever it stops.
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

# docker run options that ship a container's output to this host's CloudWatch log group.
log_options() {
    printf -- '--log-driver awslogs --log-opt awslogs-region=%s --log-opt awslogs-group=%s --log-opt awslogs-stream=%s' \
        "$AWS_REGION" "$LOG_GROUP" "$1"
}
# ----------------------------------------------------------------------------------------------

install_docker

write_private "$CONFIG_DIR/open-webui.env" <<'SETTINGS'
ENABLE_PERSISTENT_CONFIG=false
WEBUI_URL=https://3.10.36.170
ENABLE_SIGNUP=false
DEFAULT_USER_ROLE=user
WEBUI_ADMIN_EMAIL=portal-admin@example.com
WEBUI_ADMIN_NAME=Portal administrator
ENABLE_OLLAMA_API=false
ENABLE_OPENAI_API=true
OPENAI_API_BASE_URL=http://10.0.10.129:8000/api/v1
ENABLE_LDAP=true
LDAP_SERVER_LABEL=CORP directory
LDAP_SERVER_HOST=corp.aiportal.internal
LDAP_SERVER_PORT=389
LDAP_USE_TLS=false
LDAP_ATTRIBUTE_FOR_USERNAME=sAMAccountName
LDAP_ATTRIBUTE_FOR_MAIL=mail
LDAP_APP_DN=svc-openwebui@corp.aiportal.internal
LDAP_SEARCH_BASE=OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal
LDAP_SEARCH_FILTER=(objectClass=user)(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2))
STORAGE_PROVIDER=s3
S3_BUCKET_NAME=ai-portal-dev-uploads-4bddeffe125ded6a2d8f8b8c88
S3_REGION_NAME=eu-west-2
VECTOR_DB=pgvector
SETTINGS

write_private "$CONFIG_DIR/Caddyfile" <<'CADDYFILE'
{
	default_sni 3.10.36.170
}

https://3.10.36.170 {
	tls internal
	encode zstd gzip
	reverse_proxy 127.0.0.1:8080
}
CADDYFILE

database_url=$(secret_field "$DB_SECRET_ARN" url)
webui_secret_key=$(secret_field "$WEB_SECRET_ARN" secret_key)
admin_password=$(secret_field "$WEB_SECRET_ARN" admin_password)
gateway_api_key=$(secret_field "$GATEWAY_KEY_SECRET_ARN" api_key)
ldap_app_password=$(secret_field "$BIND_SECRET_ARN" password)
printf 'DATABASE_URL=%s\nPGVECTOR_DB_URL=%s\nWEBUI_SECRET_KEY=%s\nWEBUI_ADMIN_PASSWORD=%s\nOPENAI_API_KEY=%s\nLDAP_APP_PASSWORD=%s\n' \
    "$database_url" "$database_url" "$webui_secret_key" "$admin_password" "$gateway_api_key" "$ldap_app_password" |
    write_private "$CONFIG_DIR/open-webui.secrets.env"
unset database_url webui_secret_key admin_password gateway_api_key ldap_app_password

dns_options=""
for server in $DIRECTORY_DNS 169.254.169.253; do
    dns_options+="--dns $server "
done

log "pulling images pinned by digest"
docker pull "$OPEN_WEBUI_IMAGE"
docker pull "$CADDY_IMAGE"

run_container open-webui "Open WebUI (localhost:8080 only)" \
    "--env-file $CONFIG_DIR/open-webui.env --env-file $CONFIG_DIR/open-webui.secrets.env --publish 127.0.0.1:8080:8080 ${dns_options}--dns-option timeout:1 --dns-option attempts:2 --volume open-webui-data:/app/backend/data" \
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
