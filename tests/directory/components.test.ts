/**
 * The directory tier's components constructed alone under the mocks: the Directory (edition,
 * subnets, protection, the Admin secret) and the BindAccount (its command and its secret).
 */
import * as assert from "assert";
import { Directory, DirectoryArgs } from "../../directory";
import { BindAccount } from "../../directory/bindAccount";
import { directoryDataCommand } from "../../directory/directoryData";
import { ldapHostName, ldapZoneProblems } from "../../directory/ldapName";
import { PortalGroup } from "../../directory/portalGroup";
import { childNames, runComponent } from "../harness/component";
import { named, parseJson } from "../harness/query";

const BASE: DirectoryArgs = {
    namePrefix: "ai-portal-test",
    vpcId: "vpc-1",
    privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    domain: "ad.example.internal",
    shortName: "EXAMPLE",
    edition: "Enterprise",
    protect: true,
};

describe("Directory (component)", () => {
    function directory(args: Partial<DirectoryArgs> = {}) {
        return runComponent((opts) => {
            const d = new Directory("dir", { ...BASE, ...args }, opts);
            return { id: d.directoryId, dns: d.dnsIpAddresses, adminDn: d.names.adminDn };
        });
    }

    it("puts its two domain controllers in the first two private subnets, with the given edition and names", async () => {
        const run = await directory();
        assert.ifError(run.error);
        const ad = named(run, "aws:directoryservice/directory:Directory", "dir-ad").inputs;
        assert.deepStrictEqual(
            [ad.type, ad.edition, ad.name, ad.shortName, ad.enableDirectoryDataAccess],
            ["MicrosoftAD", "Enterprise", "ad.example.internal", "EXAMPLE", true],
        );
        assert.deepStrictEqual(ad.vpcSettings.subnetIds, ["subnet-a", "subnet-b"]);
        assert.strictEqual(
            run.outputs.adminDn,
            "CN=Admin,OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=internal",
        );
        assert.deepStrictEqual(
            run.outputs.dns,
            [...(run.outputs.dns as string[])].sort(),
            "the controllers' addresses, sorted",
        );
    });

    it("protected: Pulumi protect on the directory and a recoverable Admin secret; unprotected: neither", async () => {
        for (const protect of [true, false]) {
            const run = await directory({ protect });
            assert.strictEqual(
                named(run, "aws:directoryservice/directory:Directory", "dir-ad").protect,
                protect,
            );
            assert.strictEqual(
                named(run, "aws:secretsmanager/secret:Secret", "dir-admin-credentials").inputs
                    .recoveryWindowInDays,
                protect ? 30 : 0,
            );
        }
    });

    it("keeps the Admin credentials, sent as a secret, in Secrets Manager", async () => {
        const run = await directory();
        const version = named(
            run,
            "aws:secretsmanager/secretVersion:SecretVersion",
            "dir-admin-credentials",
        );
        assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
        assert.deepStrictEqual(Object.keys(parseJson(version.inputs.secretString)).sort(), [
            "dn",
            "domain",
            "password",
            "shortName",
            "username",
        ]);
        assert.deepStrictEqual(
            named(run, "aws:directoryservice/directory:Directory", "dir-ad").secretInputPaths,
            ["password"],
        );
        assert.deepStrictEqual(childNames(run), [
            "dir",
            "dir-ad",
            "dir-admin-credentials",
            "dir-admin-credentials",
            "dir-admin-password",
        ]);
    });
});

