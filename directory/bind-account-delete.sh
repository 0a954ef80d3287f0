#!/bin/bash
# Removes the Open WebUI bind account when Pulumi deletes it; a directory that is already gone is fine.
set -euo pipefail
if aws ds-data describe-user --directory-id "$DIRECTORY_ID" --sam-account-name "$BIND_USER" >/dev/null 2>&1; then
    aws ds-data delete-user --directory-id "$DIRECTORY_ID" --sam-account-name "$BIND_USER" >/dev/null
fi
