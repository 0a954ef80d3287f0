"""What the Bedrock Access Gateway does at import with the environment the program renders for
its container (src/api/auth.py at the pinned commit): boto3.client("secretsmanager") with no
region, then the API key from the secret API_KEY_SECRET_ARN names (its "api_key" field).

Runs in the fake of the gateway image (support/container.ts): its Python with only the modules
the image installs, as its user, in its WORKDIR, with exactly the container's environment plus the
emulator's endpoint and credentials, and no instance metadata.
Output (JSON): {"region", "api_key", "uid", "cwd"} or {"error": ...}.
"""
import json
import os

import boto3


def main():
    try:
        client = boto3.client("secretsmanager")
        secret = json.loads(client.get_secret_value(SecretId=os.environ["API_KEY_SECRET_ARN"])["SecretString"])
        print(
            json.dumps(
                {"region": client.meta.region_name, "api_key": secret["api_key"], "uid": os.getuid(), "cwd": os.getcwd()}
            )
        )
    except Exception as error:
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}))


if __name__ == "__main__":
    main()
