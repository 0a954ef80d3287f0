/**
 * A stack with a `schedule` sleeps outside it: EventBridge Scheduler calls the AWS SDK in the
 * stack's time zone to stop and start the database (it wakes first) and the hosts, through a role
 * that may make exactly those calls on exactly those resources. dev sleeps at night and at
 * weekends; prod runs always unless told otherwise.
 */
import * as assert from "assert";
import { DATABASE_LEAD_MINUTES, iamAction, scheduledCalls } from "../../governance/workingHours";
import { parseWorkingHours, WorkingHours } from "../../config/governance";
import { named, ofType, parseJson } from "../harness/query";
import { scheduleGroupArn } from "../../lib/trust";
import { DeclaredResource, ProgramRun, runProgram, runStack } from "../../offline/run";

const T = {
    group: "aws:scheduler/scheduleGroup:ScheduleGroup",
    schedule: "aws:scheduler/schedule:Schedule",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    instance: "aws:ec2/instance:Instance",
    database: "aws:rds/instance:Instance",
    fleet: "aws:autoscaling/group:Group",
};

const ACCOUNT = "123456789012";
const WEEKDAYS = "MON,TUE,WED,THU,FRI";

/** The working-hours schedules and groups (the directory's bind check has a schedule of its own). */
function workingHoursOf(run: ProgramRun, type: string): DeclaredResource[] {
    return ofType(run, type).filter((r) => r.name.startsWith("working-hours"));
}

function schedules(run: ProgramRun): Record<string, DeclaredResource> {
    return Object.fromEntries(workingHoursOf(run, T.schedule).map((s) => [s.inputs.name, s]));
}

/** The SDK action a schedule's universal target calls, e.g. "ec2:startInstances". */
function sdkAction(schedule: DeclaredResource): string {
    const match = /^arn:aws:scheduler:::aws-sdk:([a-z0-9]+:[A-Za-z]+)$/.exec(
        schedule.inputs.target.arn,
    );
    assert.ok(match, `${schedule.name}: a universal target, ${schedule.inputs.target.arn}`);
    return match[1];
}

function role(run: ProgramRun): DeclaredResource {
    return named(run, T.role, "working-hours-role");
}

function statements(run: ProgramRun): { Sid: string; Action: string[]; Resource: string[] }[] {
    const policies = ofType(run, T.rolePolicy).filter((p) => p.inputs.role === role(run).id);
    assert.strictEqual(policies.length, 1, "one policy on the scheduler's role");
    return parseJson(policies[0].inputs.policy).Statement;
}

