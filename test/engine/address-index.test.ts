/**
 * The SIMD engine's IPv4 address index (asm/addr-index.ts: a 16-key-per-node B+ tree over the
 * table's interval starts, built when a table has 512 or more; the 40- and 300-rule sets stay
 * below that and check the SIMD engine's fallback to the binary search) against the reference evaluator
 * and the scalar engine's binary search: ClassBench-like policies (bench/classbench.ts) whose
 * address groups make hundreds to thousands of intervals, decided on the generated trace plus
 * every interval edge (first and last address of each prefix, one outside on each side, 0.0.0.0
 * and 255.255.255.255), so every node boundary of every level is crossed. Seeds, not a clock.
 */
import { describe, expect, test } from "vitest";
import { rng } from "../../bench/gen-policy.js";
import * as A from "../../common/abi.js";
import { generate, toNvp, type CbPacket } from "../../bench/classbench.js";
import { wasmEnforcer } from "../../cli/engines.js";
import { evaluate } from "../../compiler/reference/index.js";
import { emptyInventory, type Flow } from "../../common/schema.js";
import { isSimdEngine } from "../../runtime/module/engine-code.js";
import { engineInstance, loadModule } from "../../runtime/index.js";
import type { EngineExports } from "../../runtime/index.js";
import { compileModule } from "../../compiler/pipeline.js";
import { BOTH_ENGINES, withEngine } from "./both-engines.js";
import { modelOf, referenceDecision } from "./helpers.js";

const dotted = (ip: number) => [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** Addresses at and around every prefix edge of the rules, and the ends of the address space. */
function edges(rules: ReturnType<typeof generate>["rules"]): number[] {
  const out = new Set<number>([0, 1, 0xfffffffe, 0xffffffff]);
  for (const r of rules) {
    for (const p of [r.src, r.dst]) {
      const lo = (p.ip & maskOf(p.len)) >>> 0;
      const hi = (lo | ~maskOf(p.len)) >>> 0;
      for (const a of [lo - 1, lo, hi, hi + 1]) if (a >= 0 && a <= 0xffffffff) out.add(a);
    }
  }
  return [...out];
}

function flowsOf(trace: CbPacket[], addrs: number[]): Flow[] {
  const flows: Flow[] = trace.map((p) => ({ src: dotted(p.src), dst: dotted(p.dst), proto: p.proto === 17 ? "udp" : "tcp", port: p.dport }));
  // Each edge address once as destination and once as source, against a trace packet's other side.
  addrs.forEach((a, i) => {
    const p = trace[i % trace.length] as CbPacket;
    flows.push({ src: dotted(p.src), dst: dotted(a), proto: "tcp", port: p.dport });
    flows.push({ src: dotted(a), dst: dotted(p.dst), proto: "udp", port: p.dport });
  });
  return flows;
}

describe("SIMD address index = scalar binary search = reference", () => {
  for (const [rules, seed] of [
    [40, 11],
    [300, 12],
    [1000, 13],
  ] as const) {
    test(`${rules} ClassBench-like rules (seed ${seed})`, () => {
      const g = generate(rules, 600, seed);
      const model = modelOf(toNvp(g.rules).source);
      const flows = flowsOf(g.trace, edges(g.rules));
      const want = flows.map((f) => referenceDecision(evaluate(model, { inventory: emptyInventory(), dns: {} }, f)));
      for (const engine of BOTH_ENGINES) {
        expect(withEngine(engine, () => wasmEnforcer(model, emptyInventory(), {}).decideMany(flows))).toEqual(want);
      }
      // The sample matches many different rules.
      expect(new Set(want.map((d) => d.rule)).size).toBeGreaterThan(Math.min(30, rules / 4));
    });
  }

  test("a table whose IPv4 starts are out of order (a hostile one) gets the scalar engine's classes on the SIMD engine", () => {
    const bytes = compileModule(modelOf(toNvp(generate(1000, 1, 2).rules).source)).bytes;
    const instances = BOTH_ENGINES.map((engine) =>
      withEngine(engine, () => {
        const module = loadModule(bytes);
        return { module, ex: engineInstance(module).exports as unknown as EngineExports & { addrClass(lo: bigint, hi: bigint): number } };
      }),
    );
    const r = rng(5);
    const { base, length } = instances[0]!.module.meta.table;
    for (let round = 0; round < 20; round++) {
      // The same scramble of a quarter of the starts in both (the first stays 0, which init checks).
      const views = instances.map(({ ex }) => new DataView(ex.memory.buffer));
      const at = base + views[0]!.getUint32(base + A.H_ADDR4, true);
      const n = views[0]!.getUint32(base + A.H_ADDR4_N, true);
      expect(n).toBeGreaterThanOrEqual(512);
      for (let j = 0; j < n / 4; j++) {
        const i = 1 + Math.floor(r() * (n - 1));
        const x = Math.floor(r() * 2 ** 32);
        for (const v of views) v.setUint32(at + 4 * i, x, true);
      }
      const keys = Array.from({ length: 200 }, () => BigInt(Math.floor(r() * 2 ** 32)) | 0xffff00000000n);
      const classes = instances.map(({ ex }) => {
        expect(ex.init(base, length)).toBe(A.E_OK);
        return keys.map((k) => ex.addrClass(k, 0n));
      });
      expect(classes[1]).toEqual(classes[0]);
    }
  });

  test("the engine asked for is the engine that runs, and the SIMD one builds the index", () => {
    const bytes = compileModule(modelOf(toNvp(generate(1000, 1, 1).rules).source)).bytes;
    const dynamicBase = BOTH_ENGINES.map((engine) =>
      withEngine(engine, () => {
        const module = loadModule(bytes);
        expect(isSimdEngine(module.wasm)).toBe(engine === "simd");
        return (engineInstance(module).exports as unknown as EngineExports).dynamicBase();
      }),
    );
    // The index's levels lie between the scratch and the host's regions.
    expect(dynamicBase[1]).toBeGreaterThan(dynamicBase[0] as number);
  });
});
