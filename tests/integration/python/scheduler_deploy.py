"""Creates a stack's working-hours role, its policy, its schedule group and its schedules in the
emulated IAM and EventBridge Scheduler, as the program declares them, and reads them back: what
AWS stored, not what was sent. One process for every call (the AWS CLI would start one per call).

Runs with the machine image's Python (boto3), pointed at the emulator by its environment.
Input (JSON in $AI_PORTAL_INPUT):
  {"roleName", "assumeRolePolicy", "policyName", "policy", "groupName",
   "schedules": [{"name", "expression", "timeZone", "flexibleTimeWindowMode", "targetArn", "input"}]}
Output (JSON): {"roleArn", "policy": <the stored policy document, as JSON text>,
  "trust": <the role's stored trust policy, as JSON text>, "groupArn": <the group's ARN as
  Scheduler reports it>, "schedules": [{"name", "timeZone", "target": {"Arn", "RoleArn", "Input"}}]}
"""
import json
import os
from urllib.parse import unquote

import boto3


def main():
    spec = json.loads(os.environ["AI_PORTAL_INPUT"])
    iam = boto3.client("iam")
    scheduler = boto3.client("scheduler")

    role_arn = iam.create_role(
        RoleName=spec["roleName"], AssumeRolePolicyDocument=spec["assumeRolePolicy"]
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=spec["roleName"], PolicyName=spec["policyName"], PolicyDocument=spec["policy"]
    )
    group_arn = scheduler.create_schedule_group(Name=spec["groupName"])["ScheduleGroupArn"]
    stored = []
    for schedule in spec["schedules"]:
        scheduler.create_schedule(
            Name=schedule["name"],
            GroupName=spec["groupName"],
            ScheduleExpression=schedule["expression"],
            ScheduleExpressionTimezone=schedule["timeZone"],
            FlexibleTimeWindow={"Mode": schedule["flexibleTimeWindowMode"]},
            Target={"Arn": schedule["targetArn"], "RoleArn": role_arn, "Input": schedule["input"]},
        )
        read = scheduler.get_schedule(Name=schedule["name"], GroupName=spec["groupName"])
        target = read["Target"]
        stored.append(
            {
                "name": read["Name"],
                "timeZone": read["ScheduleExpressionTimezone"],
                "target": {k: target[k] for k in ("Arn", "RoleArn", "Input")},
            }
        )
    document = iam.get_role_policy(RoleName=spec["roleName"], PolicyName=spec["policyName"])[
        "PolicyDocument"
    ]
    # boto3 hands back the stored document decoded (a dict); some versions leave it URL-encoded.
    policy = json.dumps(document) if isinstance(document, dict) else unquote(document)
    trust = iam.get_role(RoleName=spec["roleName"])["Role"]["AssumeRolePolicyDocument"]
    trust = json.dumps(trust) if isinstance(trust, dict) else unquote(trust)
    print(
        json.dumps(
            {
                "roleArn": role_arn,
                "policy": policy,
                "trust": trust,
                "groupArn": group_arn,
                "schedules": stored,
            }
        )
    )


if __name__ == "__main__":
    main()
