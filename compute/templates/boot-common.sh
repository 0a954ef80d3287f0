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

# Prints a secret's JSON document to stdout; callers assign it, so nothing is echoed or logged.
secret_json() {
    aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$1" \
        --query SecretString --output text
}

# Prints one field of the JSON document on standard input (never an argument: no secret on a
# command line); fails when the field is missing or empty.
json_field() {
    jq -er --arg field "$1" '.[$field] | select(. != "")'
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

# Runs a command until it succeeds: every $2 seconds, for at most $1 seconds.
retry() {
    local end=$((SECONDS + $1)) every=$2
    shift 2
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep "$every"
    done
}

# Writes a boot file: Parameter Store parameter $1, whose value's SHA-256 must be $2, to $3 with
# mode $4. The hash is pinned by this user data, so a value changed outside the program (or one
# that is not the value this script was rendered with) stops the boot here, before anything uses it.
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

# Sets database_host once RDS reports the instance's address (none while it is being created).
find_database() {
    # database_host is read by the scripts that include this file (web.sh, gateway.sh).
    # shellcheck disable=SC2034
    database_host=$(aws rds describe-db-instances --region "$AWS_REGION" --db-instance-identifier "$DB_INSTANCE_ID" |
        jq -er '.DBInstances[0].Endpoint.Address')
}
# ----------------------------------------------------------------------------------------------