describe("BindAccount (component)", () => {
    it("runs the bind-account script to create, update and delete, the password in its environment as a secret", async () => {
        const run = await runComponent((opts) => {
            const b = new BindAccount(
                "bind",
                {
                    namePrefix: "ai-portal-test",
                    directoryId: "d-1234567890",
                    domain: "ad.example.internal",
                    region: "eu-west-2",
                    protect: false,
                },
                opts,
            );
            return { identity: b.bindIdentity, arn: b.secretArn };
        });
        assert.ifError(run.error);
        const command = named(run, "command:local:Command", "bind-account");
        assert.deepStrictEqual(
            [command.inputs.create, command.inputs.update, command.inputs.delete],
            [
                directoryDataCommand("create-bind-account"),
                directoryDataCommand("create-bind-account"),
                directoryDataCommand("delete-bind-account"),
            ],
        );
        assert.deepStrictEqual(command.inputs.interpreter, ["/bin/bash", "-c"]);
        assert.deepStrictEqual(Object.keys(command.inputs.environment).sort(), [
            "AWS_REGION",
            "BIND_PASSWORD",
            "BIND_USER",
            "DIRECTORY_ID",
        ]);
        assert.deepStrictEqual(command.secretInputPaths, ["environment.BIND_PASSWORD"]);
        assert.strictEqual(run.outputs.identity, "svc-openwebui@ad.example.internal");
        const secret = parseJson(
            named(run, "aws:secretsmanager/secretVersion:SecretVersion", "bind-credentials").inputs
                .secretString,
        );
        assert.deepStrictEqual(
            [secret.username, secret.samAccountName, secret.password],
            [
                "svc-openwebui@ad.example.internal",
                "svc-openwebui",
                command.inputs.environment.BIND_PASSWORD,
            ],
        );
    });
});

describe("PortalGroup (component)", () => {
    const group = (retainOnDelete?: boolean) =>
        runComponent((opts) => {
            const g = new PortalGroup(
                "portal",
                {
                    directoryId: "d-1234567890",
                    name: "AI Portal Users",
                    usersOuDn: "OU=Users,OU=CORP,DC=ad,DC=example,DC=internal",
                    region: "eu-west-2",
                    retainOnDelete,
                },
                opts,
            );
            return { dn: g.groupDn, name: g.groupName };
        });

    it("creates the group through the directory-data script and names the DN the LDAP filter uses", async () => {
        const run = await group();
        assert.ifError(run.error);
        const command = named(run, "command:local:Command", "portal-group");
        assert.deepStrictEqual(
            [command.inputs.create, command.inputs.update, command.inputs.delete],
            [
                directoryDataCommand("create-group"),
                directoryDataCommand("create-group"),
                directoryDataCommand("delete-group"),
            ],
        );
        assert.deepStrictEqual(command.inputs.environment, {
            DIRECTORY_ID: "d-1234567890",
            AWS_REGION: "eu-west-2",
            GROUP_NAME: "AI Portal Users",
            GROUP_DN: "CN=AI Portal Users,OU=Users,OU=CORP,DC=ad,DC=example,DC=internal",
        });
        assert.strictEqual(run.outputs.dn, command.inputs.environment.GROUP_DN);
        assert.strictEqual(command.retainOnDelete, false);
    });

    it("on a protected directory keeps the group, and who is in it, when the resource goes", async () => {
        const run = await group(true);
        assert.strictEqual(
            named(run, "command:local:Command", "portal-group").retainOnDelete,
            true,
        );
    });
});

describe("LDAP name (pure)", () => {
    it("the host name is known from the name prefix alone, in a zone that is not the AD domain", () => {
        assert.strictEqual(ldapHostName("ai-portal-dev"), "ldap.ai-portal-dev.internal");
        assert.deepStrictEqual(ldapZoneProblems("ai-portal-dev", "corp.aiportal.internal"), []);
    });

    it("refuses a directory domain that the zone would shadow, or that would hold the zone", () => {
        for (const domain of [
            "ai-portal-dev.internal",
            "corp.ai-portal-dev.internal",
            "internal",
            "AI-Portal-Dev.Internal",
        ]) {
            assert.deepStrictEqual(ldapZoneProblems("ai-portal-dev", domain), [
                `directoryDomain: "${domain}" overlaps the portal's private zone "ai-portal-dev.internal" (the VPC resolver would answer for the directory's names from the zone); allowed: a domain that is neither "ai-portal-dev.internal" nor inside it nor one of its parents`,
            ]);
        }
        assert.deepStrictEqual(
            ldapZoneProblems("ai-portal-dev", "ai-portal-dev.internal.corp"),
            [],
        );
    });
});
