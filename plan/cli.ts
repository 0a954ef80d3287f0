/**
 * `npm run plan -- --stack <dev|prod> [--json FILE] [--graph FILE]`
 *
 * Runs the real program (index.ts) with the stack's real config under Pulumi's mock runtime,
 * with the test harness's eu-west-2 answers: no AWS call, no Pulumi CLI, no network. Prints what
 * would be deployed, the outputs, the monthly cost and the deploy estimate; optionally writes the
 * plan as JSON (plan/plan.schema.json) and the architecture as a Mermaid flowchart.
 */
import * as fs from "fs";
import { parseArgs } from "util";
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

function parseArguments(args: string[]): Options {
    let values: { stack?: string; json?: string; graph?: string };
    try {
        ({ values } = parseArgs({
            args,
            options: {
                stack: { type: "string" },
                json: { type: "string" },
                graph: { type: "string" },
            },
            strict: true,
            allowPositionals: false,
        }));
    } catch (error) {
        throw new Error(`${(error as Error).message}\n${USAGE}`);
    }
    if (!values.stack) {
        throw new Error(`--stack is required\n${USAGE}`);
    }
    if (!fs.existsSync(`Pulumi.${values.stack}.yaml`)) {
        throw new Error(`no Pulumi.${values.stack}.yaml in this project\n${USAGE}`);
    }
    return { stack: values.stack, json: values.json, graph: values.graph };
}

async function main(): Promise<number> {
    const options = parseArguments(process.argv.slice(2));
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
