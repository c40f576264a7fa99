/**
 * Sparse rule sets (docs/module.md "Rule sets"): past SET_DENSE_SUM summary words a set stores
 * only the super-summary groups it has bits in. The table gets smaller where it matters (100k
 * rules), and the engine refuses every malformed header (super-summary, entries, word offsets)
 * in the table and in host regions instead of reading outside a set.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as A from "../../common/abi.js";
import { setGeometry } from "../../common/abi-sets.js";
import { V4_BASE } from "../../common/ip.js";
import { emptyInventory, type Flow, type Inventory } from "../../common/schema.js";
import { checkSources, compileModule } from "../../compiler/pipeline.js";
import { encodeTable } from "../../compiler/encode/encode.js";
import { lowerModel } from "../../compiler/lower/lower.js";
import type { PolicyModel } from "../../compiler/model.js";
import { evaluate } from "../../compiler/reference/index.js";
import { generatePolicy } from "../../bench/gen-policy.js";
import { Enforcer, engineInstance, loadModule } from "../../runtime/index.js";
import type { EngineExports } from "../../runtime/module/load.js";
import { referenceDecision, regionInEngine } from "./helpers.js";

describe("set geometry", () => {
  test("dense up to SET_DENSE_SUM summary words, sparse after", () => {
    expect(setGeometry(10_000)).toMatchObject({ nSum: 3, group: 1, sparse: false });
    expect(setGeometry(64 * 64 * A.SET_DENSE_SUM)).toMatchObject({ nSum: A.SET_DENSE_SUM, sparse: false });
    expect(setGeometry(64 * 64 * A.SET_DENSE_SUM + 1)).toMatchObject({ nSum: A.SET_DENSE_SUM + 1, sparse: true });
    expect(setGeometry(300_000)).toMatchObject({ nSum: 74, group: 2, nGroups: 37, sparse: true });
  });

  test("a generated 100k-rule policy's sets take less than half the bytes of fixed headers", () => {
    const g = generatePolicy(100_000, 1000, 0);
    const model = checkSources({ "bench.nvp": g.source }, ["bench.nvp"]).model;
    if (!model) throw new Error("the generated policy does not check");
    const table = encodeTable(lowerModel(model));
    // Format 4 (S = 25 summary words and ranks in every set): 2,783,752 bytes; format 5: 1,165,160.
    expect(table.sizes.sets).toBeLessThan(1_400_000);
    expect(table.bytes.length).toBeLessThan(3_000_000);
  });
});

/**
 * A flat policy with `n` rules: a -> b on tcp port i % 5003 (a port's set: a rule every 5003, a
 * few groups out of many), c -> b instead for the middle quarter (c's sets: those slots and the
 * any rules, clustered first), every 101st rule any -> b on a udp range; the last rule catches all.
 */
function flatModel(n: number): PolicyModel {
  return {
    name: "flat",
    params: {},
    settings: { xff: true, contention: "basic", defaultMode: "protect", nodesMode: "discover", extra: {} },
    groups: [
      { index: 0, name: "any", kind: "builtin", builtin: "any" },
      { index: 1, name: "a", kind: "address", addresses: [{ kind: "ip", lo: V4_BASE | 0x0a000000n, hi: V4_BASE | 0x0a0000ffn, text: "10.0.0.0/24" }] },
      { index: 2, name: "b", kind: "address", addresses: [{ kind: "ip", lo: V4_BASE | 0x0a000100n, hi: V4_BASE | 0x0a0001ffn, text: "10.0.1.0/24" }] },
      { index: 3, name: "c", kind: "address", addresses: [{ kind: "ip", lo: V4_BASE | 0x0a000200n, hi: V4_BASE | 0x0a0002ffn, text: "10.0.2.0/24" }] },
    ],
    rules: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      action: i % 3 ? "allow" : "deny",
      learned: false,
      from: [i % 101 === 100 ? 0 : i >= n / 2 && i < (3 * n) / 4 ? 3 : 1],
      to: [2],
      apps: [],
      ports: i === n - 1 ? [] : i % 101 === 100 ? [{ proto: "udp", lo: i % 60000, hi: (i % 60000) + 300 }] : [{ proto: "tcp", lo: i % 5003, hi: i % 5003 }],
    })),
  } as PolicyModel;
}

/** 10 summary words (sparse), the last word holding one rule. */
const N = 40_001;
const model = flatModel(N);
const mod = loadModule(compileModule(model).bytes);
const geo = setGeometry(N);
const base = mod.meta.table.base;

