"use strict";
// The floor `npm run bench` compares the offline plan with: an empty program that loads the SDK
// and @pulumi/aws under the mock runtime and declares nothing. No TypeScript, no program.
const pulumi = require("@pulumi/pulumi");

pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: () => ({}) },
    "ai-portal",
    "floor",
    false,
);
require("@pulumi/aws");
