#!/bin/bash
# AI Portal web host. WEB_TIER says which tier it serves:
#   single        Open WebUI on the loopback behind Caddy (TLS on 443, 80 redirects), one host;
#   loadBalanced  Open WebUI on port 8080 for the ALB (which terminates TLS, redirects 80 and adds
#                 HSTS, so no Caddy), one of several hosts sharing Redis; schema migrations run
#                 once, under a database lock, before the service starts.
# Runs at every boot (cloud-init scripts-user: always) and is idempotent. It carries no secret
# values: it fetches them with the instance role and keeps them in root-only files.
set -euo pipefail
umask 077

WEB_TIER='{{WEB_TIER}}'
AWS_REGION='{{AWS_REGION}}'
# shellcheck disable=SC2034 # read by log_options in boot-common.sh
LOG_GROUP='{{LOG_GROUP}}'
OPEN_WEBUI_IMAGE='{{OPEN_WEBUI_IMAGE}}'
CADDY_IMAGE='{{CADDY_IMAGE}}'
OPEN_WEBUI_PORT='{{OPEN_WEBUI_PORT}}'
# Where Open WebUI's port is published: the loopback (single) or every interface (the ALB's
# target; the security group admits the ALB only).
OPEN_WEBUI_PUBLISH='{{OPEN_WEBUI_PUBLISH}}'
DB_SECRET_ARN='{{DB_SECRET_ARN}}'
WEB_SECRET_ARN='{{WEB_SECRET_ARN}}'
GATEWAY_KEY_SECRET_ARN='{{GATEWAY_KEY_SECRET_ARN}}'
# Settings that come from a secret each, as triples separated by spaces: the setting, the
# secret's ARN, the JSON field (the LDAP bind password, the OIDC client secret, the SCIM token: what the stack's sign-in
# uses). Read at boot like the others; the values never pass through this script's text.
SECRET_SETTINGS='{{SECRET_SETTINGS}}'
# loadBalanced: the Redis the hosts share (TLS) and its auth token's secret; empty in single.
REDIS_SECRET_ARN='{{REDIS_SECRET_ARN}}'
REDIS_ENDPOINT='{{REDIS_ENDPOINT}}'
# The versions of those secrets this script was rendered with. A new version (a changed password)
# changes this user data, so `pulumi up` has EC2 stop and start the host, and this script fetches
# the new values at the next boot: a credential change reaches the containers, it is never stale.
SECRET_VERSIONS='{{SECRET_VERSIONS}}'
# The RDS CA certificate (a boot file, below), mounted read-only into Open WebUI's container at
# this same path.
DATABASE_CA_FILE='{{DATABASE_CA_FILE}}'
# single: the sign-in limit Caddy asks about each sign-in attempt (signin-limit.py, a boot file):
# attempts one address may make in 5 minutes, and its port on the loopback. Empty in loadBalanced
# (WAF's rate-based rule does it there).
SIGN_IN_LIMIT='{{SIGN_IN_LIMIT}}'
SIGN_IN_LIMIT_PORT='{{SIGN_IN_LIMIT_PORT}}'
PORTAL_HOST='{{PORTAL_HOST}}'
PORTAL_STACK='{{PORTAL_STACK}}'
HEALTH_NAMESPACE='{{HEALTH_NAMESPACE}}'
HEALTH_METRIC='{{HEALTH_METRIC}}'
# How the health probe reaches the portal: through Caddy on this host (caddy), or through the
# ALB by the portal's public name, as users do (alb).
HEALTH_ROUTE='{{HEALTH_ROUTE}}'
# The database, by its RDS identifier: its address is looked up here, at boot, not rendered into
# this script, so the hosts launch while the instance is still being created and wait for it (at
# most DB_WAIT_SECONDS, then for Open WebUI's role to accept the login). A replaced instance keeps
# its identifier and so its address; a new identifier is a new script.
DB_INSTANCE_ID='{{DB_INSTANCE_ID}}'
DB_WAIT_SECONDS='{{DB_WAIT_SECONDS}}'
# loadBalanced: the group's launch lifecycle hook. The host stays Pending:Wait (out of the target
# group, its health-check grace period not started) until this script completes the action:
# CONTINUE once Open WebUI answers here, ABANDON if the boot fails. Empty for the single host.
AUTO_SCALING_GROUP='{{AUTO_SCALING_GROUP}}'
LAUNCH_HOOK='{{LAUNCH_HOOK}}'

