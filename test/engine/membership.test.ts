/**
 * runtime/host/membership.ts (host-side workload criteria, from module metadata) must agree with the
 * reference evaluator's criteria and mode rules on random models and workloads.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { MetaGroup } from "../../common/abi-meta.js";
import { workloadSelected } from "../../compiler/reference/index.js";
import { endpointMode } from "../../compiler/reference/modes.js";
import { MembershipMatcher } from "../../runtime/host/membership.js";
import { arbInventory, arbPolicyModel } from "../arbitraries/model.js";

describe("MembershipMatcher = reference", () => {
  test("service and criteria groups, and workload modes, on random models", () => {
    fc.assert(
      fc.property(arbPolicyModel(), arbInventory(false, true), (model, inventory) => {
        const matcher = new MembershipMatcher(model.groups as MetaGroup[], model.settings.defaultMode);
        for (const w of inventory.workloads) {
          const want = model.groups
            .filter((g) =>
              g.kind === "service" ? g.service?.service === w.service && g.service.namespace === w.namespace : g.kind === "workload" && workloadSelected(w, g.criteria ?? []),
            )
            .map((g) => g.index);
          const got = matcher.of(w);
          expect(got.groups).toEqual(want);
          expect(got.mode).toBe(endpointMode(model, { kind: "workload", workload: w }));
        }
      }),
      { numRuns: 1500 },
    );
  });

  test("glob metacharacters of regular expressions are literal", () => {
    const w = { name: "a", namespace: "a.b", service: "s", labels: { app: "x+y" }, nsLabels: {}, images: ["r/(1)"], containers: [], node: "n", ips: [] };
    const m = (criteria: MetaGroup["criteria"]) => new MembershipMatcher([{ name: "g", kind: "workload", criteria }], "discover").of(w).groups;
    expect(m([{ key: "namespace", op: "=", value: "a.b" }])).toEqual([0]);
    expect(m([{ key: "namespace", op: "=", value: "a?b" }])).toEqual([0]);
    expect(m([{ key: "namespace", op: "=", value: "a.c" }])).toEqual([]);
    expect(m([{ key: "namespace", op: "=", value: "aXb" }])).toEqual([]);
    expect(m([{ key: "label", labelKey: "app", op: "=", value: "x+y" }])).toEqual([0]);
    expect(m([{ key: "image", op: "=", value: "r/(*)" }])).toEqual([0]);
    expect(m([{ key: "image", op: "regex", value: "(" }])).toEqual([]);
  });
});
