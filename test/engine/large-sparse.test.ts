/**
 * Engine = reference on a 40,000-rule generated policy (sparse sets with 10 summary words). A file of
 * its own so the test runner can run it beside large.test.ts's other big cases.
 */
import { describe, test } from "vitest";
import { propertyRuns } from "../property-runs.js";
import { generatedAgrees } from "./generated-agrees.js";

/** The reference evaluator's linear scan of 40k rules per flow is most of the cost: 300 flows in CI. */
const FLOWS = propertyRuns(300, 600);

describe("large generated policies", () => {
  test(`40,000 rules (sparse sets: 10 summary words), 300 workloads, DNS names: wasm = reference on ${FLOWS} flows`, () => {
    generatedAgrees(40_000, 300, FLOWS);
  });
});
