/**
 * Root hooks of the integration suite: start the slow components early, in the background, so they
 * come up while the first tests run (a test that needs one still waits for it and fails with its
 * reason if it could not start); stop every daemon the suite started, by PID, at the end.
 */
import { database, directory } from "./fixtures";
import { stopAllDaemons } from "./process";

const background: Promise<unknown>[] = [];

export const mochaHooks = {
    beforeAll(): void {
        // Errors surface in the tests that await these.
        background.push(directory(), database());
    },
    async afterAll(): Promise<void> {
        await stopAllDaemons(background);
    },
};
