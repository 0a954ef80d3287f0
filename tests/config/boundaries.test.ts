/**
 * Each rule's edges, value by value: what is accepted exactly at a bound and refused just past it,
 * that a pattern refuses garbage before and after a valid value (its anchors), and the exact
 * reason and allowed text a user reads for each refusal. Found by mutation testing
 * (`npm run test:mutation`): each case is one a changed rule would have let through unnoticed.
 */
import * as assert from "assert";
import { parseConfig } from "../../config";
import { parseCidr } from "../../config/cidr";
import { loadStackConfig, toConfigString } from "../../offline/stackConfig";

function parse(changes: Record<string, unknown>, stack = "dev") {
    const raw = { ...loadStackConfig({ stack }).raw };
    for (const [key, value] of Object.entries(changes)) {
        raw[`ai-portal:${key}`] = toConfigString(value);
    }
    return parseConfig({ stack, raw });
}

function accepted(changes: Record<string, unknown>): void {
    const result = parse(changes);
    assert.ok(
        result.ok,
        `${JSON.stringify(changes)}: ${result.ok ? "" : JSON.stringify(result.problems)}`,
    );
}

/** Exactly one problem: on `key`, with this reason (and this allowed text, when given). */
function refused(
    changes: Record<string, unknown>,
    key: string,
    reason: string,
    allowed?: string,
): void {
    const result = parse(changes);
    assert.ok(!result.ok, `${JSON.stringify(changes)} is refused`);
    assert.deepStrictEqual(
        result.problems.map((p) => [p.key, p.reason]),
        [[`ai-portal:${key}`, reason]],
        JSON.stringify(changes),
    );
    if (allowed !== undefined) {
        assert.strictEqual(result.problems[0].allowed, allowed, JSON.stringify(changes));
    }
}

const H40 = "0123456789abcdef0123456789abcdef01234567";
const INSTANCE_FAMILIES =
    "t3, t3a, m5, m5a, m6i, m6a, m7i, m7a, c5, c6i, c6a, c7i, c7a, r5, r6i, r6a, r7i, r7a";
const INSTANCE_ALLOWED = `an x86_64 EC2 type <family>.<size> of the families ${INSTANCE_FAMILIES}`;
const NOT_A_TYPE = "is not an EC2 instance type of the form <family>.<size>";

