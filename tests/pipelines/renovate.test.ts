/**
 * renovate.json as Renovate would read it against this repository: a custom manager whose pattern
 * matches nothing updates nothing and says nothing, so each one is run here over the files it
 * names and must find every pin the repository holds (images by digest in the stack files, the
 * images' default tags, the gateway's upstream commit in both places it is declared). And every
 * npm dependency lands in a named group, so a bump arrives as one reviewable pull request.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { PROJECT_DIR } from "../../offline/stackConfig";

interface CustomManager {
    readonly customType: string;
    readonly description: string;
    readonly managerFilePatterns: string[];
    readonly matchStrings: string[];
    readonly datasourceTemplate: string;
    readonly depNameTemplate?: string;
}
interface PackageRule {
    readonly matchPackageNames?: string[];
    readonly groupName?: string;
}
interface RenovateConfig {
    readonly packageRules: PackageRule[];
    readonly customManagers: CustomManager[];
}

/** What one match yields, as Renovate names the groups. */
interface Found {
    readonly file: string;
    readonly depName?: string;
    readonly currentValue?: string;
    readonly currentDigest?: string;
}

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const config = JSON.parse(read("renovate.json")) as RenovateConfig;

/** Renovate writes a file pattern as "/regex/"; the candidates are the files it could mean. */
const CANDIDATES = [
    ...fs.readdirSync(PROJECT_DIR).filter((f) => f.endsWith(".yaml")),
    ...fs.readdirSync(path.join(PROJECT_DIR, "config")).map((f) => `config/${f}`),
];
function filesOf(manager: CustomManager): string[] {
    const patterns = manager.managerFilePatterns.map((p) => {
        assert.match(p, /^\/.*\/$/, `${manager.description}: a pattern is /regex/`);
        return new RegExp(p.slice(1, -1));
    });
    return CANDIDATES.filter((file) => patterns.some((p) => p.test(file))).sort();
}

/** Runs a manager's match strings (RE2's named groups are JavaScript's) over its files. */
function extract(manager: CustomManager): Found[] {
    return filesOf(manager).flatMap((file) =>
        manager.matchStrings.flatMap((source) =>
            [...read(file).matchAll(new RegExp(source, "g"))].map((m) => ({
                file,
                ...(m.groups?.depName ? { depName: m.groups.depName } : {}),
                ...(m.groups?.currentValue ? { currentValue: m.groups.currentValue } : {}),
                ...(m.groups?.currentDigest ? { currentDigest: m.groups.currentDigest } : {}),
            })),
        ),
    );
}

const manager = (datasource: string, file: RegExp) => {
    const found = config.customManagers.filter(
        (m) =>
            m.datasourceTemplate === datasource && m.managerFilePatterns.some((p) => file.test(p)),
    );
    assert.strictEqual(found.length, 1, `one ${datasource} manager for ${file}`);
    return found[0];
};

/** Every image the stack files pin by digest, straight from their YAML. */
function pinnedImages(): Found[] {
    return CANDIDATES.filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).flatMap((file) => {
        const values = Object.values(
            (yaml.load(read(file)) as { config: Record<string, unknown> }).config,
        );
        return values
            .filter((v): v is string => typeof v === "string" && v.includes("@sha256:"))
            .map((v) => {
                const [, depName, currentValue, currentDigest] = v.match(
                    /^([^:@]+):([^@]+)@(sha256:[0-9a-f]{64})$/,
                )!;
                return { file, depName, currentValue, currentDigest };
            });
    });
}

describe("Renovate configuration", () => {
    it("finds every image the stack files pin, with its tag and digest", () => {
        const expected = pinnedImages();
        assert.ok(expected.length >= 2, "prod pins Open WebUI and Caddy by digest");
        assert.deepStrictEqual(extract(manager("docker", /Pulumi\\\.\[/)), expected);
    });

    it("finds the release tags Pulumi.yaml declares as the images' defaults", () => {
        const declarations = (
            yaml.load(read("Pulumi.yaml")) as { config: Record<string, { default?: unknown }> }
        ).config;
        const expected = ["openWebUiImage", "caddyImage", "usageGateNodeImage"].map((key) => {
            const [, depName, currentValue] = String(declarations[key].default).match(
                /^([^:@]+):([^@]+)$/,
            )!;
            return { file: "Pulumi.yaml", depName, currentValue };
        });
        assert.deepStrictEqual(extract(manager("docker", /Pulumi\\\.yaml/)), expected);
    });

    it("finds the gateway's upstream commit in both places it is declared, the same commit", () => {
        const declared = (
            yaml.load(read("Pulumi.yaml")) as { config: Record<string, { default?: string }> }
        ).config.gatewaySourceCommit.default;
        const gateway = manager("git-refs", /compute/);
        assert.strictEqual(gateway.depNameTemplate, "aws-samples/bedrock-access-gateway");
        assert.deepStrictEqual(extract(gateway), [
            { file: "Pulumi.yaml", currentDigest: declared },
            { file: "config/compute.ts", currentDigest: declared },
        ]);
    });

    it("puts every npm dependency in a named group (one pull request per group, not per package)", () => {
        const pkg = JSON.parse(read("package.json"));
        const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
        const matches = (pattern: string, name: string) =>
            pattern.endsWith("/**") ? name.startsWith(pattern.slice(0, -2)) : pattern === name;
        const ungrouped = names.filter(
            (name) =>
                !config.packageRules.some(
                    (rule) =>
                        rule.groupName !== undefined &&
                        (rule.matchPackageNames ?? []).some((p) => matches(p, name)),
                ),
        );
        assert.deepStrictEqual(ungrouped, []);
    });
});