/** What the policy allows, as "Action Resource" lines. */
function allowed(run: ProgramRun): string[] {
    return statements(run)
        .flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`)))
        .sort();
}

/**
 * What the schedules call, as "Action Resource" lines in IAM's terms: each target's action on the
 * resources its input names (the database by identifier, instances by id, groups by name).
 */
function called(run: ProgramRun): string[] {
    const lines = new Set<string>();
    for (const s of workingHoursOf(run, T.schedule)) {
        const action = iamAction(sdkAction(s));
        const input = JSON.parse(s.inputs.target.input);
        const resources = [
            ...(input.DbInstanceIdentifier
                ? [`arn:aws:rds:eu-west-2:${ACCOUNT}:db:${input.DbInstanceIdentifier}`]
                : []),
            ...(input.InstanceIds ?? []).map(
                (id: string) => `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/${id}`,
            ),
            ...(input.AlarmNames ?? []).map(
                (alarm: string) => `arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:${alarm}`,
            ),
            // A group by its own ARN (its id included), so a new group of that name is not covered.
            ...ofType(run, T.fleet)
                .filter((g) => g.state.name === input.AutoScalingGroupName)
                .map((g) => g.state.arn),
        ];
        assert.ok(resources.length > 0, `${s.name} names what it acts on`);
        for (const r of resources) {
            lines.add(`${action} ${r}`);
        }
    }
    return [...lines].sort();
}

describe("governance: working hours (dev)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("dev");
        assert.ifError(run.error);
    });

    it("stops and starts the database and both hosts on weekdays, in London time, the database 15 minutes early", () => {
        const s = schedules(run);
        const cron = (name: string) => s[name].inputs.scheduleExpression;
        assert.deepStrictEqual(
            Object.keys(s)
                .sort()
                .map((name) => [name, cron(name)]),
            [
                ["silence-alarms", `cron(0 19 ? * ${WEEKDAYS} *)`],
                ["start-database", `cron(45 6 ? * ${WEEKDAYS} *)`],
                ["start-hosts", `cron(0 7 ? * ${WEEKDAYS} *)`],
                ["stop-database", `cron(0 19 ? * ${WEEKDAYS} *)`],
                ["stop-hosts", `cron(0 19 ? * ${WEEKDAYS} *)`],
                // The health alarm acts again 20 minutes after the hosts start.
                ["wake-alarms", `cron(20 7 ? * ${WEEKDAYS} *)`],
            ],
        );
        for (const schedule of Object.values(s)) {
            assert.strictEqual(schedule.inputs.scheduleExpressionTimezone, "Europe/London");
            // At the time said, not somewhere in a window after it.
            assert.deepStrictEqual(schedule.inputs.flexibleTimeWindow, { mode: "OFF" });
            assert.strictEqual(schedule.inputs.groupName, "ai-portal-dev-working-hours");
            assert.strictEqual(schedule.inputs.target.roleArn, role(run).state.arn);
        }
        assert.strictEqual(
            named(run, T.group, "working-hours-group").inputs.name,
            "ai-portal-dev-working-hours",
        );
    });

    it("calls the SDK on the database and the two instances the program declares", () => {
        const s = schedules(run);
        const db = named(run, T.database, "data-postgres").inputs.identifier;
        const instances = [
            named(run, T.instance, "compute-web-instance").id,
            named(run, T.instance, "compute-gateway-instance").id,
        ];
        assert.deepStrictEqual(
            Object.fromEntries(
                Object.entries(s).map(([name, schedule]) => [
                    name,
                    [sdkAction(schedule), JSON.parse(schedule.inputs.target.input)],
                ]),
            ),
            {
                "start-database": ["rds:startDBInstance", { DbInstanceIdentifier: db }],
                "stop-database": ["rds:stopDBInstance", { DbInstanceIdentifier: db }],
                "start-hosts": ["ec2:startInstances", { InstanceIds: instances }],
                "stop-hosts": ["ec2:stopInstances", { InstanceIds: instances }],
                // The portal's health alarm treats silence as failure: quiet while the stack sleeps.
                "silence-alarms": [
                    "cloudwatch:disableAlarmActions",
                    { AlarmNames: ["ai-portal-dev-web-https-health"] },
                ],
                "wake-alarms": [
                    "cloudwatch:enableAlarmActions",
                    { AlarmNames: ["ai-portal-dev-web-https-health"] },
                ],
            },
        );
    });

    it("its role is for EventBridge Scheduler of this account's schedule group only: the group's ARN, as Scheduler presents it", () => {
        // Scheduler's confused-deputy page: aws:SourceArn is the schedule GROUP's ARN; a condition
        // on schedule ARNs (schedule/<group>/*) or a name prefix matches nothing, so no schedule
        // could assume the role (dev would never sleep).
        assert.deepStrictEqual(parseJson(role(run).inputs.assumeRolePolicy).Statement, [
            {
                Effect: "Allow",
                Principal: { Service: "scheduler.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": ACCOUNT },
                    ArnEquals: {
                        "aws:SourceArn": `arn:aws:scheduler:eu-west-2:${ACCOUNT}:schedule-group/ai-portal-dev-working-hours`,
                    },
                },
            },
        ]);
    });

    it("its policy allows exactly the scheduled calls on exactly the resources they name", () => {
        assert.deepStrictEqual(allowed(run), called(run));
        const db = named(run, T.database, "data-postgres").inputs.identifier;
        const web = named(run, T.instance, "compute-web-instance").id;
        assert.deepStrictEqual(
            allowed(run),
            [
                `ec2:StartInstances arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/${web}`,
                `ec2:StartInstances arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/${named(run, T.instance, "compute-gateway-instance").id}`,
                `ec2:StopInstances arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/${web}`,
                `ec2:StopInstances arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/${named(run, T.instance, "compute-gateway-instance").id}`,
                `rds:StartDBInstance arn:aws:rds:eu-west-2:${ACCOUNT}:db:${db}`,
                `rds:StopDBInstance arn:aws:rds:eu-west-2:${ACCOUNT}:db:${db}`,
                `cloudwatch:DisableAlarmActions arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:ai-portal-dev-web-https-health`,
                `cloudwatch:EnableAlarmActions arn:aws:cloudwatch:eu-west-2:${ACCOUNT}:alarm:ai-portal-dev-web-https-health`,
            ].sort(),
        );
        for (const s of statements(run)) {
            assert.strictEqual(s.Action.length, 1);
            assert.ok(!s.Resource.includes("*"));
        }
    });

    it("no schedule fires before its role may act", () => {
        const policy = ofType(run, T.rolePolicy).find((p) => p.inputs.role === role(run).id)!;
        for (const s of workingHoursOf(run, T.schedule)) {
            assert.ok(s.dependencies.includes(policy.urn), s.name);
        }
    });
});

describe("governance: working hours (prod)", () => {
    it("runs always by default: no schedule, group or scheduler role", async () => {
        const run = await runStack("prod");
        assert.ifError(run.error);
        assert.deepStrictEqual(
            run.resources.filter((r) => r.name.startsWith("working-hours")).map((r) => r.name),
            [],
        );
        assert.deepStrictEqual(
            [...workingHoursOf(run, T.schedule), ...workingHoursOf(run, T.group)],
            [],
        );
    });

    it("with a schedule: the Auto Scaling groups go to zero and back to their own sizes, through a role allowed just that", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { schedule: "Mon-Fri 08:00-18:30 Europe/London" },
        });
        assert.ifError(run.error);
        const s = schedules(run);
        const group = (role: string) => named(run, T.fleet, `compute-${role}-group`);
        const db = named(run, T.database, "data-postgres").inputs.identifier;
        const summary = Object.fromEntries(
            Object.entries(s).map(([name, schedule]) => [
                name,
                [
                    schedule.inputs.scheduleExpression,
                    sdkAction(schedule),
                    JSON.parse(schedule.inputs.target.input),
                ],
            ]),
        );
        const wake = (role: string) => ({
            AutoScalingGroupName: group(role).state.name,
            MinSize: group(role).inputs.minSize,
            MaxSize: group(role).inputs.maxSize,
            DesiredCapacity: group(role).inputs.minSize,
        });
        const sleep = (role: string) => ({
            AutoScalingGroupName: group(role).state.name,
            MinSize: 0,
            MaxSize: 0,
            DesiredCapacity: 0,
        });
        const at = (minute: number, hour: number) => `cron(${minute} ${hour} ? * ${WEEKDAYS} *)`;
        assert.deepStrictEqual(summary, {
            "start-database": [at(45, 7), "rds:startDBInstance", { DbInstanceIdentifier: db }],
            "stop-database": [at(30, 18), "rds:stopDBInstance", { DbInstanceIdentifier: db }],
            "wake-web-hosts": [at(0, 8), "autoscaling:updateAutoScalingGroup", wake("web")],
            "sleep-web-hosts": [at(30, 18), "autoscaling:updateAutoScalingGroup", sleep("web")],
            "wake-gateway-hosts": [at(0, 8), "autoscaling:updateAutoScalingGroup", wake("gateway")],
            "sleep-gateway-hosts": [
                at(30, 18),
                "autoscaling:updateAutoScalingGroup",
                sleep("gateway"),
            ],
            "silence-alarms": [
                at(30, 18),
                "cloudwatch:disableAlarmActions",
                { AlarmNames: ["ai-portal-prod-web-https-health"] },
            ],
            "wake-alarms": [
                at(20, 8),
                "cloudwatch:enableAlarmActions",
                { AlarmNames: ["ai-portal-prod-web-https-health"] },
            ],
        });
        assert.ok(wake("web").MinSize >= 2 && wake("web").MaxSize >= wake("web").MinSize);
        assert.deepStrictEqual(allowed(run), called(run));
        assert.ok(
            allowed(run).includes(`autoscaling:UpdateAutoScalingGroup ${group("web").state.arn}`),
        );
        assert.ok(!allowed(run).some((line) => line.startsWith("ec2:")), "no instance of its own");
    });
});

describe("governance: working hours own the Auto Scaling groups' sizes (prod given a schedule)", () => {
    /** The group properties (the provider's names) the schedules set: MinSize -> minSize. */
    function scheduledProperties(run: ProgramRun): string[] {
        const keys = workingHoursOf(run, T.schedule)
            .filter((s) => sdkAction(s) === "autoscaling:updateAutoScalingGroup")
            .flatMap((s) => Object.keys(JSON.parse(s.inputs.target.input)))
            .filter((k) => k !== "AutoScalingGroupName");
        return [...new Set(keys)].map((k) => k[0].toLowerCase() + k.slice(1)).sort();
    }

    it("a night-time up is a no-op: the program ignores every size the schedules set, on both groups", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: { schedule: "Mon-Fri 08:00-18:30 Europe/London" },
        });
        assert.ifError(run.error);
        assert.deepStrictEqual(scheduledProperties(run), ["desiredCapacity", "maxSize", "minSize"]);
        for (const role of ["web", "gateway"]) {
            const group = named(run, T.fleet, `compute-${role}-group`);
            assert.deepStrictEqual(
                [...group.ignoreChanges].sort(),
                scheduledProperties(run),
                `compute-${role}-group`,
            );
        }
    });

    it("a changed webMinHosts/webMaxHosts reaches the wake schedule's input (applied at the next wake), and the group is created at that size", async () => {
        const run = await runProgram({
            stack: "prod",
            overrides: {
                schedule: "Mon-Fri 08:00-18:30 Europe/London",
                webMinHosts: 3,
                webMaxHosts: 5,
            },
        });
        assert.ifError(run.error);
        const wake = schedules(run)["wake-web-hosts"];
        const input = JSON.parse(wake.inputs.target.input);
        assert.deepStrictEqual([input.MinSize, input.MaxSize, input.DesiredCapacity], [3, 5, 3]);
        const group = named(run, T.fleet, "compute-web-group");
        assert.deepStrictEqual([group.inputs.minSize, group.inputs.maxSize], [3, 5]);
    });

    it("without a schedule the program owns the sizes: nothing ignored", async () => {
        const run = await runStack("prod");
        assert.ifError(run.error);
        for (const role of ["web", "gateway"]) {
            assert.deepStrictEqual(named(run, T.fleet, `compute-${role}-group`).ignoreChanges, []);
        }
    });
});

describe("governance: working hours (pure)", () => {
    const hours = (text: string) => parseWorkingHours(text) as WorkingHours;
    const ARGS = { namePrefix: "ai-portal-test", region: "eu-west-2", dbInstanceIdentifier: "db" };

    it("the database wakes DATABASE_LEAD_MINUTES (15) before the hosts, across the hour", () => {
        assert.strictEqual(DATABASE_LEAD_MINUTES, 15);
        const calls = scheduledCalls({
            ...ARGS,
            hours: hours("Sat 09:05-17:00 UTC"),
            instanceIds: ["i-1"],
        });
        assert.deepStrictEqual(
            calls.map((c) => [c.name, c.cron]),
            [
                ["start-database", "cron(50 8 ? * SAT *)"],
                ["stop-database", "cron(0 17 ? * SAT *)"],
                ["start-hosts", "cron(5 9 ? * SAT *)"],
                ["stop-hosts", "cron(0 17 ? * SAT *)"],
            ],
        );
    });

    it("only the database when there are neither instances nor groups", () => {
        assert.deepStrictEqual(
            scheduledCalls({ ...ARGS, hours: hours("Mon-Fri 07:00-19:00 Europe/London") }).map(
                (c) => c.action,
            ),
            ["rds:startDBInstance", "rds:stopDBInstance"],
        );
    });

    it("the IAM action of an SDK action is its capitalised name in the same service", () => {
        assert.deepStrictEqual(
            ["ec2:startInstances", "rds:stopDBInstance", "autoscaling:updateAutoScalingGroup"].map(
                iamAction,
            ),
            ["ec2:StartInstances", "rds:StopDBInstance", "autoscaling:UpdateAutoScalingGroup"],
        );
    });
});

describe("governance: working hours, the trust's source ARN (pure)", () => {
    it("is the schedule group's ARN in the shape Scheduler's confused-deputy page gives", () => {
        assert.strictEqual(
            scheduleGroupArn("aws", "eu-west-2", "123456789012", "ai-portal-dev-working-hours"),
            "arn:aws:scheduler:eu-west-2:123456789012:schedule-group/ai-portal-dev-working-hours",
        );
    });
});
