import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    // One fixed fast-check seed unless NVP_SEED says otherwise (test/seed-setup.ts).
    setupFiles: ["./test/seed-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Every core (vitest's default leaves one idle: on a 2-core laptop or CI machine that halves
    // the speed). No test measures time, so running beside each other cannot make one fail.
    maxWorkers: availableParallelism(),
  },
});
