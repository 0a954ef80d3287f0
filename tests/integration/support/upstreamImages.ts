/**
 * The upstream images the boot scripts run, as their Dockerfiles build them: the one place the
 * integration suite says what is inside a container. The fakes that stand in for the images
 * (support/container.ts) are built from these descriptions and add nothing they do not list, and
 * tests/integration/upstreamImages.test.ts fails when a rendered boot script relies on a path, an
 * environment variable, an executable or a Python module that a description does not list.
 *
 * Each fact cites the file it comes from. A fact may only be added after reading the upstream file
 * at the pinned version (Pulumi.prod.yaml's Open WebUI tag, config/compute.ts's gateway commit).
 */

/** What one image provides, as far as a container started from it can rely on. */
export interface UpstreamImage {
    /** For messages. */
    readonly name: string;
    /** Recognises the image in a rendered `docker run` (the reference the boot script uses). */
    readonly reference: RegExp;
    /** Where the Dockerfile is read, at which version. */
    readonly source: string;
    /** `WORKDIR`: the container's working directory unless `docker run --workdir` says otherwise. */
    readonly workdir: string;
    /** `USER`: who the container's process runs as. */
    readonly user: {
        readonly name: string;
        readonly uid: number;
        readonly gid: number;
        /** Its passwd home, which Docker puts in HOME when no ENV or --env sets it. */
        readonly home: string;
    };
    /** Every `ENV` of the image and its base that a container may rely on. */
    readonly env: Readonly<Record<string, string>>;
    /** The command the container runs when `docker run` names none (`CMD`). */
    readonly cmd: readonly string[];
    /** Programs on the image's PATH that a command or health check may start. */
    readonly executables: readonly string[];
    /** Top-level Python modules installed in the interpreter's site-packages (importable anywhere). */
    readonly pythonModules: readonly string[];
    /**
     * Top-level Python modules that are only files in the working directory (not installed): a
     * process imports them only with that directory on sys.path (`python3 -m`/`-c` run there, or a
     * script that adds it), never as `python3 /elsewhere/script.py` (sys.path[0] is the script's
     * folder).
     */
    readonly workdirModules: readonly string[];
    /** Paths inside the image a container may mount a volume over (its data folders). */
    readonly volumePaths: readonly string[];
}

/** python:*-slim (docker-library/python, 3.11/slim-bookworm/Dockerfile @9a7a540): `ENV PATH
 * /usr/local/bin:$PATH` over Debian's default PATH and `ENV LANG C.UTF-8`; it installs Python in
 * /usr/local (python3 and python). Its GPG_KEY/PYTHON_* values change with every patch release and
 * nothing here may rely on them, so they are not listed. */
const PYTHON_SLIM_ENV = {
    PATH: "/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C.UTF-8",
} as const;

/**
 * ghcr.io/open-webui/open-webui, from open-webui/open-webui `Dockerfile` (read at 08d67bf0; the
 * prod stack pins the v0.11.0 tag by digest, whose Dockerfile keeps the same WORKDIR, USER, the
 * `COPY ./backend .` and sets no PYTHONPATH): base python:3.11-slim-bookworm; `WORKDIR
 * /app/backend`; the backend copied into it; Python packages from backend/requirements.txt only
 * (`uv pip install --system -r requirements.txt`); `USER $UID:$GID` with both build args 0 (root);
 * `CMD ["bash", "start.sh"]` (start.sh cds to its own folder, /app/backend, and runs uvicorn
 * there: that is how upstream itself imports `open_webui`).
 */
export const OPEN_WEBUI_IMAGE: UpstreamImage = {
    name: "Open WebUI",
    reference: /^ghcr\.io\/open-webui\/open-webui[:@]/,
    source: "https://github.com/open-webui/open-webui/blob/08d67bf0a8f7561f7a29abe85581f7ccba846a4f/Dockerfile",
    workdir: "/app/backend",
    user: { name: "root", uid: 0, gid: 0, home: "/root" },
    env: {
        ...PYTHON_SLIM_ENV,
        // `## Basis ##` (the build args' defaults)
        ENV: "prod",
        PORT: "8080",
        USE_OLLAMA_DOCKER: "false",
        USE_CUDA_DOCKER: "false",
        USE_CUDA_DOCKER_VER: "cu128",
        USE_EMBEDDING_MODEL_DOCKER: "sentence-transformers/all-MiniLM-L6-v2",
        USE_RERANKING_MODEL_DOCKER: "",
        // `## Basis URL Config ##` and `## API Key and Security Config ##`
        OLLAMA_BASE_URL: "/ollama",
        OPENAI_API_BASE_URL: "",
        OPENAI_API_KEY: "",
        WEBUI_SECRET_KEY: "",
        SCARF_NO_ANALYTICS: "true",
        DO_NOT_TRACK: "true",
        ANONYMIZED_TELEMETRY: "false",
        // models' caches, all in the data folder
        WHISPER_MODEL: "base",
        WHISPER_MODEL_DIR: "/app/backend/data/cache/whisper/models",
        RAG_EMBEDDING_MODEL: "sentence-transformers/all-MiniLM-L6-v2",
        RAG_RERANKING_MODEL: "",
        SENTENCE_TRANSFORMERS_HOME: "/app/backend/data/cache/embedding/models",
        TIKTOKEN_ENCODING_NAME: "cl100k_base",
        TIKTOKEN_CACHE_DIR: "/app/backend/data/cache/tiktoken",
        HF_HOME: "/app/backend/data/cache/embedding/models",
        HOME: "/root",
        // `ENV WEBUI_BUILD_VERSION=${BUILD_HASH}` (the release build passes its commit) and `ENV DOCKER=true`
        WEBUI_BUILD_VERSION: "dev-build",
        DOCKER: "true",
    },
    cmd: ["bash", "start.sh"],
    // python:*-slim's interpreter and bash; the Dockerfile's apt-get install adds curl and jq (its
    // HEALTHCHECK uses them), pandoc, gcc, netcat-openbsd, git, ffmpeg.
    executables: ["python3", "python", "bash", "sh", "curl", "jq", "uvicorn"],
    // backend/requirements.txt (read at 0018c3dd: sqlalchemy, alembic, peewee, peewee-migrate,
    // psycopg2-binary, redis, boto3, requests, fastapi, uvicorn, pydantic, authlib) and what they
    // install with them (alembic: Mako, MarkupSafe; SQLAlchemy: greenlet, typing-extensions).
    pythonModules: [
        "sqlalchemy",
        "alembic",
        "mako",
        "markupsafe",
        "greenlet",
        "typing_extensions",
        "psycopg2",
        "peewee",
        "peewee_migrate",
        "redis",
        "boto3",
        "botocore",
        "requests",
        "fastapi",
        "uvicorn",
        "pydantic",
        "authlib",
    ],
    // `COPY ./backend .` into WORKDIR: backend/open_webui is a folder there, not an installed package.
    workdirModules: ["open_webui"],
    // open_webui/env.py: DATA_DIR defaults to <backend>/data (the documented volume).
    volumePaths: ["/app/backend/data"],
};

