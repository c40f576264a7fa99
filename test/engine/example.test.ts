/** examples/enforcer.ts, the documented enforcer example, runs and prints what docs/module.md shows. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { compileShop, enforce } from "../../examples/enforcer.js";

test("examples/enforcer.ts compiles, loads and enforces the shop policy", () => {
  const wasm = compileShop(mkdtempSync(join(tmpdir(), "nvp-example-")));
  expect(enforce(wasm)).toEqual([
    "10.3.0.31 -> 172.16.5.20 tcp/5432: pending rule 10, mode protect, awaiting app",
    "10.3.0.31 -> 172.16.5.20 tcp/5432 postgresql: allow rule 10, mode protect",
    "10.3.0.2 -> 10.3.0.31 tcp/8080 http: allow rule 20, mode monitor",
    "10.3.0.2 -> 10.3.0.31 tcp/8080 http: deny rule 0, mode protect, xff deny rule 0",
    "10.3.0.31 -> 169.254.169.254 tcp/80: deny rule 30, mode protect",
    "10.3.0.31 -> 93.184.216.34 tcp/443: deny rule 40, mode protect",
  ]);
});
