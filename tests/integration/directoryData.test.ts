/**
 * What the deployment keeps in the directory, the LDAP bind account and the portal's group: their
 * create and delete commands, exactly as the program renders them and as
 * @pulumi/command runs them (`/bin/bash -c <command>` with the command's environment), against a
 * scripted AWS CLI (moto has no Directory Service Data API) whose answers follow what AWS documents:
 * data access is enabled asynchronously, a new user may not be visible at once, throttling happens,
 * and other errors must be seen.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { named } from "../harness/query";
import { runStack } from "../../offline/run";
import { workDir } from "./support/components";
import { Completed, run } from "./support/process";

const FAKES = path.join(__dirname, "fakes");

const OK = (out = "") => `0|${out}|`;
const ERROR = (code: string, operation: string, message: string) =>
    `254||An error occurred (${code}) when calling the ${operation} operation: ${message}`;
const NOT_FOUND = ERROR(
    "ResourceNotFoundException",
    "DescribeUser",
    "User svc-openwebui not found",
);
const THROTTLED = (operation: string) => ERROR("ThrottlingException", operation, "Rate exceeded");

interface Outcome {
    readonly result: Completed;
    /** Each AWS CLI call's arguments. */
    readonly calls: string[];
    /** Standard input of the calls that read it, by call number (1-based). */
    readonly stdin: Record<number, string>;
    readonly sleeps: number[];
}

let scenarios = 0;

const BIND_ACCOUNT_COMMAND = "ldap-bind-account";
const PORTAL_GROUP_COMMAND = "portal-group-group";

/**
 * Runs the rendered command (the bind account's unless `resource` names another) for `action`
 * with the AWS CLI answering as `answers` script it.
 */
async function runCommand(
    action: "create" | "delete",
    answers: Record<string, string[]>,
    resource = BIND_ACCOUNT_COMMAND,
): Promise<Outcome> {
    const program = await runStack("dev");
    const command = named(program, "command:local:Command", resource);
    const state = workDir("directory-data", String(++scenarios));
    for (const [operation, lines] of Object.entries(answers)) {
        fs.writeFileSync(path.join(state, operation), lines.join("\n") + "\n");
    }
    assert.deepStrictEqual(command.inputs.interpreter, ["/bin/bash", "-c"]);
    const result = await run("/bin/bash", ["-c", command.inputs[action]], {
        env: { PATH: `${FAKES}:/usr/bin:/bin`, FAKE_AWS: state, ...command.inputs.environment },
        timeoutMs: 30_000,
    });
    const read = (file: string) =>
        fs.existsSync(path.join(state, file))
            ? fs.readFileSync(path.join(state, file), "utf8").split("\n").filter(Boolean)
            : [];
    const stdin: Record<number, string> = {};
    for (const file of fs.readdirSync(state).filter((f) => f.startsWith("stdin."))) {
        stdin[Number(file.split(".")[1])] = fs.readFileSync(path.join(state, file), "utf8");
    }
    return { result, calls: read("calls"), stdin, sleeps: read("sleeps").map(Number) };
}

/** The rendered command's environment, for what the calls should name. */
async function environment(resource = BIND_ACCOUNT_COMMAND): Promise<Record<string, string>> {
    return named(await runStack("dev"), "command:local:Command", resource).inputs.environment;
}

const DESCRIBE = (id: string) =>
    `ds-data describe-user --directory-id ${id} --sam-account-name svc-openwebui`;
const DATA_ACCESS = (id: string) =>
    `ds describe-directory-data-access --directory-id ${id} --query DataAccessStatus --output text`;
const CREATE = (id: string) =>
    `ds-data create-user --directory-id ${id} --sam-account-name svc-openwebui --given-name AI Portal --surname LDAP bind`;
const RESET = "ds reset-user-password --cli-input-json file:///dev/stdin";

