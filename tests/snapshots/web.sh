#!/bin/bash
set -euo pipefail
umask 077

WEB_TIER='single'
AWS_REGION='eu-west-2'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='/ai-portal-example/web'
OPEN_WEBUI_IMAGE='ghcr.io/open-webui/open-webui@sha256:1111111111111111111111111111111111111111111111111111111111111111'
CADDY_IMAGE='docker.io/library/caddy@sha256:2222222222222222222222222222222222222222222222222222222222222222'
OPEN_WEBUI_PORT='8080'
OPEN_WEBUI_PUBLISH='127.0.0.1'
DB_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/database-AAAAAA'
WEB_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/web-BBBBBB'
GATEWAY_KEY_SECRET_ARN='arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/gateway-CCCCCC'
SECRET_SETTINGS='LDAP_APP_PASSWORD arn:aws:secretsmanager:eu-west-2:111122223333:secret:example/bind-DDDDDD password'
REDIS_SECRET_ARN=''
REDIS_ENDPOINT=''
SECRET_VERSIONS='bind:v-bind database:v-database gateway-key:v-gateway-key web:v-web'
DATABASE_CA_FILE='/etc/ai-portal/rds-ca.pem'
SIGN_IN_LIMIT='20'
SIGN_IN_LIMIT_PORT='9180'
PORTAL_HOST='203.0.113.10'
PORTAL_STACK='example'
HEALTH_NAMESPACE='AIPortal'
HEALTH_METRIC='PortalHealthy'
HEALTH_ROUTE='caddy'
DB_INSTANCE_ID='ai-portal-example-postgres'
DB_WAIT_SECONDS='2700'
AUTO_SCALING_GROUP=''
LAUNCH_HOOK=''

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

complete_launch() {
    [ -z "$LAUNCH_HOOK" ] || aws autoscaling complete-lifecycle-action --region "$AWS_REGION" --auto-scaling-group-name "$AUTO_SCALING_GROUP" \
        --lifecycle-hook-name "$LAUNCH_HOOK" --instance-id "$(cat /var/lib/cloud/data/instance-id)" --lifecycle-action-result "$1" ||
        log "no launch action pending"
}
trap '[ $? -eq 0 ] || complete_launch ABANDON' EXIT

install_docker
log "secrets at versions $SECRET_VERSIONS"
log "fetching the boot files pinned by SHA-256"
while read -r -u 3 name sha256 target mode; do
    boot_file "$name" "$sha256" "$target" "$mode"
done 3<<'BOOTFILES'
/ai-portal-example/boot/rds-ca.pem 43343858a9c9e89f7ce9112b40440c7f7662d72df18e0931d5049379f3c2342d /etc/ai-portal/rds-ca.pem 644
/ai-portal-example/boot/signin-limit.py c5d106ed0872a354136c20cb6a74a5a95cc36c00583f4d2be31b3c88a15846f2 /usr/local/sbin/ai-portal-signin-limit 755
/ai-portal-example/boot/audit.sh 0570732b975bd9b4fe5ac2151dd18b7824b061fa8c5ef4db5f959bfd6943a720 /usr/local/sbin/ai-portal-audit 700
/ai-portal-example/boot/health.sh e3f4b9f840842f7673346bb2a5d0b08199bebd53a62a982f8602e8befb0ef2c3 /usr/local/sbin/ai-portal-health 700
BOOTFILES
log "pulling images pinned by digest"
docker pull "$OPEN_WEBUI_IMAGE"

