/**
 * The gateway's start with the environment the program renders for its container: at the pinned
 * commit, src/api/auth.py creates boto3.client("secretsmanager") with no region at import and
 * reads its API key from the secret API_KEY_SECRET_ARN names. Run in a fake of the gateway image
 * (support/upstreamImages.ts: WORKDIR /app, USER appuser, the image's ENV, only the Python modules
 * its requirements install) with the environment the host's unit gives the container (its
 * --env-file), against moto, with no instance metadata.
 */
import * as assert from "assert";
import * as path from "path";
import { moto } from "./support/components";
import { parseDockerRun, runInImage } from "./support/container";
import { bootedHost, STACKS } from "./support/fixtures";
import { parseEnvFile } from "./support/host";
import { GATEWAY_IMAGE } from "./support/upstreamImages";

const PROBE = path.join(__dirname, "python", "gateway_region.py");

for (const stack of STACKS) {
    describe(`gateway environment (${stack})`, () => {
        it("lets boto3 resolve eu-west-2 without a region argument or instance metadata, and read the key the web host was given", async () => {
            const [gateway, web, aws] = await Promise.all([
                bootedHost(`${stack}-gateway`),
                bootedHost(`${stack}-web`),
                moto(),
            ]);
            const execStart = /^ExecStart=(.*)$/m.exec(
                gateway.disk.read("/etc/systemd/system/ai-portal-bedrock-gateway.service"),
            )![1];
            const result = await runInImage(
                GATEWAY_IMAGE,
                parseDockerRun(execStart),
                gateway.disk,
                {
                    // The probe does what api/auth.py does at import; it is not part of the image.
                    probes: { [PROBE]: "/opt/ai-portal-probe/gateway_region.py" },
                    command: ["python3", "/opt/ai-portal-probe/gateway_region.py"],
                    // On EC2 the SDK takes the instance role's credentials from instance metadata
                    // (hop limit 2); here moto's endpoint and throwaway credentials stand in for both.
                    extraEnv: aws.env,
                },
            );
            assert.strictEqual(result.code, 0, result.stdout + result.stderr);
            const webKey = parseEnvFile(
                web.disk.read("/etc/ai-portal/open-webui.secrets.env"),
            ).OPENAI_API_KEY;
            assert.deepStrictEqual(JSON.parse(result.stdout), {
                region: "eu-west-2",
                api_key: webKey,
                // Who the gateway runs as and where: the Dockerfile's USER and WORKDIR.
                uid: GATEWAY_IMAGE.user.uid,
                cwd: "/app",
            });
        });
    });
}
