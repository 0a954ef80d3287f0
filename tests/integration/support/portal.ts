/**
 * The program's real artefacts for one stack, wired to the suite's emulated AWS:
 *
 * 1. the program runs under the mocks with the committed stack file;
 * 2. every secret it declares goes into moto's Secrets Manager under the program's own name,
 *    holding exactly the JSON the program sends (plus the RDS-managed master secret, which RDS
 *    would create);
 * 3. every Parameter Store parameter it declares (the web hosts' boot files) goes into moto's SSM
 *    under the program's name, holding exactly the value the program sends, except the RDS CA,
 *    which holds the suite's CA (it signed the test database's certificate; fixtures.ts pins
 *    its hash in the boot script in place of the RDS CA's);
 * 4. the program runs again, told the ARNs moto assigned, so the boot scripts, the bootstrap's
 *    input and the IAM policies name secrets that really exist.
 *
 * The database endpoint and the directory domain the program renders are mapped to 127.0.0.1 in
 * the suite's private /etc/hosts, where PostgreSQL and Samba listen.
 */
import * as assert from "assert";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { APP_USERNAME, DATABASE_NAME, MASTER_USERNAME } from "../../../data";
import { rdsMasterSecretName } from "../../../offline/mocks";
import { named, ofType } from "../../harness/query";
import { ProgramRun, runProgram } from "../../../offline/run";
import * as fs from "fs";
import { AwsEmulator, moto, trustedCa } from "./components";
import { run } from "./process";

/** Stands in for the password RDS generates for the master user (RDS-managed secret). */
export const MASTER_PASSWORD = "Rds-Managed-Master-7x";

export interface StackArtefacts {
    readonly stack: string;
    /** The program's run with moto's secret ARNs. */
    readonly run: ProgramRun;
    /** Every secret the stack reads, by secret name: its ARN in moto and the JSON the program stored. */
    readonly secrets: Readonly<Record<string, { readonly arn: string; readonly json: any }>>;
    readonly dbAddress: string;
    /** The address RDS (moto) reports for the stack's instance identifier: what a booting web host finds. */
    readonly bootDbAddress: string;
    readonly directoryDomain: string;
}

function secretsManager(aws: AwsEmulator): SecretsManagerClient {
    return new SecretsManagerClient({
        region: "eu-west-2",
        endpoint: aws.endpoint,
        credentials: {
            accessKeyId: aws.env.AWS_ACCESS_KEY_ID,
            secretAccessKey: aws.env.AWS_SECRET_ACCESS_KEY,
        },
    });
}

/** name -> the JSON document the program stores in that secret (the SecretVersion's secret input). */
export function declaredSecrets(run: ProgramRun): Record<string, string> {
    const out: Record<string, string> = {};
    for (const secret of ofType(run, "aws:secretsmanager/secret:Secret")) {
        const versions = ofType(run, "aws:secretsmanager/secretVersion:SecretVersion").filter(
            (v) => v.inputs.secretId === secret.id,
        );
        assert.strictEqual(versions.length, 1, `one version for ${secret.inputs.name}`);
        assert.ok(
            versions[0].secretInputPaths.includes("secretString"),
            `${secret.inputs.name} is sent as a secret`,
        );
        out[secret.inputs.name] = versions[0].inputs.secretString;
    }
    return out;
}

/** name -> the value the program stores in that Parameter Store parameter (its insecureValue). */
export function declaredParameters(run: ProgramRun): Record<string, string> {
    const out: Record<string, string> = {};
    for (const parameter of ofType(run, "aws:ssm/parameter:Parameter")) {
        assert.strictEqual(parameter.inputs.type, "String", parameter.inputs.name);
        assert.strictEqual(typeof parameter.inputs.insecureValue, "string", parameter.inputs.name);
        out[parameter.inputs.name] = parameter.inputs.insecureValue;
    }
    return out;
}

/** The boot file that holds the RDS CA (compute/web.ts webBootFiles), by parameter name. */
export const isRdsCaParameter = (name: string) =>
    /^\/ai-portal-[a-z]+\/boot\/(gateway-)?rds-ca\.pem$/.test(name);

/** The suite's CA as a boot file's value: the certificate without its final newline. */
export async function suiteCaValue(): Promise<string> {
    return fs.readFileSync((await trustedCa()).certFile, "utf8").trimEnd();
}

