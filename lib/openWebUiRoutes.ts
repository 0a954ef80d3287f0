/**
 * Open WebUI's HTTP routes that the edge treats specially, read from upstream's backend
 * (open-webui/open-webui: backend/open_webui/main.py mounts each router of
 * backend/open_webui/routers/ under its prefix and declares the /api/chat/* routes itself).
 *
 * Paths are written as Open WebUI routes them: uvicorn percent-decodes the path before FastAPI
 * matches it (so `/api/v1/auths/sign%69n` and `/api/v1/auths%2Fsignin` reach `signin`), and
 * FastAPI's matching is case-sensitive. Whoever matches these paths on the raw request (WAF, the
 * ALB, Caddy) must decode first.
 */

/**
 * Routes that take a credential: the paths a per-address sign-in rate limit covers (WAF in the
 * load-balanced tier). Upstream rate-limits only `signin`, in its own process; the LDAP route, which
 * binds to the directory with whatever password it is given, has no limit there.
 */
export const SIGN_IN_PATHS: readonly string[] = [
    // routers/auths.py `signin`: a local account's e-mail and password (compute/settings.ts
    // LOCAL_SIGN_IN_PATH; the break-glass rule keeps it to the admin ranges).
    "/api/v1/auths/signin",
    // routers/auths.py `ldap_auth`: a directory user name and password, bound against AD.
    "/api/v1/auths/ldap",
    // routers/auths.py `signup`: creates a local account with a password (refused while
    // ENABLE_SIGNUP is false, but the route still answers).
    "/api/v1/auths/signup",
    // routers/auths.py `update_password`: checks the current password of a signed-in session.
    "/api/v1/auths/update/password",
    // routers/mfa.py `verify_mfa_challenge` (mounted at /api/v1/auths/mfa in the releases that
    // have MFA): a TOTP or recovery code, the second half of a sign-in.
    "/api/v1/auths/mfa/verify",
];

/**
 * Path prefixes whose request bodies are what people paste: conversations, code, logs, files. AWS's
 * managed body rules (path traversal, URLs with IP addresses, the instance metadata address,
 * `${jndi:`, Java deserialization gadgets) match such text as attacks, so on these paths they only
 * count (the edge's WAF). Every other path keeps them blocking.
 */
export const PASTED_TEXT_PATH_PREFIXES: readonly string[] = [
    // main.py `chat_completion`: every chat turn carries the conversation so far.
    "/api/chat/completions",
    // main.py: the same handler under its OpenAI-compatible name (API keys, scripts).
    "/api/v1/chat/completions",
    // main.py `chat_completed`: the finished conversation, through the outlet filters.
    "/api/chat/completed",
    // main.py `chat_action`: a message and its chat, to an action function.
    "/api/chat/actions/",
    // routers/chats.py: new chat, update (the whole history), import, clone of saved chats.
    "/api/v1/chats/",
    // routers/files.py: uploads (the file itself) and edits of an upload's extracted text.
    "/api/v1/files/",
    // routers/knowledge.py: knowledge bases, files added to them, their edited content.
    "/api/v1/knowledge/",
    // routers/retrieval.py `process_text`: pasted text into the vector store.
    "/api/v1/retrieval/process/text",
    // routers/retrieval.py `process_file`, `process_files_batch`: an upload's (edited) content.
    // Not process/web or process/youtube: those fetch a URL from the server and stay guarded.
    "/api/v1/retrieval/process/file",
    // routers/memories.py: memories are sentences taken from chats.
    "/api/v1/memories/",
    // routers/prompts.py: saved prompts are pasted text.
    "/api/v1/prompts/",
    // routers/notes.py: notes are pasted text.
    "/api/v1/notes/",
    // routers/channels.py: channel messages.
    "/api/v1/channels/",
    // routers/tasks.py: title, tags, follow-ups, queries and autocompletion send the chat again.
    "/api/v1/tasks/",
    // routers/evaluations.py `create_feedback`: a rating carries a snapshot of the chat.
    "/api/v1/evaluations/feedback",
    // routers/utils.py `execute_code`, `format_code`: code blocks from chats.
    "/api/v1/utils/code/",
    // routers/utils.py `download_chat_as_pdf`: a chat's messages.
    "/api/v1/utils/pdf",
];