describe("LDAP bind account: the rendered create command", () => {
    let env: Record<string, string>;
    before(async () => {
        env = await environment();
    });

    it("on a new directory: waits for data access, creates the user, waits until it is visible, sets the password by stdin", async () => {
        const outcome = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Disabled"), OK("Enabling"), OK("Enabled")],
            "ds-data.describe-user": [NOT_FOUND, NOT_FOUND, OK("{}")],
            "ds-data.create-user": [OK("{}")],
            "ds.reset-user-password": [
                ERROR("ResourceNotFoundException", "ResetUserPassword", "User not found"),
                OK(),
            ],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
        const id = env.DIRECTORY_ID;
        assert.deepStrictEqual(outcome.calls, [
            DATA_ACCESS(id),
            DATA_ACCESS(id),
            DATA_ACCESS(id),
            DESCRIBE(id),
            CREATE(id),
            DESCRIBE(id),
            DESCRIBE(id),
            RESET,
            RESET,
        ]);
        assert.deepStrictEqual(outcome.sleeps, [15, 15, 2, 2]);
        assert.deepStrictEqual(JSON.parse(outcome.stdin[8]), {
            DirectoryId: id,
            UserName: "svc-openwebui",
            NewPassword: env.BIND_PASSWORD,
        });
        assert.deepStrictEqual(
            outcome.stdin[9],
            outcome.stdin[8],
            "the retry sends the same request",
        );
    });

    it("never puts the password on a command line", async () => {
        const outcome = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-user": [NOT_FOUND, OK("{}")],
            "ds-data.create-user": [OK("{}")],
            "ds.reset-user-password": [OK()],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
        assert.ok(outcome.calls.every((call) => !call.includes(env.BIND_PASSWORD)));
        assert.ok(
            !(outcome.result.stdout + outcome.result.stderr).includes(env.BIND_PASSWORD),
            "nor in its output",
        );
    });

    it("on a re-run (an update): the account exists, so only the password is set", async () => {
        const outcome = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-user": [OK("{}")],
            "ds.reset-user-password": [OK()],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
        assert.deepStrictEqual(outcome.calls, [
            DATA_ACCESS(env.DIRECTORY_ID),
            DESCRIBE(env.DIRECTORY_ID),
            RESET,
        ]);
    });

    it("retries throttling with a growing, bounded backoff", async () => {
        const outcome = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-user": [NOT_FOUND, OK("{}")],
            "ds-data.create-user": [
                THROTTLED("CreateUser"),
                THROTTLED("CreateUser"),
                THROTTLED("CreateUser"),
                OK("{}"),
            ],
            "ds.reset-user-password": [OK()],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
        assert.strictEqual(
            outcome.calls.filter((c) => c.startsWith("ds-data create-user")).length,
            4,
        );
        assert.deepStrictEqual(outcome.sleeps, [2, 4, 8]);
    });

    it("gives up on endless throttling after a bounded number of attempts, showing the CLI's error", async () => {
        const outcome = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-user": [THROTTLED("DescribeUser")],
        });
        assert.notStrictEqual(outcome.result.code, 0);
        assert.strictEqual(outcome.calls.length, 1 + 8);
        assert.deepStrictEqual(outcome.sleeps, [2, 4, 8, 16, 30, 30, 30]);
        assert.match(outcome.result.stderr, /ThrottlingException/);
    });

    it("stops on an error that is not 'not found' and shows it, instead of creating a user", async () => {
        const outcome = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-user": [
                ERROR(
                    "AccessDeniedException",
                    "DescribeUser",
                    "User: arn:aws:sts::123456789012:assumed-role/deployer is not authorized to perform: ds-data:DescribeUser",
                ),
            ],
        });
        assert.notStrictEqual(outcome.result.code, 0);
        assert.deepStrictEqual(outcome.calls, [
            DATA_ACCESS(env.DIRECTORY_ID),
            DESCRIBE(env.DIRECTORY_ID),
        ]);
        assert.match(
            outcome.result.stderr,
            /AccessDeniedException.*not authorized to perform: ds-data:DescribeUser/,
        );
    });

    it("treats a conflict on create as created (another domain controller had it already)", async () => {
        const outcome = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-user": [NOT_FOUND, OK("{}")],
            "ds-data.create-user": [
                ERROR("ConflictException", "CreateUser", "The user already exists"),
            ],
            "ds.reset-user-password": [OK()],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
    });

    it("fails with a message when data access failed, or is still not enabled after its bound (10 minutes)", async () => {
        const failed = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Failed")],
        });
        assert.notStrictEqual(failed.result.code, 0);
        assert.match(
            failed.result.stderr,
            /Directory Service Data access of d-\w+ is Failed; it must be Enabled/,
        );
        const stuck = await runCommand("create", {
            "ds.describe-directory-data-access": [OK("Enabling")],
        });
        assert.notStrictEqual(stuck.result.code, 0);
        assert.strictEqual(stuck.calls.length, 40);
        assert.strictEqual(
            stuck.sleeps.reduce((a, b) => a + b, 0),
            39 * 15,
        );
        assert.match(stuck.result.stderr, /still Enabling after 40 checks/);
    });
});

