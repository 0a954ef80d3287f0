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
# ----------------------------------------------------------------------------------------------
