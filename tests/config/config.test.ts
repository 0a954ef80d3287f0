/**
 * The config module on its own: raw values in, typed config or every problem out. No Pulumi runtime.
 */
import * as assert from "assert";
import * as fs from "fs";
import {
    CLOUDWATCH_RETENTION_DAYS,
    CONFIG_KEYS,
    ConfigProblem,
    describeProblems,
    parseConfig,
    PortalConfig,
    SPECS,
} from "../../config";
import { editDistance, nearestKey } from "../../config/reader";
import {
    loadStackConfig,
    PROJECT_DIR,
    readProjectFile,
    toConfigString,
} from "../../offline/stackConfig";

/** The committed dev stack's raw config with some keys changed (un-namespaced keys are ai-portal:). */
function rawWith(changes: Record<string, unknown>, stack = "dev"): Record<string, string> {
    const raw = { ...loadStackConfig({ stack }).raw };
    for (const [key, value] of Object.entries(changes)) {
        const qualified = key.includes(":") ? key : `ai-portal:${key}`;
        if (value === undefined) {
            delete raw[qualified];
        } else {
            raw[qualified] = toConfigString(value);
        }
    }
    return raw;
}

function problemsFor(changes: Record<string, unknown>, stack = "dev"): readonly ConfigProblem[] {
    const result = parseConfig({ stack, raw: rawWith(changes, stack) });
    assert.ok(!result.ok, `expected ${JSON.stringify(changes)} to be rejected`);
    return result.problems;
}

function configFor(changes: Record<string, unknown>, stack = "dev"): PortalConfig {
    const result = parseConfig({ stack, raw: rawWith(changes, stack) });
    assert.ok(result.ok, result.ok ? "" : describeProblems(stack, result.problems));
    return result.config;
}

/** Exactly one problem, on `key`, whose text matches `pattern`. */
function assertOneProblem(
    changes: Record<string, unknown>,
    key: string,
    pattern: RegExp,
): ConfigProblem {
    const problems = problemsFor(changes);
    assert.deepStrictEqual(
        problems.map((p) => p.key),
        [key],
        `problems: ${problems.map((p) => `${p.key}: ${p.reason}`).join("; ")}`,
    );
    assert.match(`${problems[0].reason}. Allowed: ${problems[0].allowed}`, pattern);
    return problems[0];
}

describe("config: the committed stacks", () => {
    it("dev parses to a single NAT gateway and 30-day flow logs", () => {
        const config = configFor({});
        assert.deepStrictEqual(config.network, {
            vpcCidr: "10.0.0.0/16",
            publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24"],
            privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24"],
            natGateways: "single",
            flowLogRetentionDays: 30,
        });
        assert.deepStrictEqual(config.tags, {
            Project: "ai-portal",
            Stack: "dev",
            ManagedBy: "pulumi",
        });
        assert.strictEqual(config.region, "eu-west-2");
    });

    it("prod parses to one NAT gateway per AZ and 365-day flow logs", () => {
        const config = configFor({}, "prod");
        assert.strictEqual(config.network.natGateways, "onePerAz");
        assert.strictEqual(config.network.flowLogRetentionDays, 365);
        assert.strictEqual(config.tags.Stack, "prod");
    });

    it("returns a deeply frozen object", () => {
        const config = configFor({});
        assert.ok(
            Object.isFrozen(config) &&
                Object.isFrozen(config.network) &&
                Object.isFrozen(config.network.publicSubnetCidrs),
        );
        assert.throws(
            () => (config.network.publicSubnetCidrs as string[]).push("10.0.2.0/24"),
            TypeError,
        );
    });
});

describe("config: Pulumi.yaml declares exactly the keys the program reads", () => {
    const project = readProjectFile();

    it("same key names", () => {
        assert.deepStrictEqual(
            Object.keys(project.declarations).sort(),
            Object.keys(CONFIG_KEYS).sort(),
        );
    });

    it("same types, and every key has a description", () => {
        for (const [key, decl] of Object.entries(project.declarations)) {
            assert.strictEqual(decl.type, CONFIG_KEYS[key], `type of ${key}`);
            assert.ok(decl.description && decl.description.length > 10, `description of ${key}`);
        }
    });

    it("same defaults as the specs declare, and each default passes its own rules", () => {
        for (const spec of Object.values(SPECS)) {
            for (const [key, reader] of Object.entries(spec)) {
                assert.deepStrictEqual(
                    project.declarations[key].default,
                    reader.default,
                    `default of ${key}`,
                );
                if (reader.default !== undefined) {
                    const parsed = reader.parse(toConfigString(reader.default));
                    assert.ok(
                        parsed.ok,
                        `${key}'s default ${JSON.stringify(reader.default)} is refused by its own reader`,
                    );
                }
            }
        }
    });

    it("keys without a default are exactly the ones every stack must state", () => {
        const required = Object.entries(project.declarations)
            .filter(([, decl]) => decl.default === undefined)
            .map(([key]) => key);
        assert.deepStrictEqual(required, ["allowedCidrs"]);
    });

    it("the declared defaults plus the required keys form a valid (production-grade) config", () => {
        const raw = loadStackConfig({
            stack: "prod",
            stackConfig: {
                "ai-portal:allowedCidrs": ["10.0.0.0/8"],
                // What a production stack must state beyond the defaults.
                "ai-portal:domainName": "portal.example.com",
                "ai-portal:openWebUiImage": `ghcr.io/open-webui/open-webui:v0.11.0@sha256:${"1".repeat(64)}`,
                "ai-portal:caddyImage": `docker.io/library/caddy:2.10-alpine@sha256:${"2".repeat(64)}`,
            },
        }).raw;
        const result = parseConfig({ stack: "prod", raw });
        assert.ok(result.ok, result.ok ? "" : describeProblems("prod", result.problems));
        assert.strictEqual(result.config.network.natGateways, "onePerAz");
    });
});

