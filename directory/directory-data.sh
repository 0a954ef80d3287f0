#!/bin/bash
# What the portal keeps in the directory, managed through the Directory Service Data API (AWS CLI
# v2 with `ds-data`) by Pulumi on the deploying machine:
#   create-bind-account   creates the account Open WebUI binds with when it is missing and sets its
#                         password, which also enables it; idempotent (an update runs it again);
#   delete-bind-account   removes it; an account or directory already gone is fine;
#   create-group          creates the portal's group when it is missing and checks that it lives
#                         where the LDAP filter expects it;
#   delete-group          removes it; a group or directory already gone is fine.
# Environment: DIRECTORY_ID, AWS_REGION; BIND_USER and BIND_PASSWORD for the account; GROUP_NAME
# and GROUP_DN for the group. The password never goes on a command line: it is piped to the CLI
# as JSON on standard input.
#
# Directory Service Data is eventually consistent: it is enabled asynchronously (Enabling, then
# Enabled), and a new user or group may not yet be visible on the domain controller that answers
# next. So every call is retried with a bounded backoff, "not found" is told apart from failures,
# and any other error stops the script with the CLI's own message.
set -euo pipefail

readonly ATTEMPTS=8                # per call: about 2 minutes of backoff (2, 4, 8, 16, 30, 30, 30 s)
readonly DATA_ACCESS_CHECKS=40     # Directory Service Data enabling: up to 10 minutes
readonly DATA_ACCESS_INTERVAL=15
readonly NOT_FOUND=3 CONFLICT=4

errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

log() {
    printf '%s: %s\n' "${subject:-directory}" "$*" >&2
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

describe_group() {
    aws_call ds-data describe-group --directory-id "$DIRECTORY_ID" --sam-account-name "$GROUP_NAME" \
        --query DistinguishedName --output text
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

create_bind_account() {
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

# delete_entry user|group NAME: removes the account or group; one already gone, or a directory
# already gone, is fine.
delete_entry() {
    local kind=$1 name=$2 status=0
    wait_for_data_access || status=$?
    if [ "$status" -eq "$NOT_FOUND" ]; then
        log "directory $DIRECTORY_ID is gone; nothing to delete"
        return 0
    fi
    [ "$status" -eq 0 ] || return 1
    aws_call ds-data "delete-$kind" --directory-id "$DIRECTORY_ID" --sam-account-name "$name" >/dev/null || status=$?
    case $status in
        0) log "deleted from $DIRECTORY_ID" ;;
        "$NOT_FOUND") log "not in $DIRECTORY_ID; nothing to delete" ;;
        *) return 1 ;;
    esac
}

# A security group with global scope: it can hold any user of the domain, and nested groups.
create_group() {
    wait_for_data_access
    local status=0 dn
    dn=$(describe_group) || status=$?
    case $status in
        0) log "exists in $DIRECTORY_ID" ;;
        "$NOT_FOUND")
            status=0
            aws_call ds-data create-group --directory-id "$DIRECTORY_ID" --sam-account-name "$GROUP_NAME" \
                --group-type Security --group-scope Global >/dev/null || status=$?
            case $status in
                0) log "created in $DIRECTORY_ID" ;;
                "$CONFLICT") log "already created in $DIRECTORY_ID" ;;
                *) return 1 ;;
            esac
            dn=$(until_visible describe_group)
            ;;
        *) return 1 ;;
    esac
    # Open WebUI's LDAP filter names the group by its DN: a group elsewhere would lock everyone out.
    if [ "$dn" != "$GROUP_DN" ]; then
        log "is at $dn, but the portal's LDAP filter expects $GROUP_DN"
        return 1
    fi
    log "ready at $dn; add members with: aws ds-data add-group-member --directory-id $DIRECTORY_ID --group-name '$GROUP_NAME' --member-name <sAMAccountName>"
}

case ${1:-} in
    create-bind-account) subject="bind account $BIND_USER" create_bind_account ;;
    delete-bind-account) subject="bind account $BIND_USER" delete_entry user "$BIND_USER" ;;
    create-group) subject="group $GROUP_NAME" create_group ;;
    delete-group) subject="group $GROUP_NAME" delete_entry group "$GROUP_NAME" ;;
    *)
        echo "usage: directory-data.sh create-bind-account|delete-bind-account|create-group|delete-group" >&2
        exit 2
        ;;
esac
