/**
 * The working-hours schedules against EventBridge Scheduler and IAM as moto implements their APIs:
 * the role, its trust and policy, the schedule group and every schedule are created exactly as
 * the program declares them, read back, and each schedule's call (its universal target's action
 * and the resources its input names) is compared with what the role's policy allows. The role
 * must allow exactly the calls the schedules make: every call allowed, nothing more.
 */
import * as assert from "assert";
import { named, ofType } from "../harness/query";
import { ProgramRun, runProgram, runStack } from "../../offline/run";
import { moto } from "./support/components";
import { python } from "./support/fixtures";

const UNIVERSAL_TARGET = /^arn:aws:scheduler:::aws-sdk:([a-z0-9]+):([A-Za-z]+)$/;
const REGION = "eu-west-2";

/** The IAM action and the resources one scheduled call touches, from its target and input. */
function callOf(run: ProgramRun, target: { Arn: string; Input: string }): string[] {
    const [, service, sdkAction] = UNIVERSAL_TARGET.exec(target.Arn)!;
    const action = `${service}:${sdkAction[0].toUpperCase()}${sdkAction.slice(1)}`;
    const input = JSON.parse(target.Input);
    const account = String(run.outputs.dbSecretArn).split(":")[4];
    const resources: string[] =
        service === "cloudwatch"
            ? (input.AlarmNames as string[]).map(
                  (alarm) => `arn:aws:cloudwatch:${REGION}:${account}:alarm:${alarm}`,
              )
            : service === "rds"
              ? [`arn:aws:rds:${REGION}:${account}:db:${input.DbInstanceIdentifier}`]
              : service === "ec2"
                ? (input.InstanceIds as string[]).map(
                      (id) => `arn:aws:ec2:${REGION}:${account}:instance/${id}`,
                  )
                : [
                      ofType(run, "aws:autoscaling/group:Group").find(
                          (g) => g.state.name === input.AutoScalingGroupName,
                      )!.state.arn,
                  ];
    return resources.map((resource) => `${action} ${resource}`);
}

/** What a policy allows, as "Action Resource" pairs (every statement names both explicitly). */
function allowed(policy: string): string[] {
    return (
        JSON.parse(policy).Statement as { Effect: string; Action: string[]; Resource: string[] }[]
    ).flatMap((s) => {
        assert.strictEqual(s.Effect, "Allow");
        return s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`));
    });
}

let created = 0;

interface Deployed {
    readonly targets: { Arn: string; Input: string; RoleArn: string }[];
    readonly policy: string;
    /** The role's trust policy as IAM stored it, and the group's ARN as Scheduler reports it. */
    readonly trust: string;
    readonly groupArn: string;
}

/** Creates the stack's scheduler role and schedules in moto, as declared; returns what it read back. */
async function deploy(run: ProgramRun): Promise<Deployed> {
    created += 1;
    const role = named(run, "aws:iam/role:Role", "working-hours-role");
    const policy = named(run, "aws:iam/rolePolicy:RolePolicy", "working-hours-policy");
    const group = named(run, "aws:scheduler/scheduleGroup:ScheduleGroup", "working-hours-group");
    // The working-hours schedules, children of their component; others (the directory's bind
    // check) live in groups of their own.
    const schedules = ofType(run, "aws:scheduler/schedule:Schedule")
        .filter((schedule) => schedule.name.startsWith("working-hours-"))
        .map((schedule) => {
            const i = schedule.inputs;
            assert.strictEqual(
                i.groupName,
                group.inputs.name,
                `${schedule.name} is in the stack's group`,
            );
            return {
                name: i.name,
                expression: i.scheduleExpression,
                timeZone: i.scheduleExpressionTimezone,
                flexibleTimeWindowMode: i.flexibleTimeWindow.mode,
                targetArn: i.target.arn,
                input: i.target.input,
            };
        });
    const aws = await moto();
    const groupName = `${group.inputs.name}-${created}`;
    const stored = await python(
        "scheduler_deploy.py",
        {
            roleName: `${role.name}-${created}`,
            // The trust names the stack's group; here the group has a per-run name.
            assumeRolePolicy: String(role.inputs.assumeRolePolicy).replaceAll(
                `schedule-group/${group.inputs.name}"`,
                `schedule-group/${groupName}"`,
            ),
            policyName: "working-hours",
            policy: policy.inputs.policy,
            groupName,
            schedules,
        },
        { python: "image", env: { ...aws.env, AWS_DEFAULT_REGION: REGION } },
    );
    assert.deepStrictEqual(
        stored.schedules.map((s: { name: string; timeZone: string }) => [s.name, s.timeZone]),
        schedules.map((s) => [s.name, s.timeZone]),
        "every schedule stored, in the stack's time zone",
    );
    return {
        targets: stored.schedules.map((s: { target: Deployed["targets"][number] }) => s.target),
        policy: stored.policy,
        trust: stored.trust,
        groupArn: stored.groupArn,
    };
}

