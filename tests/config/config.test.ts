/**
 * The config module on its own: raw values in, typed config or every problem out. No Pulumi runtime.
 */
import * as assert from "assert";
import { CLOUDWATCH_RETENTION_DAYS, CONFIG_KEYS, ConfigProblem, describeProblems, parseConfig, PortalConfig, SPECS } from "../../config";
import { editDistance, nearestKey } from "../../config/reader";
import { loadStackConfig, readProjectFile, toConfigString } from "../../offline/stackConfig";

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
function assertOneProblem(changes: Record<string, unknown>, key: string, pattern: RegExp): ConfigProblem {
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
        assert.deepStrictEqual(config.tags, { Project: "ai-portal", Stack: "dev", ManagedBy: "pulumi" });
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
        assert.ok(Object.isFrozen(config) && Object.isFrozen(config.network) && Object.isFrozen(config.network.publicSubnetCidrs));
        assert.throws(() => (config.network.publicSubnetCidrs as string[]).push("10.0.2.0/24"), TypeError);
    });
});

describe("config: Pulumi.yaml declares exactly the keys the program reads", () => {
    const project = readProjectFile();

    it("same key names", () => {
        assert.deepStrictEqual(Object.keys(project.declarations).sort(), Object.keys(CONFIG_KEYS).sort());
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
                assert.deepStrictEqual(project.declarations[key].default, reader.default, `default of ${key}`);
                if (reader.default !== undefined) {
                    const parsed = reader.parse(toConfigString(reader.default));
                    assert.ok(parsed.ok, `${key}'s default ${JSON.stringify(reader.default)} is refused by its own reader`);
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
        const raw = loadStackConfig({ stack: "prod", stackConfig: { "ai-portal:allowedCidrs": ["10.0.0.0/8"] } }).raw;
        const result = parseConfig({ stack: "prod", raw });
        assert.ok(result.ok, result.ok ? "" : describeProblems("prod", result.problems));
        assert.strictEqual(result.config.network.natGateways, "onePerAz");
    });
});

describe("config: network rules", () => {
    it("rejects a VPC CIDR that is not a CIDR", () => {
        const p = assertOneProblem({ vpcCidr: "10.0.0.0" }, "ai-portal:vpcCidr", /not an IPv4 CIDR block.*Allowed: an IPv4 CIDR block from \/16 to \/28/);
        assert.strictEqual(p.value, "10.0.0.0");
    });

    it("rejects a VPC larger than /16 or smaller than /28", () => {
        assertOneProblem({ vpcCidr: "10.0.0.0/8" }, "ai-portal:vpcCidr", /prefix \/8, outside what a VPC accepts/);
        // /28 VPC: the /24 subnets no longer fit, so only the VPC and subnets are named.
        const problems = problemsFor({ vpcCidr: "10.0.0.0/29" });
        assert.strictEqual(problems[0].key, "ai-portal:vpcCidr");
    });

    it("rejects a VPC CIDR with host bits set, naming the network address", () => {
        assertOneProblem({ vpcCidr: "10.0.0.1/16" }, "ai-portal:vpcCidr", /host bits set; the network address is 10\.0\.0\.0\/16/);
    });

    it("rejects a subnet that is not a CIDR, naming its position", () => {
        const p = assertOneProblem({ publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0"] }, "ai-portal:publicSubnetCidrs[1]", /not an IPv4 CIDR/);
        assert.strictEqual(p.value, "10.0.1.0");
    });

    it("rejects a subnet outside the VPC", () => {
        assertOneProblem(
            { privateSubnetCidrs: ["10.0.10.0/24", "10.1.11.0/24"] },
            "ai-portal:privateSubnetCidrs[1]",
            /lies outside the VPC 10\.0\.0\.0\/16.*Allowed: a block inside vpcCidr 10\.0\.0\.0\/16/,
        );
    });

    it("rejects overlapping subnets, naming both", () => {
        assertOneProblem(
            { privateSubnetCidrs: ["10.0.10.0/24", "10.0.0.128/25"] },
            "ai-portal:privateSubnetCidrs[1]",
            /overlaps ai-portal:publicSubnetCidrs\[0\] \(10\.0\.0\.0\/24\)/,
        );
    });

    it("rejects fewer than two AZs' worth of subnets", () => {
        const problems = problemsFor({ publicSubnetCidrs: ["10.0.0.0/24"], privateSubnetCidrs: ["10.0.10.0/24"] });
        assert.deepStrictEqual(problems.map((p) => p.key), ["ai-portal:publicSubnetCidrs", "ai-portal:privateSubnetCidrs"]);
        assert.match(problems[0].reason, /has 1 subnet\(s\); the portal spans at least two Availability Zones/);
    });

    it("rejects more subnets than eu-west-2 has Availability Zones", () => {
        const problems = problemsFor({
            publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
            privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"],
        });
        assert.deepStrictEqual(problems.map((p) => p.key), ["ai-portal:publicSubnetCidrs", "ai-portal:privateSubnetCidrs"]);
        assert.match(problems[0].reason, /eu-west-2 has 3/);
    });

    it("accepts three AZs when both lists have three subnets", () => {
        const config = configFor({
            publicSubnetCidrs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
            privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"],
        });
        assert.strictEqual(config.network.privateSubnetCidrs.length, 3);
    });

    it("rejects subnet lists of different lengths", () => {
        assertOneProblem(
            { privateSubnetCidrs: ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"] },
            "ai-portal:privateSubnetCidrs",
            /has 3 subnet\(s\) but publicSubnetCidrs has 2/,
        );
    });

    it("rejects a subnet list given as a plain string", () => {
        assertOneProblem({ publicSubnetCidrs: "10.0.0.0/24" }, "ai-portal:publicSubnetCidrs", /not a list of strings.*--path 'publicSubnetCidrs\[0\]'/);
    });

    it("rejects an unknown natGateways value, listing the allowed ones", () => {
        const p = assertOneProblem({ natGateways: "two" }, "ai-portal:natGateways", /not a recognised value.*Allowed: "single" or "onePerAz"/);
        assert.strictEqual(p.value, "two");
    });

    it("rejects a retention CloudWatch does not accept, and a non-number", () => {
        assertOneProblem({ flowLogRetentionDays: 31 }, "ai-portal:flowLogRetentionDays", /not a retention period CloudWatch Logs accepts.*1, 3, 5, 7, 14, 30/);
        assertOneProblem({ flowLogRetentionDays: "thirty" }, "ai-portal:flowLogRetentionDays", /not a whole number/);
        assertOneProblem({ flowLogRetentionDays: 0 }, "ai-portal:flowLogRetentionDays", /not a retention period/);
    });

    it("accepts every retention value CloudWatch lists", () => {
        for (const days of CLOUDWATCH_RETENTION_DAYS) {
            assert.strictEqual(configFor({ flowLogRetentionDays: days }).network.flowLogRetentionDays, days);
        }
    });

    it("rejects a region other than eu-west-2", () => {
        assertOneProblem({ "aws:region": "us-east-1" }, "aws:region", /built, priced and tested for eu-west-2/);
    });

    it("reports a missing key", () => {
        const p = assertOneProblem({ natGateways: undefined }, "ai-portal:natGateways", /is required/);
        assert.strictEqual(p.value, undefined);
    });
});

describe("config: unknown keys", () => {
    it("rejects a typo, suggesting the nearest known key", () => {
        const p = assertOneProblem({ natGateway: "single" }, "ai-portal:natGateway", /not a known key; did you mean ai-portal:natGateways\?/);
        assert.strictEqual(p.value, "single");
    });

    it("rejects an unrelated key without a misleading suggestion", () => {
        assertOneProblem({ colour: "blue" }, "ai-portal:colour", /^is not a known key\. Allowed/);
    });

    it("leaves other namespaces to their owners", () => {
        configFor({ "aws:profile": "portal-admin", "pulumi:template": "x" });
    });

    it("suggests by edit distance, case-insensitively", () => {
        assert.strictEqual(editDistance("vpccidr", "vpcCidr"), 0);
        assert.strictEqual(nearestKey("flowLogRetentionDay", Object.keys(CONFIG_KEYS)), "flowLogRetentionDays");
        assert.strictEqual(nearestKey("zzz", Object.keys(CONFIG_KEYS)), undefined);
    });
});

describe("config: every problem at once", () => {
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
        assert.match(message, /^Stack "dev" has an invalid configuration \(5 problems\); nothing was deployed:/);
        assert.match(message, /- ai-portal:vpcCidr = "10\.0\.0\.0\/33": has a prefix length over 32\. Allowed: an IPv4 CIDR block from \/16 to \/28\./);
        assert.match(message, /- ai-portal:privateSubnetCidrs\[1\] = "nonsense": is not an IPv4 CIDR block/);
        assert.match(message, /- ai-portal:natGateways = "three": is not a recognised value\. Allowed: "single" or "onePerAz"\./);
        assert.match(message, /- ai-portal:flowLogRetentionDays = "10": .*Allowed: one of 1, 3, 5/);
        assert.match(message, /- ai-portal:natGateway = "single": is not a known key; did you mean ai-portal:natGateways\?/);
    });

    it("still checks subnets against each other when the VPC CIDR is bad", () => {
        const keys = problemsFor({ vpcCidr: "bad", privateSubnetCidrs: ["10.0.10.0/24", "10.0.10.0/24"] }).map((p) => p.key);
        assert.deepStrictEqual(keys, ["ai-portal:vpcCidr", "ai-portal:privateSubnetCidrs[1]"]);
    });
});

describe("config: database rules", () => {
    it("dev and prod read the database settings their files set", () => {
        const dev = configFor({}).database;
        const prod = configFor({}, "prod").database;
        assert.deepStrictEqual(
            [dev.multiAz, dev.backupRetentionDays, dev.deletionProtection, dev.maxAllocatedStorageGb],
            [false, 7, false, 50],
        );
        assert.deepStrictEqual(
            [prod.multiAz, prod.backupRetentionDays, prod.deletionProtection, prod.maxAllocatedStorageGb],
            [true, 30, true, 200],
        );
        assert.strictEqual(dev.engineMajorVersion, "15");
    });

    it("rejects a class that is not db.<family>.<size>", () => {
        for (const value of ["t3.medium", "db.t3", "db.q9.medium", "db.t3.huge", "DB.T3.MEDIUM"]) {
            const p = assertOneProblem({ dbInstanceClass: value }, "ai-portal:dbInstanceClass", /not an RDS instance class.*db\.<family>\.<size>/);
            assert.strictEqual(p.value, value);
        }
        assert.strictEqual(configFor({ dbInstanceClass: "db.m7g.2xlarge" }).database.instanceClass, "db.m7g.2xlarge");
    });

    it("rejects storage below the gp3 minimum and above its maximum", () => {
        assertOneProblem({ dbAllocatedStorageGb: 10 }, "ai-portal:dbAllocatedStorageGb", /outside what gp3.*from 20 \(the gp3 minimum\)/);
        assertOneProblem({ dbMaxAllocatedStorageGb: 70000 }, "ai-portal:dbMaxAllocatedStorageGb", /outside what gp3/);
    });

    it("rejects a storage ceiling below the allocated storage", () => {
        const p = assertOneProblem({ dbAllocatedStorageGb: 100, dbMaxAllocatedStorageGb: 50 }, "ai-portal:dbMaxAllocatedStorageGb", /below dbAllocatedStorageGb \(100\).*at least 100/);
        assert.strictEqual(p.value, "50");
    });

    it("rejects a pinned minor version, saying why", () => {
        const p = assertOneProblem({ dbEngineVersion: "15.4" }, "ai-portal:dbEngineVersion", /pins a minor version; RDS retires minors.*Give the major only \(e\.g\. "15"\)/);
        assert.strictEqual(p.value, "15.4");
    });

    it("rejects a major RDS does not support, listing the ones it does", () => {
        assertOneProblem({ dbEngineVersion: "9" }, "ai-portal:dbEngineVersion", /not a PostgreSQL major version RDS supports.*14, 15, 16, 17/);
        assert.strictEqual(configFor({ dbEngineVersion: "17" }).database.engineMajorVersion, "17");
    });

    it("rejects backup retention outside 7-35 days", () => {
        assertOneProblem({ dbBackupRetentionDays: 0 }, "ai-portal:dbBackupRetentionDays", /7 to 35 days/);
        assertOneProblem({ dbBackupRetentionDays: 36 }, "ai-portal:dbBackupRetentionDays", /7 to 35 days/);
        assertOneProblem({ dbBackupRetentionDays: 3 }, "ai-portal:dbBackupRetentionDays", /the portal: at least 7/);
    });

    it("rejects a non-boolean for the boolean keys", () => {
        assertOneProblem({ dbMultiAz: "yes" }, "ai-portal:dbMultiAz", /not a boolean.*true or false/);
    });

    it("rejects malformed and too-short windows", () => {
        assertOneProblem({ dbBackupWindow: "2am" }, "ai-portal:dbBackupWindow", /form hh:mm-hh:mm/);
        assertOneProblem({ dbBackupWindow: "02:00-02:10" }, "ai-portal:dbBackupWindow", /shorter than the 30 minutes/);
        assertOneProblem({ dbMaintenanceWindow: "sunday 03:00" }, "ai-portal:dbMaintenanceWindow", /form ddd:hh:mm-ddd:hh:mm/);
        assertOneProblem({ dbMaintenanceWindow: "sun:03:00-sun:03:15" }, "ai-portal:dbMaintenanceWindow", /shorter than the 30 minutes/);
    });

    it("rejects a maintenance window that overlaps the backup window, including across midnight", () => {
        assertOneProblem({ dbMaintenanceWindow: "wed:02:15-wed:03:00" }, "ai-portal:dbMaintenanceWindow", /overlaps the daily backup window 02:00-02:30/);
        assertOneProblem(
            { dbBackupWindow: "23:45-00:15", dbMaintenanceWindow: "sun:23:50-mon:00:30" },
            "ai-portal:dbMaintenanceWindow",
            /overlaps the daily backup window 23:45-00:15/,
        );
        assertOneProblem(
            { dbBackupWindow: "00:00-00:30", dbMaintenanceWindow: "sun:23:30-mon:00:10" },
            "ai-portal:dbMaintenanceWindow",
            /overlaps/,
        );
        configFor({ dbBackupWindow: "23:00-23:30", dbMaintenanceWindow: "sun:23:30-mon:00:30" });
    });
});

describe("config: directory rules", () => {
    it("rejects a one-label domain", () => {
        assertOneProblem({ directoryDomain: "corp" }, "ai-portal:directoryDomain", /single label.*at least two labels/);
    });

    it("rejects a malformed domain", () => {
        assertOneProblem({ directoryDomain: "corp..internal" }, "ai-portal:directoryDomain", /not a valid DNS name/);
        assertOneProblem({ directoryDomain: "corp.-bad.internal" }, "ai-portal:directoryDomain", /not a valid DNS name/);
        assertOneProblem({ directoryDomain: "corp.10" }, "ai-portal:directoryDomain", /numeric label/);
    });

    it("rejects a NetBIOS name that is too long or has a dot", () => {
        const p = assertOneProblem({ directoryShortName: "AIPORTALCORPORATE" }, "ai-portal:directoryShortName", /has 17 characters.*1-15/);
        assert.strictEqual(p.value, "AIPORTALCORPORATE");
        assertOneProblem({ directoryShortName: "CORP.X" }, "ai-portal:directoryShortName", /contains a dot/);
        assertOneProblem({ directoryShortName: "" }, "ai-portal:directoryShortName", /not a NetBIOS name/);
    });

    it("accepts Standard and Enterprise and nothing else", () => {
        const enterprise = { directoryEdition: "Enterprise", directoryConfirmedSettings: "Enterprise corp.aiportal.internal CORP" };
        assert.strictEqual(configFor(enterprise).directory.edition, "Enterprise");
        assertOneProblem({ directoryEdition: "standard" }, "ai-portal:directoryEdition", /Allowed: "Standard" or "Enterprise"/);
    });

    it("makes a change that replaces the directory an explicit, confirmed decision", () => {
        for (const change of [{ directoryEdition: "Enterprise" }, { directoryDomain: "ad.example.org" }, { directoryShortName: "EXAMPLE" }]) {
            const p = assertOneProblem(change, "ai-portal:directoryConfirmedSettings", /REPLACES the directory: every user, group and password in it is lost/);
            assert.strictEqual(p.value, "Standard corp.aiportal.internal CORP");
        }
    });
});

describe("config: production stacks keep their data protected", () => {
    for (const key of ["dbDeletionProtection", "dbMultiAz", "directoryProtect"]) {
        it(`rejects ${key}=false on prod`, () => {
            assertOneProblemOn("prod", { [key]: false }, `ai-portal:${key}`, /is off, but stack "prod" is a production stack.*Allowed: true/);
        });
    }

    it("treats prod-* stacks as production and leaves other stacks free", () => {
        assert.ok(!parseConfig({ stack: "prod-eu", raw: rawWith({ dbDeletionProtection: false }, "prod") }).ok);
        assert.ok(parseConfig({ stack: "production-test", raw: rawWith({}, "dev") }).ok);
        assert.ok(parseConfig({ stack: "staging", raw: rawWith({}, "dev") }).ok);
    });

    it("reports all three at once", () => {
        const problems = problemsFor({ dbDeletionProtection: false, dbMultiAz: false, directoryProtect: false }, "prod");
        assert.deepStrictEqual(problems.map((p) => p.key), ["ai-portal:dbDeletionProtection", "ai-portal:dbMultiAz", "ai-portal:directoryProtect"]);
    });
});

describe("config: problems across tiers are reported together", () => {
    it("network, database and directory problems in one result", () => {
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
});

function assertOneProblemOn(stack: string, changes: Record<string, unknown>, key: string, pattern: RegExp): void {
    const problems = problemsFor(changes, stack);
    assert.deepStrictEqual(problems.map((p) => p.key), [key]);
    assert.match(`${problems[0].reason}. Allowed: ${problems[0].allowed}`, pattern);
}

describe("config: compute rules", () => {
    it("dev and prod read the host sizes their files set", () => {
        assert.deepStrictEqual([configFor({}).compute.webInstanceType, configFor({}).compute.gatewayInstanceType], ["t3.medium", "t3.small"]);
        assert.deepStrictEqual([configFor({}, "prod").compute.webInstanceType, configFor({}, "prod").compute.gatewayInstanceType], ["t3.large", "t3.large"]);
        assert.strictEqual(configFor({}).compute.sshKeyName, undefined, '"" means no key pair');
        assert.strictEqual(configFor({}).compute.domainName, undefined);
    });

    it("rejects an empty or malformed allowedCidrs", () => {
        assertOneProblem({ allowedCidrs: [] }, "ai-portal:allowedCidrs", /is empty, so nobody could reach the portal/);
        assertOneProblem({ allowedCidrs: ["10.0.0.0/8", "office"] }, "ai-portal:allowedCidrs[1]", /not an IPv4 CIDR/);
    });

    it("rejects SSH from the world and SSH ranges without a key pair", () => {
        assertOneProblem({ sshKeyName: "ops", sshCidrs: ["0.0.0.0/0"] }, "ai-portal:sshCidrs[0]", /opens SSH to \(nearly\) the whole internet.*never 0\.0\.0\.0\/0/);
        assertOneProblem({ sshCidrs: ["198.51.100.0/24"] }, "ai-portal:sshCidrs", /set but sshKeyName is not/);
        assert.deepStrictEqual(configFor({ sshKeyName: "ops", sshCidrs: ["198.51.100.0/24"] }).compute.sshCidrs, ["198.51.100.0/24"]);
    });

    it("rejects instance types that are not real x86_64 family patterns, and a web host too small", () => {
        assertOneProblem({ webInstanceType: "large" }, "ai-portal:webInstanceType", /not an EC2 instance type of the form <family>\.<size>/);
        assertOneProblem({ gatewayInstanceType: "t9.large" }, "ai-portal:gatewayInstanceType", /not an instance family the portal supports/);
        assertOneProblem({ gatewayInstanceType: "t4g.large" }, "ai-portal:gatewayInstanceType", /Graviton \(arm64\)/);
        assertOneProblem({ gatewayInstanceType: "t3.huge" }, "ai-portal:gatewayInstanceType", /form <family>\.<size>/);
        assertOneProblem({ webInstanceType: "t3.micro" }, "ai-portal:webInstanceType", /too small for Open WebUI/);
        assert.strictEqual(configFor({ gatewayInstanceType: "m7i.2xlarge" }).compute.gatewayInstanceType, "m7i.2xlarge");
    });

    it("rejects images with latest, a moving tag or no tag at all", () => {
        assertOneProblem({ openWebUiImage: "ghcr.io/open-webui/open-webui:latest" }, "ai-portal:openWebUiImage", /moving tag "latest"/);
        assertOneProblem({ openWebUiImage: "ghcr.io/open-webui/open-webui:main" }, "ai-portal:openWebUiImage", /moving tag "main"/);
        assertOneProblem({ caddyImage: "caddy" }, "ai-portal:caddyImage", /no tag, which means latest/);
        assertOneProblem({ openWebUiImage: "Not An Image" }, "ai-portal:openWebUiImage", /not a container image reference/);
        configFor({ openWebUiImage: `ghcr.io/open-webui/open-webui@sha256:${"b".repeat(64)}` });
    });

    it("rejects a gateway commit that is not 40 hex characters", () => {
        assertOneProblem({ gatewaySourceCommit: "95794585" }, "ai-portal:gatewaySourceCommit", /not a 40-character hex commit/);
        assertOneProblem({ gatewaySourceCommit: "main" }, "ai-portal:gatewaySourceCommit", /not a 40-character hex commit/);
    });

    it("rejects a gateway image that is not pinned by digest", () => {
        assertOneProblem({ gatewayImage: "123456789012.dkr.ecr.eu-west-2.amazonaws.com/gw:1.0" }, "ai-portal:gatewayImage", /not pinned by digest/);
    });

    it("rejects AMI ids, domain names, ports, models, roles and e-mails that cannot be right", () => {
        assertOneProblem({ webHostAmiId: "ami-xyz" }, "ai-portal:webHostAmiId", /not an AMI id/);
        assertOneProblem({ domainName: "portal" }, "ai-portal:domainName", /not a fully qualified DNS name/);
        assertOneProblem({ gatewayPort: 80 }, "ai-portal:gatewayPort", /not an unprivileged port/);
        assertOneProblem({ bedrockDefaultModel: "us.anthropic.claude-3-7-sonnet-20250219-v1:0" }, "ai-portal:bedrockDefaultModel", /another geography \("us\."\)/);
        assertOneProblem({ webDefaultUserRole: "admin" }, "ai-portal:webDefaultUserRole", /Allowed: "user" or "pending"/);
        assertOneProblem({ webAdminEmail: "admin" }, "ai-portal:webAdminEmail", /not an e-mail address/);
        assertOneProblem({ hostRootVolumeGb: 8 }, "ai-portal:hostRootVolumeGb", /outside 20-1024 GiB/);
        configFor({ bedrockDefaultModel: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", webHostAmiId: "ami-0123456789abcdef0", domainName: "portal.example.com" });
    });
});