/** Stores a parameter in moto (String, overwritten: the value is the program's). */
export async function putParameter(aws: AwsEmulator, name: string, value: string): Promise<void> {
    // --cli-input-json: a value starting with "-----BEGIN" would read as an option.
    const put = await run(
        "aws",
        [
            "--region",
            "eu-west-2",
            "ssm",
            "put-parameter",
            "--cli-input-json",
            JSON.stringify({ Name: name, Value: value, Type: "String", Overwrite: true }),
        ],
        { env: { PATH: process.env.PATH, ...aws.env } },
    );
    assert.strictEqual(put.code, 0, put.stderr);
}

const registered = new Map<string, Promise<{ arn: string; json: any }>>();

/** Creates a secret in moto once per name (dev and prod share the RDS master secret's mock name). */
function register(
    aws: AwsEmulator,
    name: string,
    value: string,
): Promise<{ arn: string; json: any }> {
    let done = registered.get(name);
    if (!done) {
        done = secretsManager(aws)
            .send(new CreateSecretCommand({ Name: name, SecretString: value }))
            .then((created) => ({ arn: created.ARN!, json: JSON.parse(value) }));
        registered.set(name, done);
    }
    return done;
}

/** Creates the instance in moto by its identifier (as RDS would have it) and returns its address. */
async function createDbInstance(aws: AwsEmulator, identifier: string): Promise<string> {
    const cli = (...args: string[]) =>
        run("aws", ["--region", "eu-west-2", "--output", "json", "rds", ...args], {
            env: { PATH: process.env.PATH, ...aws.env },
        });
    const described = await cli("describe-db-instances", "--db-instance-identifier", identifier);
    const found =
        described.code === 0
            ? described
            : await cli(
                  "create-db-instance",
                  "--db-instance-identifier",
                  identifier,
                  "--engine",
                  "postgres",
                  "--db-instance-class",
                  "db.t3.medium",
                  "--allocated-storage",
                  "20",
                  "--master-username",
                  MASTER_USERNAME,
                  "--master-user-password",
                  MASTER_PASSWORD,
              );
    assert.strictEqual(found.code, 0, found.stderr);
    const instance = JSON.parse(found.stdout);
    return (instance.DBInstances?.[0] ?? instance.DBInstance).Endpoint.Address;
}

const artefacts = new Map<string, Promise<StackArtefacts>>();

export function stackArtefacts(stack: string): Promise<StackArtefacts> {
    let found = artefacts.get(stack);
    if (!found) {
        found = build(stack);
        artefacts.set(stack, found);
    }
    return found;
}

async function build(stack: string): Promise<StackArtefacts> {
    const aws = await moto();
    const first = await runProgram({ stack });
    assert.ifError(first.error);
    const values: Record<string, string> = {
        ...declaredSecrets(first),
        // RDS creates and manages this one; its JSON has the master username and password.
        [rdsMasterSecretName("data-postgres")]: JSON.stringify({
            username: MASTER_USERNAME,
            password: MASTER_PASSWORD,
        }),
    };
    const secrets: Record<string, { arn: string; json: any }> = {};
    for (const [name, value] of Object.entries(values)) {
        secrets[name] = await register(aws, name, value);
    }
    for (const [name, value] of Object.entries(declaredParameters(first))) {
        await putParameter(aws, name, isRdsCaParameter(name) ? await suiteCaValue() : value);
    }
    const secretArns = Object.fromEntries(
        Object.entries(secrets).map(([name, s]) => [name, s.arn]),
    );
    const run = await runProgram({ stack }, { mocks: { secretArns } });
    assert.ifError(run.error);
    const app = secrets[`ai-portal-${stack}/database/openwebui`].json;
    assert.strictEqual(app.username, APP_USERNAME);
    assert.strictEqual(app.dbname, DATABASE_NAME);
    const instance = named(run, "aws:rds/instance:Instance", "data-postgres");
    return {
        stack,
        run,
        secrets,
        dbAddress: instance.state.address,
        bootDbAddress: await createDbInstance(aws, instance.inputs.identifier),
        directoryDomain: String(run.outputs.directoryDomain),
    };
}