function instance(): EngineExports {
  return engineInstance(mod).exports as unknown as EngineExports;
}

/** Absolute addresses of the table's sets. */
function setAddresses(view: DataView): number[] {
  const n = view.getUint32(base + A.H_NSETS, true);
  const offs = base + view.getUint32(base + A.H_SET_OFFS, true);
  return Array.from({ length: n }, (_, i) => base + view.getUint32(offs + 4 * i, true));
}

const popcount = (x: bigint) => [...x.toString(2)].filter((c) => c === "1").length;

/** A set with some groups stored and some not (and more than one word). */
function partialSet(view: DataView): number {
  const at = setAddresses(view).find((p) => {
    const k = popcount(view.getBigUint64(p + A.SET_SUPER, true));
    return k >= 2 && k < geo.nGroups && view.getUint32(p + A.SET_NNZ, true) >= 2;
  });
  if (at === undefined) throw new Error("no partially filled set in the table");
  return at;
}

describe("sparse sets in the engine", () => {
  test("the table is sparse, a port's set stores only its groups, and decisions match the reference", () => {
    expect(geo.sparse).toBe(true);
    const ex = instance();
    expect(ex.init(base, mod.meta.table.length)).toBe(A.E_OK);
    const view = new DataView(ex.memory.buffer);
    const p = partialSet(view);
    const groups = popcount(view.getBigUint64(p + A.SET_SUPER, true));
    expect(view.getUint32(p + A.SET_WORDS, true)).toBe(A.SET_ENTRIES + groups * A.SET_ENTRY);
    const enforcer = new Enforcer(mod);
    const flows = [
      ...[7, 5002, 4999, 17, 65535].map((port) => ({ src: "10.0.0.5", dst: "10.0.1.5", proto: "tcp" as const, port })),
      ...[12, 39_000, 59_990].map((port) => ({ src: "192.0.2.1", dst: "10.0.1.5", proto: "udp" as const, port })),
      { src: "192.0.2.1", dst: "10.0.2.5", proto: "udp" as const, port: 12 },
      ...[22_000, 25_010, 2, 4000].map((i) => ({ src: "10.0.2.7", dst: "10.0.1.5", proto: "tcp" as const, port: i % 5003 })),
      { src: "10.0.0.9", dst: "10.0.1.9", proto: "icmp" as const },
    ];
    const ctx = { inventory: emptyInventory(), dns: {} };
    expect(enforcer.decideMany(flows)).toEqual(flows.map((f) => referenceDecision(evaluate(model, ctx, f))));
  });

  // Each edit makes one header field of a partially filled set inconsistent.
  const edits: [string, (v: DataView, p: number) => void][] = [
    ["a super bit without stored entries", (v, p) => {
      const sup = v.getBigUint64(p + A.SET_SUPER, true);
      const free = [...Array(geo.nGroups).keys()].find((g) => ((sup >> BigInt(g)) & 1n) === 0n) ?? 0;
      v.setBigUint64(p + A.SET_SUPER, sup | (1n << BigInt(free)), true);
    }],
    ["a super bit past the last group", (v, p) => v.setBigUint64(p + A.SET_SUPER, v.getBigUint64(p + A.SET_SUPER, true) | (1n << 63n), true)],
    ["a super bit cleared", (v, p) => {
      const sup = v.getBigUint64(p + A.SET_SUPER, true);
      v.setBigUint64(p + A.SET_SUPER, sup & (sup - 1n), true);
    }],
    ["the words' offset", (v, p) => v.setUint32(p + A.SET_WORDS, v.getUint32(p + A.SET_WORDS, true) + 16, true)],
    ["the word count", (v, p) => v.setUint32(p + A.SET_NNZ, v.getUint32(p + A.SET_NNZ, true) - 1, true)],
    ["an entry's word offset", (v, p) => v.setUint32(p + A.SET_ENTRIES + A.SET_ENTRY + A.SE_AT, v.getUint32(p + A.SET_ENTRIES + A.SET_ENTRY + A.SE_AT, true) + 8, true)],
    ["an entry's padding", (v, p) => v.setUint32(p + A.SET_ENTRIES + A.SE_AT + 4, 1, true)],
    ["a summary bit more (ranks no longer the running count)", (v, p) => {
      const s = v.getBigUint64(p + A.SET_ENTRIES + A.SE_SUM, true);
      v.setBigUint64(p + A.SET_ENTRIES + A.SE_SUM, s | (s + 1n), true);
    }],
    ["a group's summary words all zero", (v, p) => v.setBigUint64(p + A.SET_ENTRIES + A.SE_SUM, 0n, true)],
    ["a hostile word offset", (v, p) => v.setUint32(p + A.SET_ENTRIES + A.SE_AT, 0xfffffff0, true)],
  ];

  test.each(edits)("a table set with %s is refused", (_, edit) => {
    const ex = instance();
    const view = new DataView(ex.memory.buffer);
    edit(view, partialSet(view));
    expect(ex.init(base, mod.meta.table.length)).toBe(A.E_TABLE_CORRUPT);
    expect(ex.decideMany(1)).toBe(-A.E_NO_TABLE);
  });

  test("a bit past the last rule or the last word is refused", () => {
    for (const edit of ["word", "summary"]) {
      const ex = instance();
      const view = new DataView(ex.memory.buffer);
      // b's to-set holds every rule, so its last word is the rules' last word (one rule in it).
      const full = setAddresses(view).find((p) => view.getUint32(p + A.SET_NNZ, true) === geo.nWords);
      if (full === undefined) throw new Error("no set holds every rule");
      if (edit === "word") {
        const end = full + view.getUint32(full + A.SET_WORDS, true) + 8 * (geo.nWords - 1);
        view.setBigUint64(end, view.getBigUint64(end, true) | (1n << 63n), true);
      } else {
        const last = full + A.SET_ENTRIES + (geo.nSum - 1) * A.SET_ENTRY + A.SE_SUM;
        view.setBigUint64(last, view.getBigUint64(last, true) | (1n << 63n), true);
      }
      expect(ex.init(base, mod.meta.table.length)).toBe(A.E_TABLE_CORRUPT);
    }
  });

  test.each(edits)("an inventory region set with %s is refused", (_, edit) => {
    const ex = instance();
    expect(ex.init(base, mod.meta.table.length)).toBe(A.E_OK);
    const inv: Inventory = { ...emptyInventory(), workloads: [{ name: "w", namespace: "ns", service: "web", labels: {}, nsLabels: {}, images: [], containers: [], node: "n", ips: ["10.0.2.1"] }] };
    const { at, len, mem } = regionInEngine(mod, ex, inv);
    // The region's sets are the last bytes before its padding word: find one with several groups.
    const sets: number[] = [];
    for (let p = at; p + A.SET_ENTRIES <= at + len; p += 8) {
      const sup = mem.getBigUint64(p + A.SET_SUPER, true);
      const k = popcount(sup);
      if (k >= 2 && k < geo.nGroups && sup < 1n << BigInt(geo.nGroups) && mem.getUint32(p + A.SET_WORDS, true) === A.SET_ENTRIES + k * A.SET_ENTRY && mem.getUint32(p + A.SET_ENTRIES + A.SE_AT, true) === A.SET_ENTRIES + k * A.SET_ENTRY) sets.push(p);
    }
    expect(sets.length).toBeGreaterThan(0);
    expect(ex.setInventory(at, len)).toBe(A.E_OK);
    edit(mem, sets[0] as number);
    expect(ex.setInventory(at, len)).toBe(A.E_REGION_CORRUPT);
  });

  test("mutated set bytes are refused or decide flows without trapping", () => {
    const flows: Flow[] = [];
    for (const src of ["10.0.0.5", "10.0.2.7", "192.0.2.1"]) for (const port of [7, 5002, 12, 300]) for (const proto of ["tcp", "udp"] as const) flows.push({ src, dst: "10.0.1.5", proto, port });
    const batch = new Enforcer(mod).encode(flows).batches[0];
    if (!batch) throw new Error("no batch");
    const probe = instance();
    const lo = base + new DataView(probe.memory.buffer).getUint32(base + A.H_SETS_LO, true);
    const hi = base + new DataView(probe.memory.buffer).getUint32(base + A.H_SETS_HI, true);
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: hi - lo - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
        const ex = instance();
        const mem = new Uint8Array(ex.memory.buffer);
        for (const [at, x] of muts) mem[lo + at] = (mem[lo + at] as number) ^ x;
        const status = ex.init(base, mod.meta.table.length);
        expect([A.E_OK, A.E_TABLE_CORRUPT]).toContain(status);
        if (status !== A.E_OK) return;
        accepted++;
        mem.set(batch.records, A.FLOW_BASE);
        mem.set(batch.hosts, A.HOST_ARENA_BASE);
        expect(ex.decideMany(flows.length)).toBe(flows.length);
      }),
      { numRuns: 200 },
    );
    // Most set bytes are words, where a flipped bit (not past the last rule) is a different, valid set.
    expect(accepted).toBeGreaterThan(0);
  });
});
