/**
 * import ∘ export on a generated corpus of NeuVector CRD YAML (test/arbitraries/crd.ts): every file
 * imports without error; exporting the imported policy and importing that again gives a policy
 * that decides every flow as the first one did (action, mode, awaiting, and the same CRD rule) on
 * the reference evaluator and on the compiled module; the export passes the chart's schema; the
 * text is stable. CI runs 100 files; NVP_PROPERTY_RUNS=1000 runs the full corpus.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { arbCrdYaml } from "../arbitraries/crd.js";
import { arbDnsTable, arbFlow, arbInventory, EXTERNAL_IPS } from "../arbitraries/model.js";
import { checkText, crdValidator, expectSameVerdicts, importOk, tripThroughCrd } from "./helpers.js";
import { propertyRuns } from "../property-runs.js";

const RUNS = propertyRuns(100, 1000);

const arbCase = fc.record({ yaml: arbCrdYaml(), inventory: arbInventory() }).chain(({ yaml, inventory }) => {
  const hot = [...inventory.workloads.flatMap((w) => w.ips), ...inventory.nodes.flatMap((n) => n.ips), ...EXTERNAL_IPS.slice(0, 2)];
  return fc.record({ yaml: fc.constant(yaml), inventory: fc.constant(inventory), dns: arbDnsTable(hot), flows: fc.array(fc.oneof(arbFlow(hot), arbFlow()), { minLength: 4, maxLength: 10 }) });
});

describe("a generated CRD corpus", () => {
  test(`${RUNS} random CRD files import, and import ∘ export keeps every verdict on both engines`, () => {
    const validate = crdValidator();
    let rules = 0;
    fc.assert(
      fc.property(arbCase, ({ yaml, inventory, dns, flows }) => {
        const first = importOk([{ name: "corpus.yaml", text: yaml }]);
        const model = checkText(first.text);
        rules += model.rules.length;
        const trip = tripThroughCrd(model);
        if (!trip) throw new Error(`an imported policy must export:\n${first.text}`);
        for (const doc of trip.docs) expect(validate(doc)).toEqual([]);
        const split = trip.warnings.includes("NV6204");
        expectSameVerdicts(model, trip.model, trip.idMap, { inventory, dns }, split ? flows.map((f) => ({ host: "", ...f })) : flows);
        // Stable: one more pass changes nothing.
        expect(tripThroughCrd(trip.model)?.text).toBe(trip.text);
      }),
      { numRuns: RUNS },
    );
    expect(rules).toBeGreaterThan(RUNS);
  }, Math.max(120_000, RUNS * 600));
});