/**
 * Every single-key rule, once: the change to the committed dev stack, the key its one problem
 * names, and what the message says (reason and allowed, as printed). Multi-key behaviour (every
 * problem at once, cross-tier reporting, production protection) has its own tests below.
 */
const REJECTED: readonly (readonly [string, Record<string, unknown>, string, RegExp])[] = [
    // network
    [
        "a VPC CIDR that is not a CIDR",
        { vpcCidr: "10.0.0.0" },
        "ai-portal:vpcCidr",
        /not an IPv4 CIDR block.*Allowed: an IPv4 CIDR block from \/16 to \/28/,
    ],
    [
        "a VPC larger than /16",
        { vpcCidr: "10.0.0.0/8" },
        "ai-portal:vpcCidr",
        /prefix \/8, outside what a VPC accepts/,
    ],
    [
        "a VPC CIDR with host bits set, naming the network address",
        { vpcCidr: "10.0.0.1/16" },
        "ai-portal:vpcCidr",
        /host bits set; the network address is 10\.0\.0\.0\/16/,
    ],
    [
        "a subnet that is not a CIDR, naming its position",
        { publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0"] },
        "ai-portal:publicSubnetCidrs[1]",
        /not an IPv4 CIDR/,
    ],
    [
        "a subnet outside the VPC",
        { privateSubnetCidrs: ["10.0.10.0/24", "10.1.11.0/24"] },
        "ai-portal:privateSubnetCidrs[1]",
        /lies outside the VPC 10\.0\.0\.0\/16.*Allowed: a block inside vpcCidr 10\.0\.0\.0\/16/,
    ],
    [
        "overlapping subnets, naming both",
        { privateSubnetCidrs: ["10.0.10.0/24", "10.0.0.128/25"] },
        "ai-portal:privateSubnetCidrs[1]",
        /overlaps ai-portal:publicSubnetCidrs\[0\] \(10\.0\.0\.0\/24\)/,
    ],
    [
        "subnet lists of different lengths",
        { privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"] },
        "ai-portal:privateSubnetCidrs",
        /has 3 subnet\(s\) but publicSubnetCidrs has 2/,
    ],
    [
        "a subnet list given as a plain string",
        { publicSubnetCidrs: "10.0.0.0/24" },
        "ai-portal:publicSubnetCidrs",
        /not a list of strings.*--path 'publicSubnetCidrs\[0\]'/,
    ],
    [
        "an unknown natGateways value, listing the allowed ones",
        { natGateways: "two" },
        "ai-portal:natGateways",
        /not a recognised value.*Allowed: "single" or "onePerAz"/,
    ],
    [
        "a retention CloudWatch does not accept",
        { flowLogRetentionDays: 31 },
        "ai-portal:flowLogRetentionDays",
        /not a retention period CloudWatch Logs accepts.*1, 3, 5, 7, 14, 30/,
    ],
    [
        "a retention that is not a number",
        { flowLogRetentionDays: "thirty" },
        "ai-portal:flowLogRetentionDays",
        /not a whole number/,
    ],
    [
        "a retention of 0 (never expire)",
        { flowLogRetentionDays: 0 },
        "ai-portal:flowLogRetentionDays",
        /not a retention period/,
    ],
    [
        "a region other than eu-west-2",
        { "aws:region": "us-east-1" },
        "aws:region",
        /built, priced and tested for eu-west-2/,
    ],
    ["a missing key", { natGateways: undefined }, "ai-portal:natGateways", /is required/],
    // unknown keys
    [
        "a typo, suggesting the nearest known key",
        { natGateway: "single" },
        "ai-portal:natGateway",
        /not a known key; did you mean ai-portal:natGateways\?/,
    ],
    [
        "an unrelated key without a misleading suggestion",
        { colour: "blue" },
        "ai-portal:colour",
        /^is not a known key\. Allowed/,
    ],
    // database
    ...["t3.medium", "db.t3", "db.q9.medium", "db.t3.huge", "DB.T3.MEDIUM"].map(
        (value) =>
            [
                `the class ${value}`,
                { dbInstanceClass: value },
                "ai-portal:dbInstanceClass",
                /not an RDS instance class.*db\.<family>\.<size>/,
            ] as const,
    ),
    [
        "storage below the gp3 minimum",
        { dbAllocatedStorageGb: 10 },
        "ai-portal:dbAllocatedStorageGb",
        /outside what gp3.*from 20 \(the gp3 minimum\)/,
    ],
    [
        "storage above the gp3 maximum",
        { dbMaxAllocatedStorageGb: 70000 },
        "ai-portal:dbMaxAllocatedStorageGb",
        /outside what gp3/,
    ],
    [
        "a storage ceiling below the allocated storage",
        { dbAllocatedStorageGb: 100, dbMaxAllocatedStorageGb: 50 },
        "ai-portal:dbMaxAllocatedStorageGb",
        /below dbAllocatedStorageGb \(100\).*at least 100/,
    ],
    [
        "a pinned minor version, saying why",
        { dbEngineVersion: "15.4" },
        "ai-portal:dbEngineVersion",
        /pins a minor version; RDS retires minors.*Give the major only \(e\.g\. "15"\)/,
    ],
    [
        "a major RDS does not support, listing the ones it does",
        { dbEngineVersion: "9" },
        "ai-portal:dbEngineVersion",
        /not a PostgreSQL major version RDS supports.*14, 15, 16, 17/,
    ],
    [
        "backup retention of 0",
        { dbBackupRetentionDays: 0 },
        "ai-portal:dbBackupRetentionDays",
        /7 to 35 days/,
    ],
    [
        "backup retention of 36",
        { dbBackupRetentionDays: 36 },
        "ai-portal:dbBackupRetentionDays",
        /7 to 35 days/,
    ],
    [
        "backup retention under a week",
        { dbBackupRetentionDays: 3 },
        "ai-portal:dbBackupRetentionDays",
        /the portal: at least 7/,
    ],
    [
        "a non-boolean for a boolean key",
        { dbMultiAz: "yes" },
        "ai-portal:dbMultiAz",
        /not a boolean.*true or false/,
    ],
    [
        "a malformed backup window",
        { dbBackupWindow: "2am" },
        "ai-portal:dbBackupWindow",
        /form hh:mm-hh:mm/,
    ],
    [
        "a backup window under 30 minutes",
        { dbBackupWindow: "02:00-02:10" },
        "ai-portal:dbBackupWindow",
        /shorter than the 30 minutes/,
    ],
    [
        "a malformed maintenance window",
        { dbMaintenanceWindow: "sunday 03:00" },
        "ai-portal:dbMaintenanceWindow",
        /form ddd:hh:mm-ddd:hh:mm/,
    ],
    [
        "a maintenance window under 30 minutes",
        { dbMaintenanceWindow: "sun:03:00-sun:03:15" },
        "ai-portal:dbMaintenanceWindow",
        /shorter than the 30 minutes/,
    ],
    [
        "a maintenance window overlapping the backup window",
        { dbMaintenanceWindow: "wed:02:15-wed:03:00" },
        "ai-portal:dbMaintenanceWindow",
        /overlaps the daily backup window 02:00-02:30/,
    ],
    [
        "an overlap across midnight",
        { dbBackupWindow: "23:45-00:15", dbMaintenanceWindow: "sun:23:50-mon:00:30" },
        "ai-portal:dbMaintenanceWindow",
        /overlaps the daily backup window 23:45-00:15/,
    ],
    [
        "an overlap across the week's end",
        { dbBackupWindow: "00:00-00:30", dbMaintenanceWindow: "sun:23:30-mon:00:10" },
        "ai-portal:dbMaintenanceWindow",
        /overlaps/,
    ],
    // directory
    [
        "a one-label domain",
        { directoryDomain: "corp" },
        "ai-portal:directoryDomain",
        /single label.*at least two labels/,
    ],
    [
        "a domain with an empty label",
        { directoryDomain: "corp..internal" },
        "ai-portal:directoryDomain",
        /not a valid DNS name/,
    ],
    [
        "a domain label starting with a hyphen",
        { directoryDomain: "corp.-bad.internal" },
        "ai-portal:directoryDomain",
        /not a valid DNS name/,
    ],
    [
        "a numeric top label",
        { directoryDomain: "corp.10" },
        "ai-portal:directoryDomain",
        /numeric label/,
    ],
    [
        "a NetBIOS name that is too long",
        { directoryShortName: "AIPORTALCORPORATE" },
        "ai-portal:directoryShortName",
        /has 17 characters.*1-15/,
    ],
    [
        "a NetBIOS name with a dot",
        { directoryShortName: "CORP.X" },
        "ai-portal:directoryShortName",
        /contains a dot/,
    ],
    [
        "an empty NetBIOS name",
        { directoryShortName: "" },
        "ai-portal:directoryShortName",
        /not a NetBIOS name/,
    ],
    [
        "an edition in the wrong case",
        { directoryEdition: "standard" },
        "ai-portal:directoryEdition",
        /Allowed: "Standard" or "Enterprise"/,
    ],
    ...[
        { directoryEdition: "Enterprise" },
        { directoryDomain: "ad.example.org" },
        { directoryShortName: "EXAMPLE" },
    ].map(
        (change) =>
            [
                `an unconfirmed ${Object.keys(change)[0]} change (it replaces the directory)`,
                change,
                "ai-portal:directoryConfirmedSettings",
                /REPLACES the directory: every user, group and password in it is lost/,
            ] as const,
    ),
    // compute
    [
        "an empty allowedCidrs",
        { allowedCidrs: [] },
        "ai-portal:allowedCidrs",
        /is empty, so nobody could reach the portal/,
    ],
    [
        "a malformed allowedCidrs entry",
        { allowedCidrs: ["10.0.0.0/8", "office"] },
        "ai-portal:allowedCidrs[1]",
        /not an IPv4 CIDR/,
    ],
    [
        "SSH from the world",
        { sshKeyName: "ops", sshCidrs: ["0.0.0.0/0"] },
        "ai-portal:sshCidrs[0]",
        /opens SSH to \(nearly\) the whole internet.*never 0\.0\.0\.0\/0/,
    ],
    [
        "SSH ranges without a key pair",
        { sshCidrs: ["198.51.100.0/24"] },
        "ai-portal:sshCidrs",
        /set but sshKeyName is not/,
    ],
    [
        "an instance type without a family",
        { webInstanceType: "large" },
        "ai-portal:webInstanceType",
        /not an EC2 instance type of the form <family>\.<size>/,
    ],
    [
        "an unknown instance family",
        { gatewayInstanceType: "t9.large" },
        "ai-portal:gatewayInstanceType",
        /not an instance family the portal supports/,
    ],
    [
        "a Graviton instance type",
        { gatewayInstanceType: "t4g.large" },
        "ai-portal:gatewayInstanceType",
        /Graviton \(arm64\)/,
    ],
    [
        "an unknown instance size",
        { gatewayInstanceType: "t3.huge" },
        "ai-portal:gatewayInstanceType",
        /form <family>\.<size>/,
    ],
    [
        "a web host too small for Open WebUI",
        { webInstanceType: "t3.micro" },
        "ai-portal:webInstanceType",
        /too small for Open WebUI/,
    ],
    [
        "an image tagged latest",
        { openWebUiImage: "ghcr.io/open-webui/open-webui:latest" },
        "ai-portal:openWebUiImage",
        /moving tag "latest"/,
    ],
    [
        "an image tagged main",
        { openWebUiImage: "ghcr.io/open-webui/open-webui:main" },
        "ai-portal:openWebUiImage",
        /moving tag "main"/,
    ],
    [
        "an image without a tag",
        { caddyImage: "caddy" },
        "ai-portal:caddyImage",
        /no tag, which means latest/,
    ],
    [
        "something that is not an image reference",
        { openWebUiImage: "Not An Image" },
        "ai-portal:openWebUiImage",
        /not a container image reference/,
    ],
    [
        "a short gateway commit",
        { gatewaySourceCommit: "95794585" },
        "ai-portal:gatewaySourceCommit",
        /not a 40-character hex commit/,
    ],
    [
        "a branch name as the gateway commit",
        { gatewaySourceCommit: "main" },
        "ai-portal:gatewaySourceCommit",
        /not a 40-character hex commit/,
    ],
    [
        "a gateway image not pinned by digest",
        { gatewayImage: "123456789012.dkr.ecr.eu-west-2.amazonaws.com/gw:1.0" },
        "ai-portal:gatewayImage",
        /not pinned by digest/,
    ],
    ["a malformed AMI id", { webHostAmiId: "ami-xyz" }, "ai-portal:webHostAmiId", /not an AMI id/],
    [
        "a one-label domain name",
        { domainName: "portal" },
        "ai-portal:domainName",
        /not a fully qualified DNS name/,
    ],
    [
        "a privileged gateway port",
        { gatewayPort: 80 },
        "ai-portal:gatewayPort",
        /not an unprivileged port/,
    ],
    [
        "a US inference profile",
        { bedrockDefaultModel: "us.anthropic.claude-3-7-sonnet-20250219-v1:0" },
        "ai-portal:bedrockDefaultModel",
        /another geography \("us\."\)/,
    ],
    [
        "an unknown user role",
        { webDefaultUserRole: "admin" },
        "ai-portal:webDefaultUserRole",
        /Allowed: "user" or "pending"/,
    ],
    [
        "an admin e-mail that is not one",
        { webAdminEmail: "admin" },
        "ai-portal:webAdminEmail",
        /not an e-mail address/,
    ],
    [
        "a root volume too small",
        { hostRootVolumeGb: 8 },
        "ai-portal:hostRootVolumeGb",
        /outside 20-1024 GiB/,
    ],
    // operations and shared keys
    // web tier
    [
        "an unknown web tier",
        { webTier: "cluster" },
        "ai-portal:webTier",
        /Allowed: "single" or "loadBalanced"/,
    ],
    [
        "the load-balanced tier without the domain's Route 53 zone",
        { webTier: "loadBalanced", domainName: "portal.example.com" },
        "ai-portal:hostedZoneId",
        /is not set, but webTier is loadBalanced: the ALB's certificate is validated and its alias record created there/,
    ],
    [
        "the load-balanced tier without a domain",
        { webTier: "loadBalanced", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
        "ai-portal:domainName",
        /is not set, but webTier is loadBalanced.*Allowed: a public DNS name in hostedZoneId's zone/,
    ],
    [
        "SSH ranges in the load-balanced tier, whose hosts have no public address",
        {
            webTier: "loadBalanced",
            domainName: "portal.example.com",
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
            sshKeyName: "ops",
            sshCidrs: ["198.51.100.0/24"],
        },
        "ai-portal:sshCidrs",
        /webTier is loadBalanced: the web hosts are private/,
    ],
    [
        "a hosted zone id that is not one",
        { hostedZoneId: "example.com" },
        "ai-portal:hostedZoneId",
        /not a Route 53 hosted zone id/,
    ],
    [
        "fewer most web hosts than fewest",
        { webMinHosts: 4, webMaxHosts: 3 },
        "ai-portal:webMaxHosts",
        /is below webMinHosts \(4\)/,
    ],
    [
        "one web host in the load-balanced tier (no second AZ)",
        { webMinHosts: 1 },
        "ai-portal:webMinHosts",
        /is outside 2-10.*Allowed: 2 to 10 \(at least one per Availability Zone\)/,
    ],
    [
        "a Redis node type that is not ElastiCache's",
        { redisNodeType: "t4g.small" },
        "ai-portal:redisNodeType",
        /not an ElastiCache node type/,
    ],
    [
        "a Redis auth token version below the first",
        { redisAuthTokenVersion: 0 },
        "ai-portal:redisAuthTokenVersion",
        /outside 1-9999.*raise it by one to rotate/,
    ],
    [
        "DELETE as the Redis auth token strategy (ElastiCache's move to RBAC, which the program does not make)",
        { redisAuthTokenStrategy: "DELETE" },
        "ai-portal:redisAuthTokenStrategy",
        /is not a recognised value.*Allowed: "ROTATE" or "SET"/,
    ],
    [
        "ALB access logs kept forever",
        { albAccessLogsRetentionDays: 0 },
        "ai-portal:albAccessLogsRetentionDays",
        /outside 1-3653 days/,
    ],
    [
        "an alarm e-mail that is not one",
        { alarmEmail: "oncall" },
        "ai-portal:alarmEmail",
        /not an e-mail address/,
    ],
    [
        "an unknown alarm profile",
        { alarmProfile: "loud" },
        "ai-portal:alarmProfile",
        /Allowed: "strict" or "relaxed"/,
    ],
    [
        "a log retention CloudWatch does not accept",
        { logRetentionDays: 2 },
        "ai-portal:logRetentionDays",
        /not a retention period CloudWatch Logs accepts/,
    ],
    // governance
    [
        "a negative budget",
        { monthlyBudgetUsd: -1 },
        "ai-portal:monthlyBudgetUsd",
        /is outside 0-10000000.*Allowed: whole US dollars a month, 0 for no budget/,
    ],
    [
        "a negative Bedrock budget",
        { bedrockMonthlyBudgetUsd: -100 },
        "ai-portal:bedrockMonthlyBudgetUsd",
        /is outside 0-10000000/,
    ],
    [
        "a budget alert at 0% (it would fire on the first cent)",
        { budgetActualAlertPercent: 0 },
        "ai-portal:budgetActualAlertPercent",
        /is outside 1-1000/,
    ],
    [
        "an unknown invocation logging level",
        { bedrockInvocationLogging: "everything" },
        "ai-portal:bedrockInvocationLogging",
        /Allowed: "off" or "metadata" or "full"/,
    ],
    [
        "invocation logging turned on in a stack that does not own the account's settings",
        { bedrockInvocationLogging: "metadata" },
        "ai-portal:bedrockInvocationLogging",
        /whole account and region, and accountSettingsStack says stack "prod" owns it, not "dev".*Allowed: "off" here \(set it on stack prod\)/,
    ],
    [
        "cost-allocation tags activated by a stack that does not own the account's settings",
        { activateCostAllocationTags: true },
        "ai-portal:activateCostAllocationTags",
        /accountSettingsStack says stack "prod" owns that, not "dev".*Allowed: false here/,
    ],
    [
        "an account settings owner that is not a stack name",
        { accountSettingsStack: "prod stack" },
        "ai-portal:accountSettingsStack",
        /is not a stack name/,
    ],
    [
        "a schedule whose day range runs backwards",
        { schedule: "Fri-Mon 07:00-19:00 Europe/London" },
        "ai-portal:schedule",
        /day range that runs backwards \(weeks start on Monday\)/,
    ],
    [
        "a schedule that stops before it starts",
        { schedule: "Mon-Fri 19:00-07:00 Europe/London" },
        "ai-portal:schedule",
        /stops before it starts \(overnight windows are not supported\)/,
    ],
    [
        "a schedule in an unknown time zone",
        { schedule: "Mon-Fri 07:00-19:00 Europe/Londres" },
        "ai-portal:schedule",
        /has "Europe\/Londres", which is not an IANA time zone.*Allowed: days, hours and an IANA time zone/,
    ],
    [
        "a schedule with a time-zone abbreviation rather than a zone",
        { schedule: "Mon-Fri 07:00-19:00 BST" },
        "ai-portal:schedule",
        /not an IANA time zone/,
    ],
    [
        "a schedule shorter than an hour a day",
        { schedule: "Mon-Fri 07:00-07:59 Europe/London" },
        "ai-portal:schedule",
        /runs for less than an hour a day/,
    ],
    [
        "a schedule with a day that is not one",
        { schedule: "Mon,Tue,Thur 07:00-19:00 Europe/London" },
        "ai-portal:schedule",
        /has days "Mon,Tue,Thur" that are not Mon-Sun names/,
    ],
    [
        "a schedule with hours that are not HH:MM",
        { schedule: "Mon-Fri 7:00-19:00 Europe/London" },
        "ai-portal:schedule",
        /has hours "7:00-19:00" that are not HH:MM-HH:MM/,
    ],
    [
        "a schedule without its time zone",
        { schedule: "Mon-Fri 07:00-19:00" },
        "ai-portal:schedule",
        /is not <days> <start>-<stop> <time zone>/,
    ],
];

describe("config: each rule refuses what it must, with one problem naming key, value and what is allowed", () => {
    for (const [what, changes, key, pattern] of REJECTED) {
        it(`rejects ${what}`, () => {
            const problem = assertOneProblem(changes, key, pattern);
            const changed = Object.entries(changes).find(([k]) =>
                key.startsWith(k.includes(":") ? k : `ai-portal:${k}`),
            );
            if (changed && changed[1] !== undefined && typeof changed[1] !== "object") {
                assert.strictEqual(
                    problem.value,
                    String(changed[1]),
                    "the problem quotes the value it got",
                );
            }
        });
    }
});

/** Values near the rules' edges that must be accepted, and what the config then holds. */
const ACCEPTED: readonly (readonly [
    string,
    Record<string, unknown>,
    (c: PortalConfig) => unknown,
    unknown,
])[] = [
    [
        "three AZs when both lists have three subnets",
        {
            publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
            privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"],
        },
        (c) => c.network.privateSubnetCidrs.length,
        3,
    ],
    [
        "a larger RDS class",
        { dbInstanceClass: "db.m7g.2xlarge" },
        (c) => c.database.instanceClass,
        "db.m7g.2xlarge",
    ],
    ["PostgreSQL 17", { dbEngineVersion: "17" }, (c) => c.database.engineMajorVersion, "17"],
    [
        "a maintenance window that ends as the backup window starts",
        { dbBackupWindow: "23:00-23:30", dbMaintenanceWindow: "sun:23:30-mon:00:30" },
        (c) => c.database.maintenanceWindow,
        "sun:23:30-mon:00:30",
    ],
    [
        "the Enterprise edition, confirmed",
        {
            directoryEdition: "Enterprise",
            directoryConfirmedSettings: "Enterprise corp.aiportal.internal CORP",
        },
        (c) => c.directory?.edition,
        "Enterprise",
    ],
    [
        "SSH ranges with a key pair",
        { sshKeyName: "ops", sshCidrs: ["198.51.100.0/24"] },
        (c) => c.compute.sshCidrs,
        ["198.51.100.0/24"],
    ],
    [
        "a large x86 gateway",
        { gatewayInstanceType: "m7i.2xlarge" },
        (c) => c.compute.gatewayInstanceType,
        "m7i.2xlarge",
    ],
    [
        "an image given by digest",
        { openWebUiImage: `ghcr.io/open-webui/open-webui@sha256:${"b".repeat(64)}` },
        (c) => c.compute.openWebUiImage,
        `ghcr.io/open-webui/open-webui@sha256:${"b".repeat(64)}`,
    ],
    [
        "a global inference profile, with global data residency",
        {
            bedrockDefaultModel: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            bedrockDataResidency: "global",
        },
        (c) => c.compute.bedrockDefaultModel,
        "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
    [
        "a pinned AMI",
        { webHostAmiId: "ami-0123456789abcdef0" },
        (c) => c.compute.webHostAmiId,
        "ami-0123456789abcdef0",
    ],
    [
        "a domain name",
        { domainName: "portal.example.com" },
        (c) => c.compute.domainName,
        "portal.example.com",
    ],
    [
        "the load-balanced tier with its domain and zone, sized",
        {
            webTier: "loadBalanced",
            domainName: "portal.example.com",
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
            webMinHosts: 3,
            webMaxHosts: 3,
            wafEnabled: true,
        },
        (c) => [
            c.webTier.mode,
            c.webTier.hostedZoneId,
            c.webTier.webMinHosts,
            c.webTier.webMaxHosts,
            c.webTier.wafEnabled,
        ],
        ["loadBalanced", "Z0123456789ABCDEFGHIJ", 3, 3, true],
    ],
    [
        "the single tier ignoring the load-balanced sizes' defaults",
        {},
        (c) => [c.webTier.mode, c.webTier.hostedZoneId],
        ["single", undefined],
    ],
    [
        "a schedule of listed days, to the minute, in another zone",
        { schedule: "Mon,Wed,Fri 08:30-17:45 Europe/Paris" },
        (c) => c.governance.schedule,
        {
            days: ["MON", "WED", "FRI"],
            start: { hour: 8, minute: 30 },
            stop: { hour: 17, minute: 45 },
            timeZone: "Europe/Paris",
            hoursPerWeek: 27.75,
        },
    ],
    [
        "a schedule of exactly an hour, at weekends, in UTC",
        { schedule: "Sat-Sun 10:00-11:00 UTC" },
        (c) => [c.governance.schedule?.days, c.governance.schedule?.hoursPerWeek],
        [["SAT", "SUN"], 2],
    ],
    [
        'no schedule ("": the stack runs always)',
        { schedule: "" },
        (c) => c.governance.schedule,
        undefined,
    ],
    [
        "budgets of 0 (none declared)",
        { monthlyBudgetUsd: 0, bedrockMonthlyBudgetUsd: 0 },
        (c) => [c.governance.monthlyBudgetUsd, c.governance.bedrockMonthlyBudgetUsd],
        [undefined, undefined],
    ],
    [
        "invocation logging and tag activation on a stack named as the account settings' owner",
        {
            accountSettingsStack: "dev",
            bedrockInvocationLogging: "full",
            activateCostAllocationTags: true,
        },
        (c) => [
            c.governance.ownsAccountSettings,
            c.governance.bedrockInvocationLogging,
            c.governance.activateCostAllocationTags,
        ],
        [true, "full", true],
    ],
    [
        "invocation logging left off on a stack that does not own the account's settings",
        { bedrockInvocationLogging: "off" },
        (c) => [c.governance.ownsAccountSettings, c.governance.bedrockInvocationLogging],
        [false, "off"],
    ],
    [
        "keys of other namespaces",
        { "aws:profile": "portal-admin", "pulumi:template": "x" },
        (c) => c.region,
        "eu-west-2",
    ],
];

describe("config: what each rule lets through", () => {
    for (const [what, changes, read, expected] of ACCEPTED) {
        it(`accepts ${what}`, () => {
            assert.deepStrictEqual(read(configFor(changes)), expected);
        });
    }

    it("accepts every retention value CloudWatch lists", () => {
        for (const days of CLOUDWATCH_RETENTION_DAYS) {
            assert.strictEqual(
                configFor({ flowLogRetentionDays: days }).network.flowLogRetentionDays,
                days,
            );
        }
    });

    it('reads "" as "not set" for the optional keys', () => {
        const compute = configFor({}).compute;
        assert.deepStrictEqual(
            [compute.sshKeyName, compute.domainName, compute.webHostAmiId, compute.gatewayImage],
            [undefined, undefined, undefined, undefined],
        );
    });
});

describe("config: the stacks' settings", () => {
    it("dev and prod read the database settings and host sizes their files set", () => {
        const [dev, prod] = [configFor({}), configFor({}, "prod")];
        assert.deepStrictEqual(
            [
                dev.database.multiAz,
                dev.database.backupRetentionDays,
                dev.database.deletionProtection,
                dev.database.maxAllocatedStorageGb,
            ],
            [false, 7, false, 50],
        );
        assert.deepStrictEqual(
            [
                prod.database.multiAz,
                prod.database.backupRetentionDays,
                prod.database.deletionProtection,
                prod.database.maxAllocatedStorageGb,
            ],
            [true, 30, true, 200],
        );
        assert.deepStrictEqual(
            [dev.compute.webInstanceType, dev.compute.gatewayInstanceType],
            ["t3.medium", "t3.small"],
        );
        assert.deepStrictEqual(
            [prod.compute.webInstanceType, prod.compute.gatewayInstanceType],
            ["t3.large", "t3.large"],
        );
    });
});

describe("config: governance in the committed stacks", () => {
    it("dev sleeps outside weekday working hours in London and has both budgets", () => {
        const gov = configFor({}).governance;
        assert.deepStrictEqual(gov.schedule, {
            days: ["MON", "TUE", "WED", "THU", "FRI"],
            start: { hour: 7, minute: 0 },
            stop: { hour: 19, minute: 0 },
            timeZone: "Europe/London",
            hoursPerWeek: 60,
        });
        assert.deepStrictEqual(
            [gov.monthlyBudgetUsd, gov.bedrockMonthlyBudgetUsd, gov.ownsAccountSettings],
            [450, 100, false],
        );
    });

    it("prod runs always, owns the account's settings (logging off, tags not yet activated) and has both budgets", () => {
        const gov = configFor({}, "prod").governance;
        assert.deepStrictEqual(
            [
                gov.schedule,
                gov.ownsAccountSettings,
                gov.bedrockInvocationLogging,
                gov.activateCostAllocationTags,
                gov.monthlyBudgetUsd,
                gov.bedrockMonthlyBudgetUsd,
                gov.budgetActualAlertPercent,
                gov.budgetForecastAlertPercent,
            ],
            [undefined, true, "off", false, 1500, 1000, 80, 100],
        );
        assert.deepStrictEqual(gov.usage, {
            users: 200,
            inputTokensPerUser: 200000,
            outputTokensPerUser: 50000,
        });
    });

    it("at most one committed stack owns the account-wide settings, and every stack names the same owner", () => {
        const stacks = fs
            .readdirSync(PROJECT_DIR)
            .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter((s): s is string => s !== undefined)
            .sort();
        assert.deepStrictEqual(
            stacks,
            ["dev", "drill", "prod", "prod-oidc"],
            "the committed stacks",
        );
        const governance = stacks.map((stack) => ({ stack, ...configFor({}, stack).governance }));
        const owners = governance.filter((g) => g.ownsAccountSettings).map((g) => g.stack);
        assert.ok(owners.length <= 1, `stacks that own the account settings: ${owners}`);
        assert.deepStrictEqual(
            [...new Set(governance.map((g) => g.accountSettingsStack))],
            [governance[0].accountSettingsStack],
            "every stack names the same owner, so no two of them both think they own it",
        );
        // Account-wide settings on are only where the owner is.
        for (const g of governance) {
            if (g.bedrockInvocationLogging !== "off" || g.activateCostAllocationTags) {
                assert.deepStrictEqual(owners, [g.stack]);
            }
        }
    });
});

describe("config: several problems at once", () => {
    it("fewer than two AZs' worth of subnets names both lists", () => {
        const problems = problemsFor({
            publicSubnetCidrs: ["10.0.0.0/24"],
            privateSubnetCidrs: ["10.0.10.0/24"],
        });
        assert.deepStrictEqual(
            problems.map((p) => p.key),
            ["ai-portal:publicSubnetCidrs", "ai-portal:privateSubnetCidrs"],
        );
        assert.match(
            problems[0].reason,
            /has 1 subnet\(s\); the portal spans at least two Availability Zones/,
        );
    });

    it("more subnets than eu-west-2 has Availability Zones names both lists", () => {
        const problems = problemsFor({
            publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
            privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"],
        });
        assert.deepStrictEqual(
            problems.map((p) => p.key),
            ["ai-portal:publicSubnetCidrs", "ai-portal:privateSubnetCidrs"],
        );
        assert.match(problems[0].reason, /eu-west-2 has 3/);
    });

    it("a /28 VPC: the /24 subnets no longer fit, and the VPC is named first", () => {
        assert.strictEqual(problemsFor({ vpcCidr: "10.0.0.0/29" })[0].key, "ai-portal:vpcCidr");
    });

    const changes = {
        vpcCidr: "10.0.0.0/33",
        publicSubnetCidrs: ["10.0.0.0/24", "10.9.1.0/24"],
        privateSubnetCidrs: ["10.0.10.0/24", "nonsense"],
        natGateways: "three",
        flowLogRetentionDays: 10,
        natGateway: "single",
    };

    it("reports each bad key in one result", () => {
        const keys = problemsFor(changes).map((p) => p.key);
        assert.deepStrictEqual(keys, [
            "ai-portal:natGateway",
            "ai-portal:vpcCidr",
            "ai-portal:privateSubnetCidrs[1]",
            "ai-portal:natGateways",
            "ai-portal:flowLogRetentionDays",
        ]);
    });

    it("formats one message naming every key, value and what is allowed", () => {
        const message = describeProblems("dev", problemsFor(changes));
        assert.match(
            message,
            /^Stack "dev" has an invalid configuration \(5 problems\); nothing was deployed:/,
        );
        assert.match(
            message,
            /- ai-portal:vpcCidr = "10\.0\.0\.0\/33": has a prefix length over 32\. Allowed: an IPv4 CIDR block from \/16 to \/28\./,
        );
        assert.match(
            message,
            /- ai-portal:privateSubnetCidrs\[1\] = "nonsense": is not an IPv4 CIDR block/,
        );
        assert.match(
            message,
            /- ai-portal:natGateways = "three": is not a recognised value\. Allowed: "single" or "onePerAz"\./,
        );
        assert.match(message, /- ai-portal:flowLogRetentionDays = "10": .*Allowed: one of 1, 3, 5/);
        assert.match(
            message,
            /- ai-portal:natGateway = "single": is not a known key; did you mean ai-portal:natGateways\?/,
        );
    });

    it("still checks subnets against each other when the VPC CIDR is bad", () => {
        const keys = problemsFor({
            vpcCidr: "bad",
            privateSubnetCidrs: ["10.0.10.0/24", "10.0.10.0/24"],
        }).map((p) => p.key);
        assert.deepStrictEqual(keys, ["ai-portal:vpcCidr", "ai-portal:privateSubnetCidrs[1]"]);
    });

    it("network, database, directory and shared problems in one result", () => {
        const keys = problemsFor({
            natGateways: "many",
            dbEngineVersion: "15.4",
            dbAllocatedStorageGb: 5,
            directoryShortName: "WAYTOOLONGNETBIOSNAME",
            logRetentionDays: 2,
        }).map((p) => p.key);
        assert.deepStrictEqual(keys, [
            "ai-portal:natGateways",
            "ai-portal:dbAllocatedStorageGb",
            "ai-portal:dbEngineVersion",
            "ai-portal:directoryShortName",
            "ai-portal:logRetentionDays",
        ]);
    });

    it("suggests unknown keys by edit distance, case-insensitively", () => {
        assert.strictEqual(editDistance("vpccidr", "vpcCidr"), 0);
        assert.strictEqual(
            nearestKey("flowLogRetentionDay", Object.keys(CONFIG_KEYS)),
            "flowLogRetentionDays",
        );
        assert.strictEqual(nearestKey("zzz", Object.keys(CONFIG_KEYS)), undefined);
    });
});

describe("config: production stacks keep their data protected", () => {
    for (const key of ["dbDeletionProtection", "dbMultiAz", "directoryProtect"]) {
        it(`rejects ${key}=false on prod`, () => {
            const problems = problemsFor({ [key]: false }, "prod");
            assert.deepStrictEqual(
                problems.map((p) => p.key),
                [`ai-portal:${key}`],
            );
            assert.match(
                `${problems[0].reason}. Allowed: ${problems[0].allowed}`,
                /is off, but stack "prod" is a production stack.*Allowed: true/,
            );
        });
    }

    it("treats prod-* stacks as production and leaves other stacks free", () => {
        assert.ok(
            !parseConfig({
                stack: "prod-eu",
                raw: rawWith({ dbDeletionProtection: false }, "prod"),
            }).ok,
        );
        assert.ok(parseConfig({ stack: "production-test", raw: rawWith({}, "dev") }).ok);
        assert.ok(parseConfig({ stack: "staging", raw: rawWith({}, "dev") }).ok);
    });

    it("reports all three at once", () => {
        const problems = problemsFor(
            { dbDeletionProtection: false, dbMultiAz: false, directoryProtect: false },
            "prod",
        );
        assert.deepStrictEqual(
            problems.map((p) => p.key),
            ["ai-portal:dbDeletionProtection", "ai-portal:dbMultiAz", "ai-portal:directoryProtect"],
        );
    });
});