describe("config boundaries: compute", () => {
    it("webJwtExpiresIn: 5 minutes and 1 week are accepted, a millisecond outside either is not", () => {
        const allowed =
            'a duration of whole units (ms, s, m, h, d, w) from 5 minutes to 1 week, e.g. "8h" (a working day)';
        for (const ok of ["5m", "300s", "1w", "8h30m", "10h"]) {
            accepted({ webJwtExpiresIn: ok });
        }
        for (const outside of ["299s", "299999ms", "1w1ms", "8d"]) {
            refused(
                { webJwtExpiresIn: outside },
                "webJwtExpiresIn",
                "is outside 5 minutes to 1 week",
                allowed,
            );
        }
        for (const garbage of ["x8h", "8hx", "8", "h", "8h 30m"]) {
            refused(
                { webJwtExpiresIn: garbage },
                "webJwtExpiresIn",
                "is not a duration Open WebUI reads",
                allowed,
            );
        }
    });

    it("sshCidrs and adminCidrs: /8 is the widest block accepted", () => {
        accepted({ sshKeyName: "ops", sshCidrs: ["10.0.0.0/8"] });
        refused(
            { sshKeyName: "ops", sshCidrs: ["10.0.0.0/7"] },
            "sshCidrs[0]",
            "opens SSH to (nearly) the whole internet",
            "a list of IPv4 CIDR blocks no wider than /8, never 0.0.0.0/0",
        );
        accepted({ adminCidrs: ["10.0.0.0/8"] });
        refused(
            { adminCidrs: ["10.0.0.0/7"] },
            "adminCidrs[0]",
            "lets (nearly) the whole internet try the local administrator's password",
            "a list of IPv4 CIDR blocks no wider than /8 the break-glass administrator signs in from, or [] for nowhere",
        );
        refused(
            { allowedCidrs: ["x"] },
            "allowedCidrs[0]",
            "is not an IPv4 CIDR block of the form a.b.c.d/n",
            "a non-empty list of IPv4 CIDR blocks, e.g. your corporate egress ranges or 0.0.0.0/0",
        );
    });

    it("sshKeyName: printable ASCII only, at either end", () => {
        accepted({ sshKeyName: "ops-key 2" });
        for (const bad of ["ké", "ék", "k\n", "x".repeat(256)]) {
            refused(
                { sshKeyName: bad },
                "sshKeyName",
                "is not an EC2 key pair name",
                'an EC2 key pair name, or "" for none (Session Manager)',
            );
        }
    });

    it("AMI ids: ami- and exactly 8 or 17 hex digits, nothing around them", () => {
        accepted({ webHostAmiId: "ami-12345678", gatewayHostAmiId: "ami-0123456789abcdef0" });
        const allowed =
            'an AMI id (ami- and 8 or 17 hex digits), or "" to keep the AMI each host was created with';
        for (const bad of ["xami-12345678", "ami-12345678x", "ami-1", "ami-zzzzzzzz"]) {
            refused({ webHostAmiId: bad }, "webHostAmiId", "is not an AMI id", allowed);
            refused({ gatewayHostAmiId: bad }, "gatewayHostAmiId", "is not an AMI id", allowed);
        }
    });

    it("gatewaySourceCommit: exactly 40 hex digits", () => {
        for (const bad of [`x${H40}`, `${H40}x`]) {
            refused(
                { gatewaySourceCommit: bad },
                "gatewaySourceCommit",
                "is not a 40-character hex commit",
                "a full 40-character lower-case hex commit of aws-samples/bedrock-access-gateway",
            );
        }
    });

    it("domainName: whole DNS names only; one-letter labels are fine", () => {
        accepted({ domainName: "a.example.com" });
        for (const bad of [
            "_portal.example.com",
            "portal.example.com_",
            `${"a.".repeat(126)}com`,
        ]) {
            refused(
                { domainName: bad },
                "domainName",
                "is not a fully qualified DNS name (lower case, two labels or more)",
                'a public DNS name you control, e.g. portal.example.com, or "" for none',
            );
        }
    });

    it("bedrockDefaultModel: a base model id is accepted; anything around an id is not", () => {
        accepted({ bedrockDefaultModel: "anthropic.claude-3-haiku-20240307-v1:0" });
        for (const bad of ["Anthropic.claude-v2", "anthropic.claude-v2/x"]) {
            refused(
                { bedrockDefaultModel: bad },
                "bedrockDefaultModel",
                "is not a Bedrock model or EU/global inference profile id",
                "a Bedrock model id or an eu./global. inference profile id usable from eu-west-2, e.g. eu.anthropic.claude-sonnet-4-20250514-v1:0",
            );
        }
    });

    it("instance types: every supported family, numbered sizes, and exact refusals", () => {
        for (const family of INSTANCE_FAMILIES.split(", ")) {
            accepted({
                gatewayInstanceType: `${family}.large`,
                webInstanceType: `${family}.xlarge`,
            });
        }
        accepted({ gatewayInstanceType: "m5.12xlarge", webInstanceType: "t3.2xlarge" });
        for (const bad of ["t3.xmedium", "t3.largex", "t3", "t3.large.x"]) {
            refused(
                { gatewayInstanceType: bad },
                "gatewayInstanceType",
                NOT_A_TYPE,
                INSTANCE_ALLOWED,
            );
        }
        refused(
            { gatewayInstanceType: "m6gd.large" },
            "gatewayInstanceType",
            "is a Graviton (arm64) type; the hosts run the x86_64 image",
        );
        for (const bad of ["xm6g.large", "m6g1.large"]) {
            refused(
                { gatewayInstanceType: bad },
                "gatewayInstanceType",
                "is not an instance family the portal supports",
            );
        }
        for (const small of ["t3.nano", "t3.micro", "t3.small"]) {
            refused(
                { webInstanceType: small },
                "webInstanceType",
                "is too small for Open WebUI (it needs about 4 GiB of memory)",
                `${INSTANCE_ALLOWED}; medium or larger`,
            );
        }
    });

    it("images: every moving tag is refused", () => {
        for (const tag of ["latest", "main", "master", "dev", "nightly", "edge", "stable"]) {
            refused(
                { openWebUiImage: `ghcr.io/open-webui/open-webui:${tag}` },
                "openWebUiImage",
                `uses the moving tag "${tag}"`,
                "an image reference with a release tag, e.g. ghcr.io/open-webui/open-webui:v0.11.0 (it is pinned to its digest at deploy time)",
            );
        }
    });

    it("numbers and e-mail addresses: the reason and what is allowed", () => {
        refused(
            { hostRootVolumeGb: 19 },
            "hostRootVolumeGb",
            "is outside 20-1024 GiB (the images need room)",
            "20 to 1024 GiB",
        );
        refused(
            { gatewayPort: 1023 },
            "gatewayPort",
            "is not an unprivileged port",
            "a port from 1024 to 65535",
        );
        for (const bad of ["x", "<a@example.com", "a@example.com>", "a@example"]) {
            refused(
                { webAdminEmail: bad },
                "webAdminEmail",
                "is not an e-mail address",
                "an e-mail address, e.g. portal-admin@example.com",
            );
        }
    });
});