#@include boot-common.sh

# Completes this host's launch lifecycle action (loadBalanced) with $1, CONTINUE or ABANDON. After
# a reboot none is pending and Auto Scaling refuses: logged, not an error. The instance id is the
# one cloud-init keeps.
complete_launch() {
    [ -z "$LAUNCH_HOOK" ] || aws autoscaling complete-lifecycle-action --region "$AWS_REGION" --auto-scaling-group-name "$AUTO_SCALING_GROUP" \
        --lifecycle-hook-name "$LAUNCH_HOOK" --instance-id "$(cat /var/lib/cloud/data/instance-id)" --lifecycle-action-result "$1" ||
        log "no launch action pending"
}
# A failed boot gives the host up at once (the group launches another), not after the hook's timeout.
trap '[ $? -eq 0 ] || complete_launch ABANDON' EXIT

install_docker
log "secrets at versions $SECRET_VERSIONS"
# Static files are not in user data (EC2's 16 KB): each is a Parameter Store parameter of its own
# (compute/web.ts webBootFiles), one line here: name, the SHA-256 of its value, path, mode. A
# changed file changes its line, so the hosts are rolled (or stopped and started) to fetch it.
# Public certificates are readable by anyone, like the system's own trust store.
log "fetching the boot files pinned by SHA-256"
while read -r -u 3 name sha256 target mode; do
    boot_file "$name" "$sha256" "$target" "$mode"
done 3<<'BOOTFILES'
{{BOOT_FILES}}
BOOTFILES
# First, while the database may still be being created: the image is most of a boot's time.
log "pulling images pinned by digest"
docker pull "$OPEN_WEBUI_IMAGE"

write_private "$CONFIG_DIR/open-webui.env" <<'SETTINGS'
{{OPEN_WEBUI_SETTINGS}}
SETTINGS

if [ "$WEB_TIER" = single ]; then
    write_private "$CONFIG_DIR/Caddyfile" <<'CADDYFILE'
{{CADDYFILE}}
CADDYFILE
fi

