/**
 * Runs the real program (index.ts) under Pulumi's mock runtime for a stack's config and records
 * every resource registration as the engine would see it: type, name, parent, inputs (with which
 * of them are secret) and the resource options (protect, dependsOn, ignoreChanges, ...).
 *
 * Runs are serialised (the Pulumi runtime is process-global) and memoised per config, so each
 * stack's program runs once per test process however many assertions read it.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockOptions, PortalMocks } from "./mocks";
import { LoadedStackConfig, loadStackConfig, PROJECT_DIR, StackConfigSource } from "./stackConfig";

// The engine's wire format, as the SDK exports it.
const {
    specialSigKey: SIG_KEY,
    specialSecretSig: SECRET_SIG,
    specialAssetSig: ASSET_SIG,
    specialArchiveSig: ARCHIVE_SIG,
    specialResourceSig: RESOURCE_SIG,
    unknownValue: UNKNOWN,
} = pulumi.runtime;

export interface DeclaredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Parent URN; "" for a top-level resource. */
    readonly parent: string;
    readonly custom: boolean;
    /**
     * Inputs as sent to the engine, as plain JSON: secret wrappers removed, assets as
     * `{ file: <project-relative path> }` or `{ archive: {...} }`, resource references as URNs.
     */
    readonly inputs: Record<string, any>;
    /** Dotted paths of inputs that were sent as secrets ("password", "tags.Name", ...). */
    readonly secretInputPaths: readonly string[];
    readonly id: string;
    /** What the mock returned as the resource's state (inputs plus computed values). */
    readonly state: Record<string, any>;
    readonly protect: boolean;
    readonly dependencies: readonly string[];
    /** For each input, the URNs of the resources its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly retainOnDelete: boolean;
    /** The `replacementTrigger` option as plain JSON: a new value replaces the resource. */
    readonly replacementTrigger?: unknown;
    readonly provider: string;
}

export interface ProgramRun {
    readonly config: LoadedStackConfig;
    readonly resources: readonly DeclaredResource[];
    /** Stack outputs (the program's exports), resolved. */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** Names of outputs Pulumi would store as secrets. */
    readonly secretOutputs: readonly string[];
    /** Set when the program failed (e.g. a bad config); resources then holds what was declared before. */
    readonly error?: Error;
}

export interface RunOptions {
    readonly mocks?: MockOptions;
    /** Run as a preview (`pulumi preview`) rather than an update. */
    readonly preview?: boolean;
    /** Another Pulumi project (its folder, holding Pulumi.yaml and index.ts); defaults to this one. */
    readonly projectDir?: string;
    /** Run again even if this input already ran in this process (the determinism tests compare runs). */
    readonly fresh?: boolean;
}

function projectRelative(file: string): string {
    return path.relative(PROJECT_DIR, file).split(path.sep).join("/");
}

/** The engine's wire form of inputs as plain JSON, collecting the paths that were secret. */
function plainInputs(value: unknown, at: string, secretPaths: string[]): unknown {
    if (value === UNKNOWN) {
        return "[unknown until deployed]";
    }
    if (Array.isArray(value)) {
        return value.map((item, i) => plainInputs(item, `${at}[${i}]`, secretPaths));
    }
    if (typeof value !== "object" || value === null) {
        return value;
    }
    const record = value as Record<string, unknown>;
    switch (record[SIG_KEY]) {
        case SECRET_SIG:
            secretPaths.push(at);
            return plainInputs(record.value, at, []);
        case ASSET_SIG:
        case ARCHIVE_SIG:
            if (typeof record.path === "string") {
                return { file: projectRelative(record.path) };
            }
            if (record.assets !== undefined) {
                const assets = record.assets as Record<string, unknown>;
                return {
                    archive: Object.fromEntries(
                        Object.keys(assets)
                            .sort()
                            .map((k) => [k, plainInputs(assets[k], `${at}.${k}`, secretPaths)]),
                    ),
                };
            }
            return record.text !== undefined ? { text: record.text } : { uri: record.uri };
        case RESOURCE_SIG:
            return record.urn;
    }
    return Object.fromEntries(
        Object.entries(record).map(([k, v]) => [
            k,
            plainInputs(v, at ? `${at}.${k}` : k, secretPaths),
        ]),
    );
}

type Monitor = {
    registerResource(req: any, callback: (err: any, resp: any) => void): Promise<void>;
    readResource(req: any, callback: (err: any, resp: any) => void): Promise<void>;
};

function propertyDependenciesOf(req: any): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        result[key] = deps.getUrnsList();
    });
    return result;
}

/** What registrations and reads share: identity, inputs as plain JSON, state, dependencies. */
function declared(
    req: any,
    resp: any,
    wireInputs: any,
    wireState: any,
    id: string,
): Omit<
    DeclaredResource,
    | "custom"
    | "protect"
    | "propertyDependencies"
    | "ignoreChanges"
    | "replaceOnChanges"
    | "deleteBeforeReplace"
    | "retainOnDelete"
    | "replacementTrigger"
> {
    const secretInputPaths: string[] = [];
    return {
        urn: resp.getUrn(),
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        inputs: plainInputs(wireInputs.toJavaScript(), "", secretInputPaths) as Record<string, any>,
        secretInputPaths,
        id,
        state: pulumi.runtime.deserializeProperties(wireState),
        dependencies: req.getDependenciesList(),
        provider: req.getProvider(),
    };
}

/**
 * Private hook 1 of 2: wraps the mock monitor's registerResource and readResource. The mocks'
 * `newResource` sees inputs but not the resource options (protect, dependsOn, ignoreChanges,
 * property dependencies, which inputs are secret) that the engine receives; the monitor does.
 */
