"use strict";
// The Pulumi SDK captures a stack trace (`new Error().stack`) for every promise and resource it
// creates, only to keep it for diagnostics. ts-node's source-map support rewrites each of those
// frame by frame, which made one program run under mocks three times slower. Those anonymous,
// message-less errors get V8's plain format; every other error (assertions, real failures) keeps
// source-mapped stacks pointing at the TypeScript lines.
const sourceMapped = Error.prepareStackTrace;

function plain(error, frames) {
    return `${error}${frames.map((frame) => `\n    at ${frame}`).join("")}`;
}

Error.prepareStackTrace = (error, frames) =>
    sourceMapped && !(error && error.constructor === Error && error.message === "")
        ? sourceMapped(error, frames)
        : plain(error, frames);
