/**
 * The differential property test (design.md §6): random policies × inventories × DNS tables ×
 * flows, compiled to a module and run on the WebAssembly engine (both builds: scalar and SIMD), must get the reference
 * evaluator's action, rule, mode and awaiting — for the final verdict and the X-Forwarded-For
 * lookup. A case is one (policy, inventory, DNS, flow) combination; each run checks at least
 * 3·10³ of them (10⁴ with NVP_PROPERTY_RUNS=full). Locally: NVP_PROPERTY_RUNS=1000000 (scenarios)
 * for a long run.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { wasmEnforcer } from "../../cli/engines.js";
import { evaluate, FlowError } from "../../compiler/reference/index.js";
import type { Flow } from "../../common/schema.js";
import { NvpRuntimeError } from "../../runtime/index.js";
import { arbScenario, type Scenario } from "../arbitraries/model.js";
import { propertyRuns, timeoutFor } from "../property-runs.js";
import { onBothEngines } from "./both-engines.js";
import { referenceDecision } from "./helpers.js";

const SCENARIOS = propertyRuns(1000, 3000);
const FLOWS_PER_SCENARIO = 8;
/** About 6 ms per scenario on a quiet machine; long local runs need more than the default. */
const TIMEOUT = timeoutFor(SCENARIOS, 6);

function check({ model, ctx, flows }: Scenario): number {
  const enforcer = wasmEnforcer(model, ctx.inventory, ctx.dns);
  for (const flow of flows) {
    let expected: ReturnType<typeof referenceDecision> | "error";
    try {
      expected = referenceDecision(evaluate(model, ctx, flow));
    } catch (e) {
      if (!(e instanceof FlowError)) throw e;
      expected = "error";
    }
    if (expected === "error") {
      expect(() => enforcer.decide(flow as Flow)).toThrow(NvpRuntimeError);
      continue;
    }
    expect({ flow, got: enforcer.decide(flow) }).toEqual({ flow, got: expected });
  }
  return flows.length;
}

onBothEngines(() => describe("wasm engine = reference evaluator", () => {
  test(`${SCENARIOS} random scenarios of up to ${FLOWS_PER_SCENARIO} flows`, () => {
    let cases = 0;
    fc.assert(
      fc.property(arbScenario({ maxRules: 10, maxFlows: FLOWS_PER_SCENARIO, externalIps: true, services: true }), (s) => {
        cases += check(s);
      }),
      { numRuns: SCENARIOS },
    );
    // The floor a run promises (about 4.5 flows per scenario on average).
    if (SCENARIOS >= 3000) expect(cases).toBeGreaterThanOrEqual(10_000);
    else if (SCENARIOS >= 1000) expect(cases).toBeGreaterThanOrEqual(3_000);
  }, TIMEOUT);

  test("policies of up to 200 rules (several 64-rule words per set)", () => {
    fc.assert(
      fc.property(arbScenario({ maxRules: 200, maxFlows: FLOWS_PER_SCENARIO }), (s) => {
        check(s);
      }),
      { numRuns: Math.max(50, Math.floor(SCENARIOS / 10)) },
    );
  }, TIMEOUT);
}));