write_private "$CONFIG_DIR/open-webui.env" <<'SETTINGS'
ENABLE_PERSISTENT_CONFIG=false
WEBUI_URL=https://203.0.113.10
WEBUI_SESSION_COOKIE_SECURE=true
WEBUI_AUTH_COOKIE_SECURE=true
CORS_ALLOW_ORIGIN=https://203.0.113.10
ENABLE_SIGNUP=false
DEFAULT_USER_ROLE=user
WEBUI_ADMIN_EMAIL=portal-admin@example.com
WEBUI_ADMIN_NAME=Portal administrator
ENABLE_OLLAMA_API=false
ENABLE_OPENAI_API=true
OPENAI_API_BASE_URL=http://10.0.10.20:8000/api/v1
ENABLE_FORWARD_USER_INFO_HEADERS=true
AIOHTTP_CLIENT_SESSION_SSL=true
DEFAULT_MODELS=arn:aws:bedrock:eu-west-2:111122223333:application-inference-profile/a1b2c3d4e5f6
ENABLE_LDAP=true
LDAP_SERVER_LABEL=CORP directory
LDAP_SERVER_HOST=ldap.ai-portal-example.internal
LDAP_SERVER_PORT=389
LDAP_USE_TLS=false
LDAP_ATTRIBUTE_FOR_USERNAME=sAMAccountName
LDAP_ATTRIBUTE_FOR_MAIL=userPrincipalName
LDAP_APP_DN=svc-openwebui@corp.example.internal
LDAP_SEARCH_BASE=OU=Users,OU=CORP,DC=corp,DC=example,DC=internal
LDAP_SEARCH_FILTER=(objectClass=user)(objectCategory=person)(!(userAccountControl:1.2.840.113556.1.4.803:=2))(!(userPrincipalName=portal-admin@example.com))(memberOf:1.2.840.113556.1.4.1941:=CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=example,DC=internal)
ENABLE_LDAP_GROUP_MANAGEMENT=true
STORAGE_PROVIDER=s3
S3_BUCKET_NAME=ai-portal-example-uploads
S3_REGION_NAME=eu-west-2
VECTOR_DB=pgvector
PGSSLMODE=verify-full
PGSSLROOTCERT=/etc/ai-portal/rds-ca.pem
ENABLE_API_KEYS=false
JWT_EXPIRES_IN=8h
ENABLE_COMMUNITY_SHARING=false
ENABLE_ADMIN_CHAT_ACCESS=false
ENABLE_ADMIN_EXPORT=false
USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS=false
UVICORN_WORKERS=1
AUDIT_LOG_LEVEL=METADATA
AUDIT_EXCLUDED_PATHS=/folders
SETTINGS

if [ "$WEB_TIER" = single ]; then
    write_private "$CONFIG_DIR/Caddyfile" <<'CADDYFILE'
{
	default_sni 203.0.113.10
}

https://203.0.113.10 {
	tls internal
	encode zstd gzip
	header Strict-Transport-Security "max-age=31536000"
	@signIn path /api/v1/auths/signin* /api/v1/auths/ldap* /api/v1/auths/signup* /api/v1/auths/update/password* /api/v1/auths/mfa/verify*
	forward_auth @signIn 127.0.0.1:9180 {
		uri /
		header_up X-Portal-Client-Address {remote_host}
	}
	@localSignIn {
		path /api/v1/auths/signin /api/v1/auths/signin/
		not remote_ip 198.51.100.0/24
	}
	respond @localSignIn "Local accounts sign in only from the administration networks." 403
	reverse_proxy 127.0.0.1:8080
}
CADDYFILE
fi