function recordRegistrations(into: DeclaredResource[]): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (err, resp) => {
            if (!err && resp) {
                into.push({
                    ...declared(req, resp, req.getObject(), resp.getObject(), resp.getId()),
                    custom: req.getCustom(),
                    protect: req.getProtect() === true,
                    propertyDependencies: propertyDependenciesOf(req),
                    ignoreChanges: req.getIgnorechangesList(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    retainOnDelete: req.getRetainondelete() === true,
                    replacementTrigger: req.hasReplacementTrigger()
                        ? plainInputs(req.getReplacementTrigger().toJavaScript(), "", [])
                        : undefined,
                });
            }
            callback(err, resp);
        });
    // Reads (`get` functions, StackReference) are declared resources too.
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req, callback) =>
        read(req, (err, resp) => {
            if (!err && resp) {
                into.push({
                    ...declared(req, resp, req.getProperties(), resp.getProperties(), req.getId()),
                    custom: true,
                    protect: false,
                    propertyDependencies: {},
                    ignoreChanges: [],
                    replaceOnChanges: [],
                    deleteBeforeReplace: false,
                    retainOnDelete: false,
                });
            }
            callback(err, resp);
        });
}

async function waitForRegistrations(): Promise<void> {
    // Private hook 2 of 2: the SDK's own drain of outstanding RPCs (what `disconnect` awaits),
    // without closing anything, so the next run in this process starts from a clean runtime.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- not in the SDK's typings
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}

type SettledOutput = pulumi.Output<unknown> & { promise(): Promise<unknown> };

/** Resolves every export; an export whose computation failed fails the run, as `pulumi up` would. */
async function resolveOutputs(
    exports: Record<string, unknown>,
): Promise<{ outputs: Record<string, unknown>; secretOutputs: string[] }> {
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const name of Object.keys(exports).sort()) {
        const value = pulumi.output(exports[name]) as SettledOutput;
        outputs[name] = await value.promise();
        if (await pulumi.isSecret(value)) {
            secretOutputs.push(name);
        }
    }
    return { outputs, secretOutputs };
}

/**
 * Runs `body` under the mock runtime with the given config and records what it declares: the
 * program (index.ts) for a stack, or a single component in a test. `body` returns what to export.
 */
async function underMocks(
    config: LoadedStackConfig,
    options: RunOptions,
    body: () => Record<string, unknown>,
): Promise<ProgramRun> {
    await pulumi.runtime.setMocks(
        new PortalMocks(options.mocks),
        config.project,
        config.stack,
        options.preview ?? false,
    );
    const resources: DeclaredResource[] = [];
    recordRegistrations(resources);
    pulumi.runtime.setAllConfig(config.raw, [...config.secretKeys]);

    let exports: Record<string, unknown> = {};
    let error: Error | undefined;
    try {
        exports = body();
    } catch (e) {
        error = e as Error;
    }
    let resolved: { outputs: Record<string, unknown>; secretOutputs: string[] } = {
        outputs: {},
        secretOutputs: [],
    };
    if (!error) {
        try {
            resolved = await resolveOutputs(exports);
        } catch (e) {
            error = e as Error;
        }
    }
    await waitForRegistrations();
    const { outputs, secretOutputs } = resolved;
    return { config, resources, outputs, secretOutputs, error };
}

function execute(source: StackConfigSource, options: RunOptions): Promise<ProgramRun> {
    const projectDir = options.projectDir ?? PROJECT_DIR;
    const program = path.join(projectDir, "index.ts");
    return underMocks(loadStackConfig(source, projectDir), options, () => {
        delete require.cache[require.resolve(program)];
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program, loaded afresh per run
        return require(program);
    });
}

let queue: Promise<unknown> = Promise.resolve();
const memo = new Map<string, Promise<ProgramRun>>();

/** Runs the program for a stack (its committed files, optionally changed); memoised per input. */
export function runProgram(
    source: StackConfigSource,
    options: RunOptions = {},
): Promise<ProgramRun> {
    const { fresh, ...rest } = options;
    const key = JSON.stringify([
        source.stack,
        source.stackConfig ?? null,
        source.overrides ?? null,
        rest,
    ]);
    let run = fresh ? undefined : memo.get(key);
    if (!run) {
        run = queue.then(() => execute(source, rest));
        queue = run.catch(() => undefined);
        if (!fresh) {
            memo.set(key, run);
        }
    }
    return run;
}

/**
 * Forgets every memoised run, so the next `runProgram` runs the program again. For mutation
 * testing (tests/mutation/hooks.ts): Stryker keeps one process across mutants, and a run
 * memoised under one mutant must not answer for the next.
 */
export function forgetRuns(): void {
    memo.clear();
}

/**
 * Runs `build` alone under the mocks (a component test): it declares what it likes and returns the
 * values to resolve as outputs. Serialised with program runs; never memoised.
 */
export function runUnderMocks(
    build: () => Record<string, unknown>,
    options: Omit<RunOptions, "projectDir" | "fresh"> = {},
): Promise<ProgramRun> {
    const config: LoadedStackConfig = {
        project: "ai-portal",
        stack: "test",
        raw: {},
        secretKeys: [],
    };
    const run = queue.then(() => underMocks(config, options, build));
    queue = run.catch(() => undefined);
    return run;
}

/** Shorthand for the committed Pulumi.<stack>.yaml. */
export function runStack(stack: string): Promise<ProgramRun> {
    return runProgram({ stack });
}
