/**
 * Counterexamples the differential property test found, kept as conformance cases (YAML, the
 * corpus format) and run on both the reference evaluator and the wasm engine.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compileModule } from "../../compiler/emit/compile-module.js";
import { evaluate } from "../../compiler/reference/index.js";
import { Enforcer, loadModule } from "../../runtime/index.js";
import { checkCaseWith, type Decide, loadCorpus } from "../conformance/corpus.js";

const cases = loadCorpus(join(import.meta.dirname, "counterexamples"));

const engines: Record<string, Decide> = {
  reference: (model, ctx, flows) => flows.map((f) => evaluate(model, ctx, f)),
  wasm: (model, ctx, flows) => {
    const enforcer = new Enforcer(loadModule(compileModule(model).bytes));
    enforcer.setInventory(ctx.inventory);
    for (const [name, ips] of Object.entries(ctx.dns)) enforcer.addDnsResolution(name, ips);
    return enforcer.decideMany(flows);
  },
};

describe("differential counterexamples", () => {
  test("there are cases", () => expect(cases.length).toBeGreaterThan(0));
  for (const [engine, decide] of Object.entries(engines)) {
    for (const c of cases) test(`${engine}: ${c.name}`, () => checkCaseWith(c, decide));
  }
});
