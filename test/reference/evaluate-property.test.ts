/**
 * Properties of the reference evaluator on random models, inventories and flows: it never throws
 * on a valid flow, always answers an action from ACTIONS with a rule id of the model (or 0), and
 * the parts of the verdict agree with each other.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { ACTION_RANK, ACTIONS, MODES } from "../../common/schema.js";
import { evaluate } from "../../compiler/reference/index.js";
import { arbScenario } from "../arbitraries/model.js";

describe("evaluate on random inputs", () => {
  test("never throws; action in ACTIONS; rule 0 or a rule of the model", () => {
    fc.assert(
      fc.property(arbScenario(), ({ model, ctx, flows }) => {
        const ids = new Set(model.rules.map((r) => r.id));
        for (const flow of flows) {
          const v = evaluate(model, ctx, flow);
          expect(ACTIONS).toContain(v.action);
          expect(v.rule === 0 || ids.has(v.rule)).toBe(true);
          expect(v.trace.length).toBeGreaterThan(3);
        }
      }),
      { numRuns: 300 },
    );
  });

  test("pending always says what it awaits, and nothing else does", () => {
    fc.assert(
      fc.property(arbScenario(), ({ model, ctx, flows }) => {
        for (const flow of flows) {
          const v = evaluate(model, ctx, flow);
          expect(v.awaiting !== undefined).toBe(v.action === "pending");
          if (v.action === "pending") expect(v.rule).not.toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });

  test("the xff lookup never makes a verdict less severe, and runs only when enabled", () => {
    fc.assert(
      fc.property(arbScenario(), ({ model, ctx, flows }) => {
        for (const flow of flows) {
          const v = evaluate(model, ctx, flow);
          const primary = evaluate(model, ctx, { ...flow, xff: undefined });
          expect(ACTION_RANK[v.action]).toBeGreaterThanOrEqual(ACTION_RANK[primary.action]);
          if (!model.settings.xff || flow.xff === undefined) {
            expect(v.xff).toBeUndefined();
            expect({ action: v.action, rule: v.rule }).toEqual({ action: primary.action, rule: primary.rule });
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test("nodes are unmanaged peers: nodes-mode never changes a network verdict", () => {
    fc.assert(
      fc.property(arbScenario(), fc.constantFrom(...MODES), ({ model, ctx, flows }, nodesMode) => {
        const other = { ...model, settings: { ...model.settings, nodesMode } };
        for (const flow of flows) {
          const v = evaluate(model, ctx, flow);
          const w = evaluate(other, ctx, flow);
          expect([w.action, w.rule, w.mode]).toEqual([v.action, v.rule, v.mode]);
          if (v.src.kind === "node") expect(v.src.mode).toBeUndefined();
        }
      }),
      { numRuns: 150 },
    );
  });
});
