/**
 * `npm run plan -- --stack <dev|prod> [--json FILE] [--graph FILE]`
 *
 * Runs the real program (index.ts) with the stack's real config under Pulumi's mock runtime,
 * with the test harness's eu-west-2 answers: no AWS call, no Pulumi CLI, no network. Prints what
 * would be deployed, the outputs, the monthly cost and the deploy estimate; optionally writes the
 * plan as JSON (plan/plan.schema.json) and the architecture as a Mermaid flowchart.
 */
import * as fs from "fs";
import { runProgram } from "../offline/run";
import { architectureDiagram } from "./graph";
import { buildPlan } from "./model";
import { renderPlan } from "./render";

interface Options {
    readonly stack: string;
    readonly json?: string;
    readonly graph?: string;
}

const USAGE = "usage: npm run plan -- --stack <dev|prod> [--json FILE] [--graph FILE]";

function parseArgs(argv: readonly string[]): Options {
    const options: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (
            !["--stack", "--json", "--graph"].includes(flag) ||
            argv[i + 1] === undefined ||
            argv[i + 1].startsWith("--")
        ) {
            throw new Error(`unexpected argument ${JSON.stringify(flag)}\n${USAGE}`);
        }
        options[flag.slice(2)] = argv[++i];
    }
    if (!options.stack) {
        throw new Error(`--stack is required\n${USAGE}`);
    }
    if (!fs.existsSync(`Pulumi.${options.stack}.yaml`)) {
        throw new Error(`no Pulumi.${options.stack}.yaml in this project\n${USAGE}`);
    }
    return { stack: options.stack, json: options.json, graph: options.graph };
}

async function main(): Promise<number> {
    const options = parseArgs(process.argv.slice(2));
    const run = await runProgram({ stack: options.stack });
    if (run.error) {
        process.stderr.write(`${run.error.message}\n`);
        return 1;
    }
    const plan = buildPlan(run);
    const names = new Map(run.resources.filter((r) => r.id).map((r) => [r.id, r.name]));
    for (const directory of run.resources.filter(
        (r) => r.type === "aws:directoryservice/directory:Directory",
    )) {
        names.set(directory.state.securityGroupId, `${directory.name} (its AWS-managed group)`);
    }
    process.stdout.write(renderPlan(plan, names));
    if (options.json) {
        fs.writeFileSync(options.json, JSON.stringify(plan, null, 2) + "\n");
        process.stdout.write(`\nwrote ${options.json}\n`);
    }
    if (options.graph) {
        fs.writeFileSync(options.graph, architectureDiagram(run));
        process.stdout.write(`wrote ${options.graph}\n`);
    }
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error: Error) => {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
    },
);
