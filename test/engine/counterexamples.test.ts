/**
 * Counterexamples the differential property test found, kept as conformance cases (YAML, the
 * corpus format) and run on both the reference evaluator and the wasm engine.
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { referenceBatch, wasmBatch } from "../../cli/engines.js";
import { checkCaseWith, type Decide, loadCorpus } from "../conformance/corpus.js";

const cases = loadCorpus(join(import.meta.dirname, "counterexamples"));

const engines: Record<string, Decide> = { reference: referenceBatch, wasm: wasmBatch };

describe("differential counterexamples", () => {
  test("there are cases", () => expect(cases.length).toBeGreaterThan(0));
  for (const [engine, decide] of Object.entries(engines)) {
    for (const c of cases) test(`${engine}: ${c.name}`, () => checkCaseWith(c, decide));
  }
});