/**
 * The Bedrock Access Gateway image this program builds, from aws-samples/bedrock-access-gateway
 * `src/Dockerfile_ecs` at the commit config/compute.ts pins (95794585): base
 * public.ecr.aws/docker/library/python:3.13-slim; `WORKDIR /app`; `pip install -r
 * requirements.txt` (fastapi, starlette, pydantic, uvicorn, mangum, tiktoken, requests, numpy,
 * boto3, botocore); `COPY ./api /app/api`; `USER appuser` (created by `groupadd -r`/`useradd -r`:
 * a system id, 999 on a fresh Debian image, no home folder); `ENV
 * TIKTOKEN_CACHE_DIR=/app/.cache/tiktoken` (cl100k_base preloaded there); `ENV PORT=8080`;
 * `HEALTHCHECK ... CMD python -c "import urllib.request; ..."`; `CMD ["sh", "-c", "uvicorn
 * api.app:app --host 0.0.0.0 --port ${PORT}"]`. No curl: a health check must use Python.
 */
export const GATEWAY_IMAGE: UpstreamImage = {
    name: "Bedrock Access Gateway",
    reference: /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[^@:]+\/bedrock-access-gateway[:@]/,
    source: "https://github.com/aws-samples/bedrock-access-gateway/blob/95794585db942cf7ce9660f71edefe63ce6c9910/src/Dockerfile_ecs",
    workdir: "/app",
    user: { name: "appuser", uid: 999, gid: 999, home: "/home/appuser" },
    env: {
        ...PYTHON_SLIM_ENV,
        TIKTOKEN_CACHE_DIR: "/app/.cache/tiktoken",
        PORT: "8080",
    },
    cmd: ["sh", "-c", "uvicorn api.app:app --host 0.0.0.0 --port ${PORT}"],
    executables: ["python3", "python", "sh", "uvicorn"],
    // src/requirements.txt and the dependencies pip installs with boto3/botocore (jmespath,
    // s3transfer, python-dateutil with six, urllib3).
    pythonModules: [
        "fastapi",
        "starlette",
        "pydantic",
        "uvicorn",
        "mangum",
        "tiktoken",
        "requests",
        "numpy",
        "boto3",
        "botocore",
        "jmespath",
        "s3transfer",
        "dateutil",
        "six",
        "urllib3",
    ],
    // `COPY ./api /app/api`
    workdirModules: ["api"],
    volumePaths: [],
};

/**
 * The usage gate's image, built by this repository (gate/Dockerfile) on node:*-alpine
 * (docker-library/node: `ENV NODE_VERSION`, `YARN_VERSION`; the `node` user, uid and gid 1000, home
 * /home/node; node on /usr/local/bin): `WORKDIR /app`, `ENV NODE_ENV=production`, `USER node`,
 * `ENTRYPOINT ["node", "gate/main.js"]` (no CMD). Its settings come only from --env-file.
 */
export const USAGE_GATE_IMAGE: UpstreamImage = {
    name: "usage gate",
    reference: /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/[^@:]+\/usage-gate[:@]/,
    source: "gate/Dockerfile (this repository)",
    workdir: "/app",
    user: { name: "node", uid: 1000, gid: 1000, home: "/home/node" },
    env: {
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        NODE_ENV: "production",
    },
    cmd: ["node", "gate/main.js"],
    executables: ["node", "sh"],
    pythonModules: [],
    workdirModules: [],
    volumePaths: [],
};

export const UPSTREAM_IMAGES: readonly UpstreamImage[] = [
    OPEN_WEBUI_IMAGE,
    GATEWAY_IMAGE,
    USAGE_GATE_IMAGE,
];

/**
 * Images the boot scripts run with their own command and only the paths their documentation
 * names, with no command or health check of ours inside: not described, on purpose.
 */
export const UNDESCRIBED_IMAGES: readonly RegExp[] = [/^docker\.io\/library\/caddy[:@]/];

/** The description of the image a `docker run` names; undefined for an undescribed one. */
export function describedImage(reference: string): UpstreamImage | undefined {
    return UPSTREAM_IMAGES.find((image) => image.reference.test(reference));
}
