#!/bin/bash
# Creates (or re-enables) the directory account Open WebUI binds with, and sets its password.
# Run by Pulumi on the deploying machine (AWS CLI v2 with `ds-data`); idempotent.
# Environment: DIRECTORY_ID, BIND_USER, BIND_PASSWORD, AWS_REGION. The password never goes on a
# command line: it is piped to the CLI as JSON on standard input.
set -euo pipefail

json_string() {
    # Letters, digits and "-_." only (generated and validated), so no escaping is needed.
    printf '"%s"' "$1"
}

if ! aws ds-data describe-user --directory-id "$DIRECTORY_ID" --sam-account-name "$BIND_USER" >/dev/null 2>&1; then
    aws ds-data create-user \
        --directory-id "$DIRECTORY_ID" \
        --sam-account-name "$BIND_USER" \
        --given-name "AI Portal" \
        --surname "LDAP bind" >/dev/null
fi

# Setting the password also enables the account.
printf '{"DirectoryId":%s,"UserName":%s,"NewPassword":%s}' \
    "$(json_string "$DIRECTORY_ID")" "$(json_string "$BIND_USER")" "$(json_string "$BIND_PASSWORD")" |
    aws ds reset-user-password --cli-input-json file:///dev/stdin >/dev/null

echo "bind account ${BIND_USER} ready in ${DIRECTORY_ID}"