/** dev's schedules and role as moto stored them, created once for the checks that read them. */
let devDeployment: Promise<{ run: ProgramRun; deployed: Deployed }> | undefined;
function deployDev() {
    devDeployment ??= runStack("dev").then(async (run) => ({ run, deployed: await deploy(run) }));
    return devDeployment;
}

describe("working hours (dev, single): the schedules and their role in EventBridge Scheduler and IAM", () => {
    it("every scheduled call is allowed by the role, and the role allows nothing else", async () => {
        const {
            run,
            deployed: { targets, policy },
        } = await deployDev();
        assert.strictEqual(
            targets.length,
            6,
            "start and stop for the database and the hosts; the health alarm silenced and woken",
        );
        const calls = [...new Set(targets.flatMap((t) => callOf(run, t)))].sort();
        assert.deepStrictEqual(allowed(policy).sort(), calls);
        assert.deepStrictEqual(calls.map((c) => c.split(" ")[0]).sort(), [
            "cloudwatch:DisableAlarmActions",
            "cloudwatch:EnableAlarmActions",
            "ec2:StartInstances",
            "ec2:StartInstances",
            "ec2:StopInstances",
            "ec2:StopInstances",
            "rds:StartDBInstance",
            "rds:StopDBInstance",
        ]);
        for (const target of targets) {
            assert.match(target.RoleArn, /:role\/working-hours-role-/);
        }
    });

    it("the role trusts Scheduler as the group whose ARN Scheduler reports, and this account (the condition's shape only)", async () => {
        // moto stores trust conditions but does not evaluate them when Scheduler would assume the
        // role, so this cannot show that AWS lets the schedules in: it checks the condition names
        // exactly the schedule GROUP's ARN, as Scheduler's confused-deputy page requires (a
        // schedule ARN or a name prefix there would match nothing, and dev would never sleep).
        const {
            run,
            deployed: { trust, groupArn },
        } = await deployDev();
        const account = String(run.outputs.dbSecretArn).split(":")[4];
        assert.match(groupArn, /^arn:aws:scheduler:eu-west-2:\d{12}:schedule-group\/[^/*]+$/);
        assert.deepStrictEqual(JSON.parse(trust).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "scheduler.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": account },
                    ArnEquals: { "aws:SourceArn": groupArn },
                },
            },
        ]);
    });
});

describe("working hours (prod given a schedule, loadBalanced): Auto Scaling groups instead of instances", () => {
    it("scales exactly the two groups and the database, and the role allows exactly that", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { schedule: "Mon-Fri 06:00-20:00 Europe/London" },
        });
        assert.ifError(run.error);
        const { targets, policy } = await deploy(run);
        const calls = [...new Set(targets.flatMap((t) => callOf(run, t)))].sort();
        assert.deepStrictEqual(allowed(policy).sort(), calls);
        assert.deepStrictEqual([...new Set(calls.map((c) => c.split(" ")[0]))].sort(), [
            "autoscaling:UpdateAutoScalingGroup",
            "cloudwatch:DisableAlarmActions",
            "cloudwatch:EnableAlarmActions",
            "rds:StartDBInstance",
            "rds:StopDBInstance",
        ]);
        const sleeps = targets
            .map((t) => JSON.parse(t.Input))
            .filter((input) => input.MinSize === 0);
        assert.deepStrictEqual(
            sleeps.map((s) => [s.MinSize, s.MaxSize, s.DesiredCapacity]),
            [
                [0, 0, 0],
                [0, 0, 0],
            ],
        );
    });

    it("and the check can fail: a role missing one call, or allowing one more, does not match", async () => {
        const {
            run,
            deployed: { targets, policy },
        } = await deployDev();
        const calls = [...new Set(targets.flatMap((t) => callOf(run, t)))].sort();
        const pairs = allowed(policy).sort();
        assert.notDeepStrictEqual(pairs.slice(1), calls);
        assert.notDeepStrictEqual([...pairs, "ec2:TerminateInstances *"].sort(), calls);
    });
});
