/** The fixed seed reaches every test file (test/seed-setup.ts), and NVP_SEED is read as documented. */
import fc from "fast-check";
import { afterEach, expect, test } from "vitest";
import { fixedSeed } from "./property-runs.js";

const saved = process.env["NVP_SEED"];
afterEach(() => {
  if (saved === undefined) delete process.env["NVP_SEED"];
  else process.env["NVP_SEED"] = saved;
});

test("the global fast-check seed is the one NVP_SEED names", () => {
  expect(fc.readConfigureGlobal().seed).toBe(fixedSeed());
});

test("NVP_SEED: unset is the fixed default, random is none, an integer is itself, anything else is refused", () => {
  delete process.env["NVP_SEED"];
  expect(fixedSeed()).toBe(20261207);
  process.env["NVP_SEED"] = "random";
  expect(fixedSeed()).toBeUndefined();
  process.env["NVP_SEED"] = "-42";
  expect(fixedSeed()).toBe(-42);
  process.env["NVP_SEED"] = "often";
  expect(() => fixedSeed()).toThrow(/NVP_SEED/);
});
