"use strict";
// Preloaded by `npm run bench` into each measured process: writes the process's own CPU time and
// peak memory to the file named by AI_PORTAL_BENCH_OUT when it exits.
const fs = require("fs");

process.on("exit", () => {
    const usage = process.resourceUsage();
    const out = {
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        maxRssMb: usage.maxRSS / 1024,
    };
    fs.writeFileSync(process.env.AI_PORTAL_BENCH_OUT, JSON.stringify(out));
});
