#!/bin/bash
# The directory account Open WebUI binds with, managed through the Directory Service Data API
# (AWS CLI v2 with `ds-data`) by Pulumi on the deploying machine:
#   bind-account.sh create   creates the account when it is missing and sets its password, which
#                            also enables it; idempotent (an update runs it again);
#   bind-account.sh delete   removes it; an account or directory already gone is fine.
# Environment: DIRECTORY_ID, BIND_USER, AWS_REGION, and BIND_PASSWORD for create. The password
# never goes on a command line: it is piped to the CLI as JSON on standard input.
#
# Directory Service Data is eventually consistent: it is enabled asynchronously (Enabling, then
# Enabled), and a new user may not yet be visible on the domain controller that answers next. So
# every call is retried with a bounded backoff, "not found" is told apart from failures, and any
# other error stops the script with the CLI's own message.
set -euo pipefail

readonly ATTEMPTS=8                # per call: about 2 minutes of backoff (2, 4, 8, 16, 30, 30, 30 s)
readonly DATA_ACCESS_CHECKS=40     # Directory Service Data enabling: up to 10 minutes
readonly DATA_ACCESS_INTERVAL=15
readonly NOT_FOUND=3 CONFLICT=4

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

log() {
    printf 'bind account %s: %s\n' "$BIND_USER" "$*" >&2
}

backoff() {
    local delay=$((2 ** $1))
    echo $((delay > 30 ? 30 : delay))
}

# aws_call [--stdin TEXT] ARGS...: runs `aws ARGS...` (TEXT on its standard input) and prints its
# output. Returns 0, NOT_FOUND (ResourceNotFoundException, EntityDoesNotExistException) or
# CONFLICT (ConflictException); retries throttling, an unavailable directory and network errors;
# anything else prints the CLI's error and returns 1.
aws_call() {
    local input="" attempt output status
    if [ "$1" = "--stdin" ]; then
        input=$2
        shift 2
    fi
    for ((attempt = 1; ; attempt++)); do
        status=0
        output=$(printf '%s' "$input" | aws "$@" 2>"$errors") || status=$?
        if [ "$status" -eq 0 ]; then
            printf '%s' "$output"
            return 0
        fi
        if grep -qE 'ResourceNotFoundException|EntityDoesNotExistException' "$errors"; then
            return "$NOT_FOUND"
        fi
        if grep -q 'ConflictException' "$errors"; then
            return "$CONFLICT"
        fi
        if ! grep -qE 'ThrottlingException|TooManyRequests|DirectoryUnavailableException|InternalServerException|ServiceException|ServiceUnavailable|RequestTimeout|Could not connect|Connection was closed|Read timeout' "$errors" ||
            [ "$attempt" -ge "$ATTEMPTS" ]; then
            log "aws $1 $2 failed (attempt $attempt of $ATTEMPTS):"
            cat "$errors" >&2
            return 1
        fi
        log "aws $1 $2: transient error, retrying (attempt $attempt of $ATTEMPTS): $(tr '\n' ' ' <"$errors")"
        sleep "$(backoff "$attempt")"
    done
}

# Waits until the directory's Directory Service Data access is Enabled. Returns NOT_FOUND when
# the directory does not exist.
wait_for_data_access() {
    local check state status
    for ((check = 1; ; check++)); do
        status=0
        state=$(aws_call ds describe-directory-data-access --directory-id "$DIRECTORY_ID" --query DataAccessStatus --output text) || status=$?
        [ "$status" -eq 0 ] || return "$status"
        case $state in
            Enabled) return 0 ;;
            # Disabled: the directory enables it right after creation, which may not have begun.
            Enabling | Disabled) ;;
            *)
                log "Directory Service Data access of $DIRECTORY_ID is $state; it must be Enabled"
                return 1
                ;;
        esac
        if [ "$check" -ge "$DATA_ACCESS_CHECKS" ]; then
            log "Directory Service Data access of $DIRECTORY_ID is still $state after $check checks"
            return 1
        fi
        log "Directory Service Data access of $DIRECTORY_ID is $state; waiting"
        sleep "$DATA_ACCESS_INTERVAL"
    done
}

describe_user() {
    aws_call ds-data describe-user --directory-id "$DIRECTORY_ID" --sam-account-name "$BIND_USER" >/dev/null
}

# Retries a command while it answers NOT_FOUND: a user just created may not have reached the
# domain controller that answers.
until_visible() {
    local attempt status
    for ((attempt = 1; ; attempt++)); do
        status=0
        "$@" || status=$?
        if [ "$status" -ne "$NOT_FOUND" ]; then
            return "$status"
        fi
        if [ "$attempt" -ge "$ATTEMPTS" ]; then
            log "not visible in $DIRECTORY_ID after $attempt attempts"
            return 1
        fi
        log "not visible yet (replication); retrying"
        sleep "$(backoff "$attempt")"
    done
}

reset_password() {
    # Letters, digits and "-_." only (generated and validated), so no JSON escaping is needed.
    aws_call --stdin "$(printf '{"DirectoryId":"%s","UserName":"%s","NewPassword":"%s"}' "$DIRECTORY_ID" "$BIND_USER" "$BIND_PASSWORD")" \
        ds reset-user-password --cli-input-json file:///dev/stdin >/dev/null
}

create() {
    wait_for_data_access
    local status=0
    describe_user || status=$?
    case $status in
        0) log "exists in $DIRECTORY_ID" ;;
        "$NOT_FOUND")
            status=0
            aws_call ds-data create-user --directory-id "$DIRECTORY_ID" --sam-account-name "$BIND_USER" \
                --given-name "AI Portal" --surname "LDAP bind" >/dev/null || status=$?
            case $status in
                0) log "created in $DIRECTORY_ID" ;;
                # Another domain controller already had it: a retried or concurrent create.
                "$CONFLICT") log "already created in $DIRECTORY_ID" ;;
                *) return 1 ;;
            esac
            until_visible describe_user
            ;;
        *) return 1 ;;
    esac
    # Setting the password also enables the account (ds-data creates users disabled).
    until_visible reset_password
    log "password set; ready in $DIRECTORY_ID"
}

delete() {
    local status=0
    wait_for_data_access || status=$?
    if [ "$status" -eq "$NOT_FOUND" ]; then
        log "directory $DIRECTORY_ID is gone; nothing to delete"
        return 0
    fi
    [ "$status" -eq 0 ] || return 1
    aws_call ds-data delete-user --directory-id "$DIRECTORY_ID" --sam-account-name "$BIND_USER" >/dev/null || status=$?
    case $status in
        0) log "deleted from $DIRECTORY_ID" ;;
        "$NOT_FOUND") log "not in $DIRECTORY_ID; nothing to delete" ;;
        *) return 1 ;;
    esac
}

case ${1:-} in
    create) create ;;
    delete) delete ;;
    *)
        echo "usage: bind-account.sh create|delete" >&2
        exit 2
        ;;
esac
