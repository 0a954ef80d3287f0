/**
 * Registry lookups: the name `docker.getRegistryImage` is given for each kind of reference, and
 * where the provider (the Terraform docker provider's parseImageOptions) then sends it.
 */
import * as assert from "assert";
import { registryLookupName } from "../../compute/images";
import { providerRegistryHost } from "../../offline/mocks";

describe("image references: registry lookups", () => {
    const cases: [string, string, string][] = [
        // reference as configured, name looked up, registry host the provider asks
        ["caddy:2.10-alpine", "library/caddy:2.10-alpine", "registry-1.docker.io"],
        ["library/caddy:2.10-alpine", "library/caddy:2.10-alpine", "registry-1.docker.io"],
        [
            "docker.io/library/caddy:2.10-alpine",
            "library/caddy:2.10-alpine",
            "registry-1.docker.io",
        ],
        ["docker.io/caddy:2.10-alpine", "library/caddy:2.10-alpine", "registry-1.docker.io"],
        [
            "index.docker.io/library/caddy:2.10-alpine",
            "library/caddy:2.10-alpine",
            "registry-1.docker.io",
        ],
        ["docker.io/bitnami/redis:7.4", "bitnami/redis:7.4", "registry-1.docker.io"],
        [
            "registry-1.docker.io/library/caddy:2.10-alpine",
            "registry-1.docker.io/library/caddy:2.10-alpine",
            "registry-1.docker.io",
        ],
        [
            "ghcr.io/open-webui/open-webui:v0.11.0",
            "ghcr.io/open-webui/open-webui:v0.11.0",
            "ghcr.io",
        ],
        [
            "public.ecr.aws/docker/library/caddy:2.10-alpine",
            "public.ecr.aws/docker/library/caddy:2.10-alpine",
            "public.ecr.aws",
        ],
        [
            "123456789012.dkr.ecr.eu-west-2.amazonaws.com/team/app:1.2",
            "123456789012.dkr.ecr.eu-west-2.amazonaws.com/team/app:1.2",
            "123456789012.dkr.ecr.eu-west-2.amazonaws.com",
        ],
        ["localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000"],
    ];
    for (const [reference, lookup, registry] of cases) {
        it(`${reference} is looked up as ${lookup}, at ${registry}`, () => {
            assert.strictEqual(registryLookupName(reference), lookup);
            assert.strictEqual(providerRegistryHost(lookup), registry);
        });
    }

    it("a Docker Hub reference as written would have gone to docker.io, which serves no registry API", () => {
        assert.strictEqual(
            providerRegistryHost("docker.io/library/caddy:2.10-alpine"),
            "docker.io",
        );
    });

    it("refuses what a registry lookup cannot take: no tag, a digest, a Docker Hub path of three parts", () => {
        assert.throws(
            () => registryLookupName("ghcr.io/open-webui/open-webui"),
            /with a tag and no digest/,
        );
        assert.throws(
            () => registryLookupName(`caddy:2.10@sha256:${"a".repeat(64)}`),
            /with a tag and no digest/,
        );
        assert.throws(
            () => registryLookupName("docker.io/a/b/c:1"),
            /Docker Hub repositories are <namespace>\/<name>/,
        );
    });
});