describe("config boundaries: CIDR blocks", () => {
    it("accepts a /32 and refuses /33, and refuses anything around a block", () => {
        assert.ok(parseCidr("10.0.0.1/32").ok);
        assert.ok(parseCidr("0.0.0.0/0").ok);
        assert.deepStrictEqual(parseCidr("10.0.0.0/33"), {
            ok: false,
            reason: "has a prefix length over 32",
        });
        for (const bad of ["a10.0.0.0/16", "10.0.0.0/16a", " 10.0.0.0/16", "10.0.0.0/16 "]) {
            assert.deepStrictEqual(
                parseCidr(bad),
                { ok: false, reason: "is not an IPv4 CIDR block of the form a.b.c.d/n" },
                JSON.stringify(bad),
            );
        }
    });
});

describe("config boundaries: database windows and classes", () => {
    const WEEKLY =
        'a weekly UTC window "ddd:hh:mm-ddd:hh:mm" (mon..sun) of at least 30 minutes, e.g. "sun:03:00-sun:04:00"';
    const DAILY = 'a daily UTC window "hh:mm-hh:mm" of at least 30 minutes, e.g. "02:00-02:30"';

    it("dbMaintenanceWindow: every day name, 30 minutes exactly, across Sunday midnight", () => {
        for (const day of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) {
            accepted({ dbMaintenanceWindow: `${day}:03:00-${day}:04:00` });
        }
        accepted({ dbMaintenanceWindow: "thu:03:00-thu:03:30" });
        accepted({ dbMaintenanceWindow: "sun:23:45-mon:00:15" });
        refused(
            { dbMaintenanceWindow: "thu:03:00-thu:03:29" },
            "dbMaintenanceWindow",
            "is shorter than the 30 minutes RDS requires",
            WEEKLY,
        );
        for (const bad of [
            "xyz:03:00-thu:04:00",
            "thu:03:00-xyz:04:00",
            "thu:03:00-thu:24:00",
            "thu:25:00-thu:04:00",
            "xthu:03:00-thu:04:00",
            "thu:03:00-thu:04:00x",
        ]) {
            refused(
                { dbMaintenanceWindow: bad },
                "dbMaintenanceWindow",
                "is not a window of the form ddd:hh:mm-ddd:hh:mm",
                WEEKLY,
            );
        }
    });

    it("dbBackupWindow: 30 minutes exactly, across midnight, and nothing else around it", () => {
        accepted({ dbBackupWindow: "02:00-02:30" });
        accepted({ dbBackupWindow: "23:45-00:15" });
        refused(
            { dbBackupWindow: "02:00-02:29" },
            "dbBackupWindow",
            "is shorter than the 30 minutes RDS requires",
            DAILY,
        );
        for (const bad of ["02:00-02:30-03:00", "x02:00-02:30", "02:00-02:30x", "02:00"]) {
            refused(
                { dbBackupWindow: bad },
                "dbBackupWindow",
                "is not a window of the form hh:mm-hh:mm",
                DAILY,
            );
        }
    });

    it("the weekly window may touch the daily backup window, not share a minute with it", () => {
        accepted({ dbBackupWindow: "02:00-03:00", dbMaintenanceWindow: "mon:03:00-mon:04:00" });
        accepted({ dbBackupWindow: "02:00-03:00", dbMaintenanceWindow: "sun:01:00-sun:02:00" });
        refused(
            { dbBackupWindow: "02:00-03:00", dbMaintenanceWindow: "mon:02:30-mon:03:30" },
            "dbMaintenanceWindow",
            "overlaps the daily backup window 02:00-03:00",
        );
        refused(
            { dbBackupWindow: "23:30-00:30", dbMaintenanceWindow: "mon:00:00-mon:01:00" },
            "dbMaintenanceWindow",
            "overlaps the daily backup window 23:30-00:30",
        );
    });

    it("dbInstanceClass and dbEngineVersion: nothing around a valid value", () => {
        for (const bad of ["xdb.t3.micro", "db.t3.microx"]) {
            refused(
                { dbInstanceClass: bad },
                "dbInstanceClass",
                "is not an RDS instance class",
                "an RDS class db.<family>.<size>, e.g. db.t3.medium or db.m7g.large",
            );
        }
        for (const bad of ["x16.4", "16.x"]) {
            refused(
                { dbEngineVersion: bad },
                "dbEngineVersion",
                "is not a PostgreSQL major version RDS supports",
            );
        }
    });

    it("dbMaxAllocatedStorageGb may equal dbAllocatedStorageGb", () => {
        accepted({ dbAllocatedStorageGb: 20, dbMaxAllocatedStorageGb: 20 });
    });
});

