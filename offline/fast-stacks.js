"use strict";
// The Pulumi SDK captures a stack trace (`new Error().stack`) for every promise and resource it
// creates, only to keep it for diagnostics. ts-node's source-map support rewrote each of those
// frame by frame, which made one program run under mocks three times slower; formatting their
// frames at all still cost a tenth of the offline plan. Nothing reads them here: the promise
// traces are printed only with PULUMI_DEBUG_PROMISE_LEAKS set (then they keep V8's plain frames),
// and the source positions the SDK derives from the resource traces go to the engine, which the
// mock runtime replaces. So those anonymous, message-less errors get no frames; every other error
// (assertions, real failures) keeps source-mapped stacks pointing at the TypeScript lines.
const sourceMapped = Error.prepareStackTrace;
const promiseLeakDebugging = Boolean(process.env.PULUMI_DEBUG_PROMISE_LEAKS);

function plain(error, frames) {
    return `${error}${frames.map((frame) => `\n    at ${frame}`).join("")}`;
}

function isSdkTrace(error) {
    return Boolean(error) && error.constructor === Error && error.message === "";
}

Error.prepareStackTrace = (error, frames) => {
    if (isSdkTrace(error)) {
        return promiseLeakDebugging ? plain(error, frames) : String(error);
    }
    return sourceMapped ? sourceMapped(error, frames) : plain(error, frames);
};
