/**
 * The CI-access program's config: raw Pulumi config in, one typed object or every problem out.
 * Pure, so each rule is tested without the Pulumi runtime.
 */
import { ConfigProblem, formatProblem, nearestKey, RawConfig } from "../config/reader";
import { Environment, ENVIRONMENTS } from "./policies";

export const CI_PROJECT = "ai-portal-ci-access";

export interface CiConfig {
    /** `<owner>/<repo>` exactly as GitHub spells it: the `sub` claim is compared case-sensitively. */
    readonly githubRepository: string;
    /** The environments whose roles live in this account (all three when one account holds every stack). */
    readonly environments: readonly Environment[];
    /** An existing IAM OIDC provider for GitHub (an account has at most one per URL); else one is created. */
    readonly oidcProviderArn?: string;
}

/** Each key, what it holds, its default (mirrored in ci-access/Pulumi.yaml; a test compares). */
export const CI_KEYS = {
    githubRepository: {
        type: "string",
        description:
            "The repository whose workflows assume the roles, <owner>/<repo> exactly as GitHub spells it.",
    },
    environments: {
        type: "array",
        description:
            "GitHub environments whose roles this account holds; preview and dev reach the dev stack, production the prod stack.",
        default: [...ENVIRONMENTS],
    },
    oidcProviderArn: {
        type: "string",
        description:
            "ARN of the account's existing IAM OIDC provider for token.actions.githubusercontent.com; empty creates one.",
        default: "",
    },
} as const;

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const PROVIDER_ARN =
    /^arn:aws(?:-[a-z]+)*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;

export type CiConfigResult =
    | { readonly ok: true; readonly config: CiConfig }
    | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export function parseCiConfig(raw: RawConfig): CiConfigResult {
    const problems: ConfigProblem[] = [];
    const key = (name: string) => `${CI_PROJECT}:${name}`;
    const known = Object.keys(CI_KEYS);

    for (const full of Object.keys(raw)) {
        const [namespace, name] = full.split(":");
        if (namespace === CI_PROJECT && !known.includes(name)) {
            const near = nearestKey(name, known);
            problems.push({
                key: full,
                value: raw[full],
                reason: `is not a key of this program${near ? ` (did you mean ${key(near)}?)` : ""}`,
                allowed: known.map(key).join(", "),
            });
        }
    }

    const repository = raw[key("githubRepository")];
    if (repository === undefined || !REPOSITORY.test(repository)) {
        problems.push({
            key: key("githubRepository"),
            value: repository,
            reason: "names the repository whose environments the roles trust",
            allowed:
                "<owner>/<repo>, e.g. acme/ai-portal (letters, digits, '-', and '.', '_' in the name)",
        });
    }

    let environments: Environment[] = [...ENVIRONMENTS];
    const rawEnvironments = raw[key("environments")];
    if (rawEnvironments !== undefined) {
        let parsed: unknown;
        try {
            parsed = JSON.parse(rawEnvironments);
        } catch {
            parsed = undefined;
        }
        const list = Array.isArray(parsed) ? parsed : undefined;
        const valid =
            list !== undefined &&
            list.length > 0 &&
            new Set(list).size === list.length &&
            list.every((e) => (ENVIRONMENTS as readonly unknown[]).includes(e));
        if (valid) {
            environments = ENVIRONMENTS.filter((e) => list.includes(e));
        } else {
            problems.push({
                key: key("environments"),
                value: rawEnvironments,
                reason: "must be a non-empty list of GitHub environments, each at most once",
                allowed: `a subset of ${ENVIRONMENTS.join(", ")}`,
            });
        }
    }

    const providerArn = raw[key("oidcProviderArn")] || undefined;
    if (providerArn !== undefined && !PROVIDER_ARN.test(providerArn)) {
        problems.push({
            key: key("oidcProviderArn"),
            value: providerArn,
            reason: "must be the ARN of an IAM OIDC provider for GitHub Actions",
            allowed:
                "arn:aws:iam::<12-digit account>:oidc-provider/token.actions.githubusercontent.com, or empty to create one",
        });
    }

    if (problems.length > 0) {
        return { ok: false, problems };
    }
    return {
        ok: true,
        config: {
            githubRepository: repository!,
            environments,
            ...(providerArn ? { oidcProviderArn: providerArn } : {}),
        },
    };
}

/** One error listing every problem, for the program to throw before declaring anything. */
export function configError(problems: readonly ConfigProblem[]): Error {
    return new Error(
        `ci-access configuration has ${problems.length} problem(s):\n` +
            problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
}