# Each secret is read once; each value is assigned on its own line, so a missing field stops the
# script (set -e) instead of leaving an empty setting.
database=$(secret_json "$DB_SECRET_ARN")
web=$(secret_json "$WEB_SECRET_ARN")
gateway_key=$(secret_json "$GATEWAY_KEY_SECRET_ARN")
log "finding database $DB_INSTANCE_ID"
# find_database (boot-common.sh) sets it.
database_host=""
retry "$DB_WAIT_SECONDS" 30 find_database
# The URL from the credentials and the address (user name and password URL-encoded), on stdin.
database_url=$(jq -er --arg h "$database_host" '"postgresql://\(.username|@uri):\(.password|@uri)@\($h):\(.port)/\(.dbname)"' <<<"$database")
webui_secret_key=$(json_field secret_key <<<"$web")
admin_password=$(json_field admin_password <<<"$web")
gateway_api_key=$(json_field api_key <<<"$gateway_key")
{
    printf 'DATABASE_URL=%s\nPGVECTOR_DB_URL=%s\nWEBUI_SECRET_KEY=%s\nWEBUI_ADMIN_PASSWORD=%s\nOPENAI_API_KEY=%s\n' \
        "$database_url" "$database_url" "$webui_secret_key" "$admin_password" "$gateway_api_key"
    # A missing secret or field fails the assignment, which stops the script (set -e, pipefail).
    # shellcheck disable=SC2086 # the triples are words on purpose (ARNs hold no spaces)
    set -- $SECRET_SETTINGS
    while [ $# -gt 0 ]; do
        v=$(json_field "$3" <<<"$(secret_json "$2")")
        printf '%s=%s\n' "$1" "$v"
        shift 3
    done
    if [ -n "$REDIS_SECRET_ARN" ]; then
        # rediss: TLS, the server's certificate checked against the container's system CAs.
        redis_token=$(json_field auth_token <<<"$(secret_json "$REDIS_SECRET_ARN")")
        printf 'REDIS_URL=rediss://:%s@%s/0\nWEBSOCKET_REDIS_URL=rediss://:%s@%s/0\n' \
            "$redis_token" "$REDIS_ENDPOINT" "$redis_token" "$REDIS_ENDPOINT"
    fi
} | write_private "$CONFIG_DIR/open-webui.secrets.env"
unset database web gateway_key database_url webui_secret_key admin_password gateway_api_key redis_token

open_webui_options="--env-file $CONFIG_DIR/open-webui.env --env-file $CONFIG_DIR/open-webui.secrets.env --volume open-webui-data:/app/backend/data --volume $DATABASE_CA_FILE:$DATABASE_CA_FILE:ro"

# The role bootstrap creates Open WebUI's role just after the instance: until then the login fails.
# Checked with the image's own PostgreSQL driver and the service's settings (TLS verified).
log "waiting for the database login"
# shellcheck disable=SC2086
retry "$DB_WAIT_SECONDS" 15 docker run --rm $open_webui_options "$OPEN_WEBUI_IMAGE" python3 -c 'import os,psycopg2;psycopg2.connect(os.environ["DATABASE_URL"])'

if [ "$WEB_TIER" = loadBalanced ]; then
    # Open WebUI migrates its schema when its config module is imported, in every process that has
    # ENABLE_DB_MIGRATIONS, with no lock of its own; hosts that boot together would race. So each
    # host runs the migrations in a one-off container holding a PostgreSQL advisory lock (one at a
    # time; the later ones find nothing to do), and the service starts with migrations off.
    # migrate.py is a boot file (above).
    log "migrating Open WebUI's schema under the advisory lock"
    # No --workdir: migrate.py imports open_webui from the image's WORKDIR (/app/backend, where the
    # image keeps the backend; it sets no PYTHONPATH), as upstream's start.sh does. It exits non-zero
    # when the schema did not reach the migrations' head, which stops this boot (set -e).
    # shellcheck disable=SC2086 # the options are words on purpose
    docker run --rm --name open-webui-migrate $open_webui_options --env ENABLE_DB_MIGRATIONS=true \
        --volume "$CONFIG_DIR/migrate.py:/opt/ai-portal/migrate.py:ro" "$OPEN_WEBUI_IMAGE" python3 /opt/ai-portal/migrate.py
fi

run_container open-webui "Open WebUI (port $OPEN_WEBUI_PORT on $OPEN_WEBUI_PUBLISH)" \
    "$open_webui_options --publish $OPEN_WEBUI_PUBLISH:$OPEN_WEBUI_PORT:$OPEN_WEBUI_PORT" \
    "$OPEN_WEBUI_IMAGE"
# Open WebUI's audit file (in its data volume) to the stack's audit log group, apart from this
# host's application log: the CloudWatch agent, set up by a boot file (templates/audit-shipper.sh).
/usr/local/sbin/ai-portal-audit
if [ -n "$LAUNCH_HOOK" ]; then
    # Ready for the load balancer once Open WebUI answers on this host: only then does the group
    # register it and start its health-check grace period.
    retry 900 5 curl -sfo /dev/null -m 5 "http://127.0.0.1:$OPEN_WEBUI_PORT/health"
    complete_launch CONTINUE
fi
if [ "$WEB_TIER" = single ]; then
    # Before Caddy, which sends each sign-in attempt to it first (compute/settings.ts caddyfile).
    # An unprivileged user of its own; memory is bounded in the script and here.
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

# Every minute: 1 when Open WebUI's /health answers over HTTPS (through Caddy on this host, or
# through the ALB by the portal's public name, as users reach it), else 0.
# The CloudWatch alarm on it also fires when the metric stops arriving (host or reporter down).
write_private "$CONFIG_DIR/health.env" <<HEALTHENV
AWS_REGION=$AWS_REGION
PORTAL_HOST=$PORTAL_HOST
PORTAL_STACK=$PORTAL_STACK
HEALTH_ROUTE=$HEALTH_ROUTE
HEALTH_NAMESPACE=$HEALTH_NAMESPACE
HEALTH_METRIC=$HEALTH_METRIC
HEALTHENV
# The reporter itself, /usr/local/sbin/ai-portal-health, is a boot file (templates/health-report.sh).
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