describe("LDAP bind account: the rendered delete command", () => {
    it("deletes the account", async () => {
        const outcome = await runCommand("delete", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.delete-user": [OK()],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
        assert.match(
            outcome.calls[1],
            /^ds-data delete-user --directory-id d-\w+ --sam-account-name svc-openwebui$/,
        );
    });

    it("is done when the account or the directory is already gone", async () => {
        const noUser = await runCommand("delete", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.delete-user": [
                ERROR("ResourceNotFoundException", "DeleteUser", "User not found"),
            ],
        });
        assert.strictEqual(noUser.result.code, 0, noUser.result.stderr);
        const noDirectory = await runCommand("delete", {
            "ds.describe-directory-data-access": [
                ERROR(
                    "EntityDoesNotExistException",
                    "DescribeDirectoryDataAccess",
                    "Directory d-1234567890 does not exist",
                ),
            ],
        });
        assert.strictEqual(noDirectory.result.code, 0, noDirectory.result.stderr);
        assert.strictEqual(noDirectory.calls.length, 1);
    });

    it("fails, showing why, on any other error", async () => {
        const outcome = await runCommand("delete", {
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.delete-user": [ERROR("AccessDeniedException", "DeleteUser", "not authorized")],
        });
        assert.notStrictEqual(outcome.result.code, 0);
        assert.match(outcome.result.stderr, /AccessDeniedException/);
    });
});

describe("Portal group: the rendered create command", () => {
    let env: Record<string, string>;
    const create = (answers: Record<string, string[]>) =>
        runCommand("create", answers, PORTAL_GROUP_COMMAND);
    const DESCRIBE_GROUP = (id: string) =>
        `ds-data describe-group --directory-id ${id} --sam-account-name AI Portal Users --query DistinguishedName --output text`;
    const GROUP_NOT_FOUND = ERROR(
        "ResourceNotFoundException",
        "DescribeGroup",
        "Group AI Portal Users not found",
    );

    before(async () => {
        env = await environment(PORTAL_GROUP_COMMAND);
    });

    it("names the group the LDAP filter admits, in the directory's users OU", () => {
        assert.strictEqual(env.GROUP_NAME, "AI Portal Users");
        assert.strictEqual(
            env.GROUP_DN,
            "CN=AI Portal Users,OU=Users,OU=CORP,DC=corp,DC=aiportal,DC=internal",
        );
    });

    it("on a new directory: waits for data access, creates a global security group, waits until it is visible, and says how to add people", async () => {
        const outcome = await create({
            "ds.describe-directory-data-access": [OK("Enabling"), OK("Enabled")],
            "ds-data.describe-group": [GROUP_NOT_FOUND, GROUP_NOT_FOUND, OK(env.GROUP_DN)],
            "ds-data.create-group": [OK("{}")],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
        const id = env.DIRECTORY_ID;
        assert.deepStrictEqual(outcome.calls, [
            DATA_ACCESS(id),
            DATA_ACCESS(id),
            DESCRIBE_GROUP(id),
            `ds-data create-group --directory-id ${id} --sam-account-name AI Portal Users --group-type Security --group-scope Global`,
            DESCRIBE_GROUP(id),
            DESCRIBE_GROUP(id),
        ]);
        assert.deepStrictEqual(outcome.sleeps, [15, 2]);
        assert.ok(
            outcome.result.stderr.includes(
                `aws ds-data add-group-member --directory-id ${id} --group-name 'AI Portal Users' --member-name <sAMAccountName>`,
            ),
            outcome.result.stderr,
        );
    });

    it("on a re-run: the group exists where the filter expects it, so nothing is created", async () => {
        const outcome = await create({
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-group": [OK(env.GROUP_DN)],
        });
        assert.strictEqual(outcome.result.code, 0, outcome.result.stderr);
        assert.deepStrictEqual(outcome.calls, [
            DATA_ACCESS(env.DIRECTORY_ID),
            DESCRIBE_GROUP(env.DIRECTORY_ID),
        ]);
    });

    it("fails, naming both DNs, when the group lives elsewhere (the filter would admit nobody)", async () => {
        const elsewhere = "CN=AI Portal Users,OU=Groups,OU=CORP,DC=corp,DC=aiportal,DC=internal";
        const outcome = await create({
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.describe-group": [OK(elsewhere)],
        });
        assert.notStrictEqual(outcome.result.code, 0);
        assert.ok(
            outcome.result.stderr.includes(
                `is at ${elsewhere}, but the portal's LDAP filter expects ${env.GROUP_DN}`,
            ),
            outcome.result.stderr,
        );
    });
});

describe("Portal group: the rendered delete command", () => {
    const remove = (answers: Record<string, string[]>) =>
        runCommand("delete", answers, PORTAL_GROUP_COMMAND);

    it("deletes the group, and is done when it is already gone", async () => {
        const deleted = await remove({
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.delete-group": [OK()],
        });
        assert.strictEqual(deleted.result.code, 0, deleted.result.stderr);
        assert.match(
            deleted.calls[1],
            /^ds-data delete-group --directory-id d-\w+ --sam-account-name AI Portal Users$/,
        );
        const gone = await remove({
            "ds.describe-directory-data-access": [OK("Enabled")],
            "ds-data.delete-group": [
                ERROR("ResourceNotFoundException", "DeleteGroup", "Group not found"),
            ],
        });
        assert.strictEqual(gone.result.code, 0, gone.result.stderr);
    });
});
