/**
 * The directory tier each committed stack declares.
 */
import * as assert from "assert";
import { ADMIN_PASSWORD_SPECIALS, directoryNames } from "../directory";
import { byId, named, ofType, parseJson, transitiveDependencies } from "./harness/query";
import { ProgramRun, runStack } from "../offline/run";

const T = {
    directory: "aws:directoryservice/directory:Directory",
    subnet: "aws:ec2/subnet:Subnet",
    password: "random:index/randomPassword:RandomPassword",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
};

for (const [stack, protect] of [["dev", false], ["prod", true]] as const) {
    describe(`directory tier (${stack})`, () => {
        let run: ProgramRun;
        before(async () => {
            run = await runStack(stack);
            assert.ifError(run.error);
        });

        it("declares exactly one Managed Microsoft AD, Standard edition, with the configured names", () => {
            const directories = ofType(run, T.directory);
            assert.strictEqual(directories.length, 1);
            const d = directories[0].inputs;
            assert.deepStrictEqual(
                { type: d.type, edition: d.edition, name: d.name, shortName: d.shortName },
                { type: "MicrosoftAD", edition: "Standard", name: "corp.aiportal.internal", shortName: "CORP" },
            );
        });

        it("puts its two domain controllers in the two private subnets, one per AZ", () => {
            const d = ofType(run, T.directory)[0].inputs;
            assert.strictEqual(d.vpcSettings.vpcId, run.outputs.vpcId);
            const subnets = d.vpcSettings.subnetIds.map((id: string) => byId(run, T.subnet, id).inputs);
            assert.deepStrictEqual(subnets.map((s: any) => [s.cidrBlock, s.availabilityZone]), [
                ["10.0.10.0/24", "eu-west-2a"],
                ["10.0.11.0/24", "eu-west-2b"],
            ]);
        });

        it(protect ? "is protected against deletion and replacement" : "is not protected, so dev destroys cleanly", () => {
            assert.strictEqual(ofType(run, T.directory)[0].protect, protect);
            const secret = named(run, T.secret, "directory-admin-credentials");
            assert.strictEqual(secret.inputs.recoveryWindowInDays, protect ? 30 : 0);
        });

        it("takes a generated Admin password, sent as a secret, that meets AD's rules without '!'", () => {
            const directory = ofType(run, T.directory)[0];
            assert.deepStrictEqual(directory.secretInputPaths, ["password"]);
            const generator = named(run, T.password, "directory-admin-password").inputs;
            assert.ok(generator.length >= 8 && generator.length <= 64);
            assert.strictEqual(generator.special, true);
            assert.ok(generator.minUpper >= 1 && generator.minLower >= 1 && generator.minNumeric >= 1, "three character classes or more");
            assert.strictEqual(generator.overrideSpecial, ADMIN_PASSWORD_SPECIALS);
            assert.doesNotMatch(generator.overrideSpecial, /[!$`"'\\&;|<>(){}\[\]*?#%@:/+=\s]/, "nothing a shell, a URL or an LDAP bind would trip on");
            assert.strictEqual(directory.inputs.password, named(run, T.password, "directory-admin-password").state.result);
        });

        it("stores the Admin credentials in a Secrets Manager secret and exports only its ARN", () => {
            const secret = named(run, T.secret, "directory-admin-credentials");
            assert.strictEqual(secret.inputs.name, `ai-portal-${stack}/directory/admin`);
            const version = ofType(run, T.secretVersion).find((v) => v.inputs.secretId === secret.id)!;
            assert.deepStrictEqual(version.secretInputPaths, ["secretString"]);
            const value = parseJson(version.inputs.secretString);
            assert.strictEqual(value.username, "Admin");
            assert.strictEqual(value.password, ofType(run, T.directory)[0].inputs.password);
            assert.strictEqual(run.outputs.directoryAdminSecretArn, secret.id);
        });

        it("exports id, names, DNS addresses, security group and the LDAP DNs", () => {
            const directory = ofType(run, T.directory)[0];
            assert.strictEqual(run.outputs.directoryId, directory.id);
            assert.strictEqual(run.outputs.directoryDomain, "corp.aiportal.internal");
            assert.strictEqual(run.outputs.directoryShortName, "CORP");
            assert.deepStrictEqual(run.outputs.directoryDnsIps, [...directory.state.dnsIpAddresses].sort());
            assert.strictEqual(run.outputs.directorySecurityGroupId, directory.state.securityGroupId);
            assert.strictEqual(run.outputs.directoryAdminDn, "CN=Admin,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal");
            assert.strictEqual(run.outputs.directorySearchBase, "OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal");
        });

        it("nothing in the network depends on the directory", () => {
            const directory = ofType(run, T.directory)[0];
            for (const resource of run.resources.filter((r) => r.urn.includes("aiportal:network:Network"))) {
                assert.ok(!transitiveDependencies(run, resource).has(directory.urn), resource.name);
            }
        });
    });
}

describe("directory tier: distinguished names", () => {
    it("builds DC components from every label and the Users OU under the NetBIOS OU", () => {
        assert.deepStrictEqual(directoryNames("ad.example.co.uk", "EXAMPLE"), {
            domainDn: "DC=ad,DC=example,DC=co,DC=uk",
            usersOuDn: "OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=co,DC=uk",
            adminDn: "CN=Admin,OU=Users,OU=EXAMPLE,DC=ad,DC=example,DC=co,DC=uk",
        });
    });
});
