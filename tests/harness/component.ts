/**
 * Component tests in the shape of awsx's vpc.test.ts and eks's nodes tests: one component
 * constructed alone under the mock runtime, given plain inputs, its children recorded.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { MockOptions } from "../../offline/mocks";
import { ProgramRun, runUnderMocks } from "../../offline/run";

/**
 * Builds a component with the program's kind of provider (explicit, region pinned) and returns
 * the run: every resource declared and the outputs `build` returns, resolved.
 */
export function runComponent(
    build: (
        opts: pulumi.ComponentResourceOptions,
        provider: aws.Provider,
    ) => Record<string, unknown>,
    mocks?: MockOptions,
): Promise<ProgramRun> {
    return runUnderMocks(
        () => {
            const provider = new aws.Provider("aws", { region: "eu-west-2" });
            return build({ providers: [provider] }, provider);
        },
        { mocks },
    );
}

/** The children the component declared (everything but the provider), by name. */
export function childNames(run: ProgramRun): string[] {
    return run.resources
        .filter((r) => r.type !== "pulumi:providers:aws")
        .map((r) => r.name)
        .sort();
}