database=$(secret_json "$DB_SECRET_ARN")
web=$(secret_json "$WEB_SECRET_ARN")
gateway_key=$(secret_json "$GATEWAY_KEY_SECRET_ARN")
log "finding database $DB_INSTANCE_ID"
database_host=""
retry "$DB_WAIT_SECONDS" 30 find_database
database_url=$(jq -er --arg h "$database_host" '"postgresql://\(.username|@uri):\(.password|@uri)@\($h):\(.port)/\(.dbname)"' <<<"$database")
webui_secret_key=$(json_field secret_key <<<"$web")
admin_password=$(json_field admin_password <<<"$web")
gateway_api_key=$(json_field api_key <<<"$gateway_key")
{
    printf 'DATABASE_URL=%s\nPGVECTOR_DB_URL=%s\nWEBUI_SECRET_KEY=%s\nWEBUI_ADMIN_PASSWORD=%s\nOPENAI_API_KEY=%s\n' \
        "$database_url" "$database_url" "$webui_secret_key" "$admin_password" "$gateway_api_key"
    # shellcheck disable=SC2086 # the triples are words on purpose (ARNs hold no spaces)
    set -- $SECRET_SETTINGS
    while [ $# -gt 0 ]; do
        v=$(json_field "$3" <<<"$(secret_json "$2")")
        printf '%s=%s\n' "$1" "$v"
        shift 3
    done
    if [ -n "$REDIS_SECRET_ARN" ]; then
        redis_token=$(json_field auth_token <<<"$(secret_json "$REDIS_SECRET_ARN")")
        printf 'REDIS_URL=rediss://:%s@%s/0\nWEBSOCKET_REDIS_URL=rediss://:%s@%s/0\n' \
            "$redis_token" "$REDIS_ENDPOINT" "$redis_token" "$REDIS_ENDPOINT"
    fi
} | write_private "$CONFIG_DIR/open-webui.secrets.env"
unset database web gateway_key database_url webui_secret_key admin_password gateway_api_key redis_token

open_webui_options="--env-file $CONFIG_DIR/open-webui.env --env-file $CONFIG_DIR/open-webui.secrets.env --volume open-webui-data:/app/backend/data --volume $DATABASE_CA_FILE:$DATABASE_CA_FILE:ro"

log "waiting for the database login"
# shellcheck disable=SC2086
retry "$DB_WAIT_SECONDS" 15 docker run --rm $open_webui_options "$OPEN_WEBUI_IMAGE" python3 -c 'import os,psycopg2;psycopg2.connect(os.environ["DATABASE_URL"])'

if [ "$WEB_TIER" = loadBalanced ]; then
    log "migrating Open WebUI's schema under the advisory lock"
    # shellcheck disable=SC2086 # the options are words on purpose
    docker run --rm --name open-webui-migrate $open_webui_options --env ENABLE_DB_MIGRATIONS=true \
        --volume "$CONFIG_DIR/migrate.py:/opt/ai-portal/migrate.py:ro" "$OPEN_WEBUI_IMAGE" python3 /opt/ai-portal/migrate.py
fi

run_container open-webui "Open WebUI (port $OPEN_WEBUI_PORT on $OPEN_WEBUI_PUBLISH)" \
    "$open_webui_options --publish $OPEN_WEBUI_PUBLISH:$OPEN_WEBUI_PORT:$OPEN_WEBUI_PORT" \
    "$OPEN_WEBUI_IMAGE"
/usr/local/sbin/ai-portal-audit
if [ -n "$LAUNCH_HOOK" ]; then
    retry 900 5 curl -sfo /dev/null -m 5 "http://127.0.0.1:$OPEN_WEBUI_PORT/health"
    complete_launch CONTINUE
fi
if [ "$WEB_TIER" = single ]; then
    install_unit signin-limit <<UNIT
[Unit]
Description=AI Portal: sign-in attempts per address, for Caddy

[Service]
ExecStart=/usr/local/sbin/ai-portal-signin-limit $SIGN_IN_LIMIT $SIGN_IN_LIMIT_PORT
DynamicUser=yes
MemoryMax=64M
Restart=always

[Install]
WantedBy=multi-user.target
UNIT
    docker pull "$CADDY_IMAGE"
    run_container caddy "Caddy, TLS on 443 with 80 redirecting" \
        "--network host --volume caddy-data:/data --volume caddy-config:/config --volume $CONFIG_DIR/Caddyfile:/etc/caddy/Caddyfile:ro" \
        "$CADDY_IMAGE"
fi

write_private "$CONFIG_DIR/health.env" <<HEALTHENV
AWS_REGION=$AWS_REGION
PORTAL_HOST=$PORTAL_HOST
PORTAL_STACK=$PORTAL_STACK
HEALTH_ROUTE=$HEALTH_ROUTE
HEALTH_NAMESPACE=$HEALTH_NAMESPACE
HEALTH_METRIC=$HEALTH_METRIC
HEALTHENV
write_private /etc/systemd/system/ai-portal-health.service <<UNIT
[Unit]
Description=AI Portal: report the portal's HTTPS health to CloudWatch
After=ai-portal-open-webui.service

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
