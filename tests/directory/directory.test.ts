/**
 * The directory tier each committed stack declares.
 */
import * as assert from "assert";
import { ADMIN_PASSWORD_SPECIALS, directoryNames } from "../../directory";
import { directoryDataCommand } from "../../directory/directoryData";
import { byId, named, ofType, parseJson, transitiveDependencies } from "../harness/query";
import { forEachStack } from "../harness/stacks";

const T = {
    directory: "aws:directoryservice/directory:Directory",
    subnet: "aws:ec2/subnet:Subnet",
    password: "random:index/randomPassword:RandomPassword",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    command: "command:local:Command",
};

forEachStack("directory tier", (ctx) => {
    const { stack } = ctx;
    const protect = stack === "prod";

    it("declares exactly one Managed Microsoft AD, Standard edition, with the configured names", () => {
        const directories = ofType(ctx.run, T.directory);
        assert.strictEqual(directories.length, 1);
        const d = directories[0].inputs;
        assert.deepStrictEqual(
            { type: d.type, edition: d.edition, name: d.name, shortName: d.shortName },
            {
                type: "MicrosoftAD",
                edition: "Standard",
                name: "corp.aiportal.internal",
                shortName: "CORP",
            },
        );
    });

    it("puts its two domain controllers in the two private subnets, one per AZ", () => {
        const d = ofType(ctx.run, T.directory)[0].inputs;
        assert.strictEqual(d.vpcSettings.vpcId, ctx.run.outputs.vpcId);
        const subnets = d.vpcSettings.subnetIds.map(
            (id: string) => byId(ctx.run, T.subnet, id).inputs,
        );
        assert.deepStrictEqual(
            subnets.map((s: any) => [s.cidrBlock, s.availabilityZone]),
            [
                ["10.0.10.0/24", "eu-west-2a"],
                ["10.0.11.0/24", "eu-west-2b"],
            ],
        );
    });

    it(
        protect
            ? "is protected against deletion and replacement"
            : "is not protected, so dev destroys cleanly",
        () => {
            assert.strictEqual(ofType(ctx.run, T.directory)[0].protect, protect);
            const secret = named(ctx.run, T.secret, "directory-admin-credentials");
            assert.strictEqual(secret.inputs.recoveryWindowInDays, protect ? 30 : 0);
        },
    );

    it("takes a generated Admin password, sent as a secret, that meets AD's rules without '!'", () => {
        const directory = ofType(ctx.run, T.directory)[0];
        assert.deepStrictEqual(directory.secretInputPaths, ["password"]);
        const generator = named(ctx.run, T.password, "directory-admin-password").inputs;
        assert.ok(generator.length >= 8 && generator.length <= 64);
        assert.strictEqual(generator.special, true);
        assert.ok(
            generator.minUpper >= 1 && generator.minLower >= 1 && generator.minNumeric >= 1,
            "three character classes or more",
        );
        assert.strictEqual(generator.overrideSpecial, ADMIN_PASSWORD_SPECIALS);
        assert.doesNotMatch(
            generator.overrideSpecial,
            /[!$`"'\\&;|<>(){}[\]*?#%@:/+=\s]/,
            "nothing a shell, a URL or an LDAP bind would trip on",
        );
        assert.strictEqual(
            directory.inputs.password,
            named(ctx.run, T.password, "directory-admin-password").state.result,
        );
    });

    it("stores the Admin credentials in a Secrets Manager secret and exports only its ARN", () => {
        const secret = named(ctx.run, T.secret, "directory-admin-credentials");
        assert.strictEqual(secret.inputs.name, `ai-portal-${stack}/directory/admin`);
        const version = ofType(ctx.run, T.secretVersion).find(
            (v) => v.inputs.secretId === secret.id,
        )!;
        assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
        const value = parseJson(version.inputs.secretString);
        assert.strictEqual(value.username, "Admin");
        assert.strictEqual(value.password, ofType(ctx.run, T.directory)[0].inputs.password);
        assert.strictEqual(ctx.run.outputs.directoryAdminSecretArn, secret.id);
    });

    it("exports id, names, DNS addresses, security group and the LDAP DNs", () => {
        const directory = ofType(ctx.run, T.directory)[0];
        assert.strictEqual(ctx.run.outputs.directoryId, directory.id);
        assert.strictEqual(ctx.run.outputs.directoryDomain, "corp.aiportal.internal");
        assert.strictEqual(ctx.run.outputs.directoryShortName, "CORP");
        assert.deepStrictEqual(
            ctx.run.outputs.directoryDnsIps,
            [...directory.state.dnsIpAddresses].sort(),
        );
        assert.strictEqual(
            ctx.run.outputs.directorySecurityGroupId,
            directory.state.securityGroupId,
        );
        assert.strictEqual(
            ctx.run.outputs.directoryAdminDn,
            "CN=Admin,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        );
        assert.strictEqual(
            ctx.run.outputs.directorySearchBase,
            "OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        );
    });

    it("LDAP name: a private zone of the VPC, and an A record of both domain controllers that follows the directory", () => {
        const directory = ofType(ctx.run, T.directory)[0];
        const zone = named(ctx.run, "aws:route53/zone:Zone", "ldap-name-zone");
        assert.strictEqual(zone.inputs.name, `ai-portal-${stack}.internal`);
        assert.deepStrictEqual(zone.inputs.vpcs, [
            { vpcId: ctx.run.outputs.vpcId, vpcRegion: "eu-west-2" },
        ]);
        assert.ok(!transitiveDependencies(ctx.run, zone).has(directory.urn));
        const record = named(ctx.run, "aws:route53/record:Record", "ldap-name-record");
        assert.deepStrictEqual(
            [record.inputs.zoneId, record.inputs.name, record.inputs.type, record.inputs.ttl],
            [zone.state.zoneId, `ldap.ai-portal-${stack}.internal`, "A", 60],
        );
        assert.deepStrictEqual(record.inputs.records, ["10.0.10.42", "10.0.11.187"]);
        assert.deepStrictEqual(record.inputs.records, ctx.run.outputs.directoryDnsIps);
        assert.ok(transitiveDependencies(ctx.run, record).has(directory.urn));
        // A lookup before the record exists is remembered 60 s at most (the SOA's minimum).
        const soa = named(ctx.run, "aws:route53/record:Record", "ldap-name-soa");
        assert.deepStrictEqual(
            [soa.inputs.name, soa.inputs.type, soa.inputs.ttl, soa.inputs.allowOverwrite],
            [`ai-portal-${stack}.internal`, "SOA", 60, true],
        );
        assert.deepStrictEqual(soa.inputs.records, [
            "ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 60",
        ]);
        assert.strictEqual(soa.retainOnDelete, true, "Route 53 deletes the SOA with the zone");
    });

    it("nothing in the network depends on the directory", () => {
        const directory = ofType(ctx.run, T.directory)[0];
        for (const resource of ctx.run.resources.filter((r) =>
            r.urn.includes("aiportal:network:Network"),
        )) {
            assert.ok(!transitiveDependencies(ctx.run, resource).has(directory.urn), resource.name);
        }
    });

    it("LDAP bind account: created at deploy time with its password sent as a secret, never by the web host", () => {
        const command = named(ctx.run, T.command, "ldap-bind-account");
        assert.deepStrictEqual(command.secretInputPaths, ["environment.BIND_PASSWORD"]);
        assert.strictEqual(command.inputs.environment.DIRECTORY_ID, ctx.run.outputs.directoryId);
        assert.strictEqual(command.inputs.environment.BIND_USER, "svc-openwebui");
        assert.strictEqual(command.inputs.create, directoryDataCommand("create-bind-account"));
        assert.strictEqual(command.inputs.update, directoryDataCommand("create-bind-account"));
        assert.strictEqual(command.inputs.delete, directoryDataCommand("delete-bind-account"));
        assert.match(command.inputs.create, /^set -- create-bind-account\n#!\/bin\/bash\n/);
        assert.match(command.inputs.create, /aws_call ds-data create-user/);
        assert.match(
            command.inputs.create,
            /describe-directory-data-access/,
            "it waits for Directory Service Data to be enabled",
        );
        assert.match(
            command.inputs.create,
            /--cli-input-json file:\/\/\/dev\/stdin/,
            "the password goes through stdin, not argv",
        );
        assert.strictEqual(ofType(ctx.run, T.directory)[0].inputs.enableDirectoryDataAccess, true);
    });
});

describe("directory tier: distinguished names", () => {
    it("builds DC components from every label and the Users OU under the NetBIOS OU", () => {
        assert.deepStrictEqual(directoryNames("ad.example.co.uk", "EXAMPLE"), {
            domainDn: "DC=ad,DC=example,DC=co,DC=uk",
            usersOuDn: "OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=co,DC=uk",
            adminDn: "CN=Admin,OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=co,DC=uk",
        });
    });
});
