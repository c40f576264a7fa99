/**
 * The engine decides most flows on its fast path (asm/fast.ts: no DNS record on either side, no
 * X-Forwarded-For lookup) and the rest on the general path (asm/decide.ts). Both must give the
 * same primary lookup: a flow with an X-Forwarded-For client takes the general path, and its
 * primary lookup must equal the one the same flow without the header gets on the fast path. The
 * port interval index (a u16 bucket per 16 ports) is checked against the reference on every port
 * of a table with an interval on every port of a busy range.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as A from "../../common/abi.js";
import type { Flow } from "../../common/schema.js";
import { compileModule } from "../../compiler/pipeline.js";
import { evaluate, FlowError } from "../../compiler/reference/index.js";
import { Enforcer, loadModule } from "../../runtime/index.js";
import { arbScenario } from "../arbitraries/model.js";
import { modelOf, referenceDecision } from "./helpers.js";
import { propertyRuns } from "../property-runs.js";

const RUNS = Math.max(200, Math.floor(propertyRuns(3000, 3000) / 10));

/** The primary lookup's fields of each result record: status, kinds, action, mode, awaiting, rule. */
function primaries(raw: Uint8Array, n: number): number[][] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: n }, (_, i) => {
    const r = i * A.RESULT_SIZE;
    return [
      raw[r + A.R_STATUS] as number,
      raw[r + A.R_SRC_KIND] as number,
      raw[r + A.R_DST_KIND] as number,
      raw[r + A.R_PACTION] as number,
      raw[r + A.R_PMODE] as number,
      raw[r + A.R_PAWAIT] as number,
      view.getUint32(r + A.R_PRULE, true),
    ];
  });
}

describe("fast path = general path", () => {
  test("a flow's primary lookup is the same with and without an X-Forwarded-For client", () => {
    fc.assert(
      fc.property(arbScenario({ maxRules: 150, maxFlows: 8, services: true }), fc.constantFrom("8.8.8.8", "10.0.0.1", "fd00::2"), ({ model, ctx, flows }, client) => {
        const withXff = { ...model, settings: { ...model.settings, xff: true } };
        const enforcer = new Enforcer(loadModule(compileModule(withXff).bytes));
        enforcer.setInventory(ctx.inventory);
        // No DNS: the flows without a client all take the fast path.
        const valid = flows.filter((f) => {
          try {
            evaluate(withXff, { inventory: ctx.inventory, dns: {} }, f);
            return true;
          } catch (e) {
            if (e instanceof FlowError) return false;
            throw e;
          }
        });
        const plain: Flow[] = valid.map(({ xff: _xff, ...f }) => f);
        const general: Flow[] = plain.map((f) => ({ ...f, xff: client }));
        const a = enforcer.decideEncoded(enforcer.encode(plain));
        const b = enforcer.decideEncoded(enforcer.encode(general));
        expect(primaries(b, general.length)).toEqual(primaries(a, plain.length));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  test("the port interval index finds every port's interval", () => {
    // An interval boundary on every port of 7990–8210 (16-port buckets with up to 16 intervals),
    // a few far apart, and ranges crossing bucket boundaries; udp gets the same.
    const rules: string[] = [];
    let id = 1;
    for (let p = 7990; p <= 8210; p += 1) rules.push(`rule ${id++} allow a -> b port tcp/${p}`);
    for (const p of [0, 1, 15, 16, 17, 255, 256, 4095, 4096, 65534, 65535]) rules.push(`rule ${id++} allow a -> b port tcp/${p}, udp/${p}`);
    for (const [lo, hi] of [[20, 47], [100, 1000], [8001, 8033], [60000, 65535]]) rules.push(`rule ${id++} deny a -> b port tcp/${lo}-${hi}, udp/${lo}-${hi}`);
    const model = modelOf(`policy port-index\nservice a = nv.a.ns\nservice b = nv.b.ns\n${rules.join("\n")}\n`);
    const inventory = {
      workloads: [
        { name: "a-0", namespace: "ns", service: "a", labels: {}, nsLabels: {}, images: [], containers: ["a"], node: "n", ips: ["10.1.0.1"] },
        { name: "b-0", namespace: "ns", service: "b", labels: {}, nsLabels: {}, images: [], containers: ["b"], node: "n", ips: ["10.1.0.2"] },
      ],
      nodes: [],
      internalSubnets: ["10.0.0.0/8"],
      serviceExternalIps: [],
    };
    const enforcer = new Enforcer(loadModule(compileModule(model).bytes));
    enforcer.setInventory(inventory);
    const ctx = { inventory, dns: {} };
    for (const proto of ["tcp", "udp"] as const) {
      const flows: Flow[] = [];
      const ports = new Set<number>();
      for (const [lo, hi] of [[0, 300], [900, 1100], [3990, 4200], [7900, 8300], [59_990, 60_010], [65_400, 65_535]] as const) {
        for (let p = lo; p <= hi; p++) ports.add(p);
      }
      for (let p = 0; p <= 65535; p += 97) ports.add(p);
      for (const port of ports) flows.push({ src: "10.1.0.1", dst: "10.1.0.2", proto, port });
      const got = enforcer.decideMany(flows);
      const rules = got.map((d) => d.rule);
      const want = flows.map((f) => referenceDecision(evaluate(model, ctx, f)).rule);
      expect(rules).toEqual(want);
    }
  }, 120_000);
});
