#!/bin/bash
# Ships Open WebUI's audit file to the stack's audit log group with the CloudWatch agent (a boot
# file, compute/web.ts webBootFiles; these comment lines stay in the repository). The agent keeps
# its read position in its own state, so a restart neither loses nor repeats records, and it
# follows the file when Open WebUI rotates it (AUDIT_LOG_FILE_ROTATION_SIZE, upstream's 10MB; the
# rotated files are zipped beside it and not shipped twice). One stream per host, by instance id.
set -euo pipefail
AUDIT_LOG_GROUP='{{AUDIT_LOG_GROUP}}'
AUDIT_FILE='{{AUDIT_FILE}}'
AGENT=/opt/aws/amazon-cloudwatch-agent
# Amazon Linux 2023 carries the agent in its own repositories.
[ -x "$AGENT/bin/amazon-cloudwatch-agent" ] || dnf install -y amazon-cloudwatch-agent
mkdir -p "$AGENT/etc"
# The agent's own configuration file, which its service translates at every start. It runs as root
# (the file is in Docker's volume directory); retention_in_days -1 leaves the group's retention to
# the program, and the agent creates no group.
cat >"$AGENT/etc/amazon-cloudwatch-agent.json" <<JSON
{"agent":{"run_as_user":"root"},"logs":{"logs_collected":{"files":{"collect_list":[{"file_path":"$AUDIT_FILE","log_group_name":"$AUDIT_LOG_GROUP","log_stream_name":"{instance_id}","retention_in_days":-1}]}}}}
JSON
chmod 600 "$AGENT/etc/amazon-cloudwatch-agent.json"
systemctl enable amazon-cloudwatch-agent
systemctl restart amazon-cloudwatch-agent
