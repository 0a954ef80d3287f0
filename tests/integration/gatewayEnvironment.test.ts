/**
 * The gateway's start with the environment the program renders for its container: at the pinned
 * commit, src/api/auth.py creates boto3.client("secretsmanager") with no region at import and
 * reads its API key from the secret API_KEY_SECRET_ARN names. Run with that environment only, no
 * instance metadata, against moto.
 */
import * as assert from "assert";
import { moto } from "./support/components";
import { bootedHost, python, STACKS } from "./support/fixtures";
import { parseEnvFile } from "./support/host";

for (const stack of STACKS) {
    describe(`gateway environment (${stack})`, () => {
        it("lets boto3 resolve eu-west-2 without a region argument or instance metadata, and read the key the web host was given", async () => {
            const [gateway, web, aws] = await Promise.all([
                bootedHost(`${stack}-gateway`),
                bootedHost(`${stack}-web`),
                moto(),
            ]);
            const env = parseEnvFile(gateway.disk.read("/etc/ai-portal/gateway.env"));
            // The container's environment, plus where AWS is and credentials (the instance role's, on EC2).
            const started = await python(
                "gateway_region.py",
                {},
                { python: "image", env: { ...env, ...aws.env, AWS_EC2_METADATA_DISABLED: "true" } },
            );
            const webKey = parseEnvFile(
                web.disk.read("/etc/ai-portal/open-webui.secrets.env"),
            ).OPENAI_API_KEY;
            assert.deepStrictEqual(started, { region: "eu-west-2", api_key: webKey });
        });
    });
}