describe("config boundaries: governance", () => {
    const SCHEDULE =
        'days, hours and an IANA time zone, e.g. "Mon-Fri 07:00-19:00 Europe/London", or "" to run always';
    const STACK_ALLOWED =
        "the name of the one stack in this AWS account that owns its account-wide settings (Bedrock invocation logging, cost-allocation tag activation), e.g. prod";

    it("a bad accountSettingsStack is the one problem, however the account-wide settings are set", () => {
        for (const setting of [
            { bedrockInvocationLogging: "metadata" },
            { activateCostAllocationTags: true },
        ]) {
            refused(
                { ...setting, accountSettingsStack: "Bad Name" },
                "accountSettingsStack",
                "is not a stack name",
                STACK_ALLOWED,
            );
        }
        accepted({ bedrockInvocationLogging: "metadata", accountSettingsStack: "dev" });
    });

    it("schedule: day names and ranges, hours and spacing, exactly", () => {
        for (const ok of [
            "mon-fri 07:00-19:00 Europe/London",
            "Mon-Fri  07:00-19:00  Europe/London",
            " Mon-Fri 07:00-19:00 Europe/London ",
            "Mon-Mon 07:00-19:00 Europe/London",
            "Sat 07:00-19:00 Europe/London",
        ]) {
            accepted({ schedule: ok });
        }
        const cases: [string, string][] = [
            [
                "xMon-Fri 07:00-19:00 Europe/London",
                'has days "xMon-Fri" that are not Mon-Sun names',
            ],
            [
                "Mon-Frix 07:00-19:00 Europe/London",
                'has days "Mon-Frix" that are not Mon-Sun names',
            ],
            ["xSat 07:00-19:00 Europe/London", 'has days "xSat" that are not Mon-Sun names'],
            [
                "Fri-Mon 07:00-19:00 Europe/London",
                "has a day range that runs backwards (weeks start on Monday)",
            ],
            [
                "Mon-Fri 07:00-07:00 Europe/London",
                "stops before it starts (overnight windows are not supported)",
            ],
            [
                "Mon-Fri x07:00-19:00 Europe/London",
                'has hours "x07:00-19:00" that are not HH:MM-HH:MM',
            ],
            [
                "Mon-Fri 07:00-19:00x Europe/London",
                'has hours "07:00-19:00x" that are not HH:MM-HH:MM',
            ],
            [
                "Mon-Fri 07:00-2x:00 Europe/London",
                'has hours "07:00-2x:00" that are not HH:MM-HH:MM',
            ],
            ["Mon-Fri 07:00 Europe/London", 'has hours "07:00" that are not HH:MM-HH:MM'],
            [
                "Mon-Fri 07:00-19:00 Nowhere/Land",
                'has "Nowhere/Land", which is not an IANA time zone such as Europe/London',
            ],
        ];
        for (const [value, reason] of cases) {
            refused({ schedule: value }, "schedule", reason, SCHEDULE);
        }
    });

    it("usage and budget numbers: the reason and what is allowed", () => {
        refused(
            { expectedUsers: -1 },
            "expectedUsers",
            "is outside 0-1000000",
            "0 (no usage estimate) to 1000000 people",
        );
        for (const key of ["inputTokensPerUserPerMonth", "outputTokensPerUserPerMonth"]) {
            refused({ [key]: -1 }, key, "is outside 0-1000000000", "0 to 1000000000 tokens");
        }
        refused(
            { monthlyBudgetUsd: -1 },
            "monthlyBudgetUsd",
            "is outside 0-10000000",
            "whole US dollars a month, 0 for no budget",
        );
        refused(
            { budgetActualAlertPercent: 0 },
            "budgetActualAlertPercent",
            "is outside 1-1000",
            "1 to 1000 (% of a budget actually spent)",
        );
    });
});

describe("config boundaries: the administrator's e-mail and the directory's domain", () => {
    const DIRECTORY = {
        directoryDomain: "corp.example.com",
        directoryConfirmedSettings: "Standard corp.example.com CORP",
    };
    const REASON =
        "is in the directory's domain corp.example.com, so a directory user with that user principal name would sign in as the administrator";

    it("refuses the domain itself, in any case, and its subdomains", () => {
        for (const email of [
            "admin@corp.example.com",
            "admin@CORP.example.com",
            "admin@eu.corp.example.com",
        ]) {
            refused({ ...DIRECTORY, webAdminEmail: email }, "webAdminEmail", REASON);
        }
    });

    it("accepts a domain that only ends in the same letters", () => {
        accepted({ ...DIRECTORY, webAdminEmail: "admin@notcorp.example.com" });
    });
});
