/**
 * How many cases a property or fuzz test runs. A default `npm test` runs the CI count, sized so no
 * test needs more than about 20 s on a quiet 2-core machine; NVP_PROPERTY_RUNS=full runs the full
 * count, and NVP_PROPERTY_RUNS=<n> exactly n (for a long local run). Never a clock: the same
 * setting always runs the same number of cases. docs/testing.md lists the tests and their counts.
 */
export function propertyRuns(ci: number, full: number): number {
  const env = process.env["NVP_PROPERTY_RUNS"];
  if (env === undefined || env === "") return ci;
  if (env === "full") return full;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`NVP_PROPERTY_RUNS must be \`full\` or a positive integer, got \`${env}\``);
  return n;
}

/** A test's time-out for `cases` cases of about `msPerCase` each on a quiet machine: never below the default. */
export function timeoutFor(cases: number, msPerCase: number): number {
  return Math.max(120_000, cases * msPerCase * 4);
}

/** The seed every property test starts from: NVP_SEED (default 20261207), or undefined for `random`. */
export function fixedSeed(): number | undefined {
  const env = process.env["NVP_SEED"];
  if (env === "random") return undefined;
  if (env === undefined || env === "") return 20261207;
  const n = Number(env);
  if (!Number.isSafeInteger(n)) throw new Error(`NVP_SEED must be \`random\` or an integer, got \`${env}\``);
  return n;
}
