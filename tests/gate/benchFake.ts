/** The fake gateway as a process of its own, for `npm run bench:gate`: prints its port, serves until killed. */
import { startFakeGateway } from "./fakeGateway";

void startFakeGateway(process.env.BENCH_API_KEY ?? "", { keepRequests: false }).then((fake) => {
    fake.script = {
        inputTokens: 120,
        outputTokens: 60,
        pieces: ["One", " two", " three", " four", " five"],
    };
    process.stdout.write(`${JSON.stringify({ port: fake.port })}\n`);
});
