/**
 * Address classes split into fine sets and coarse bundles (compiler/encode/class-bundles.ts,
 * docs/module.md "Address classes"): on a ClassBench-like set whose prefixes nest, the table has
 * bundles, a class's fine sets ∪ its bundle's are exactly the lowered class lists, the engine's
 * bundle pairs fold in the outside kinds' built-ins, the set bytes shrink, and both engines decide
 * every packet of the trace as the reference does — for outside addresses (the bundle path) and for
 * inventory workloads inside the coarse prefixes (the host folds both lists).
 */
import { describe, expect, test } from "vitest";
import * as A from "../../common/abi.js";
import { emptyInventory, type Flow, type Inventory } from "../../common/schema.js";
import { COARSE_CLASSES, MAX_BUNDLES, splitClasses } from "../../compiler/encode/class-bundles.js";
import { assignSlots, encodeTable } from "../../compiler/encode/encode.js";
import { lowerModel } from "../../compiler/lower/lower.js";
import { unionLists } from "../../compiler/lower/rule-lists.js";
import { compileModule } from "../../compiler/pipeline.js";
import { evaluate } from "../../compiler/reference/index.js";
import { TableView } from "../../runtime/host/table-view.js";
import { Enforcer, loadModule } from "../../runtime/index.js";
import { rng } from "../../bench/gen-policy.js";
import { toNvp, type CbPacket, type CbRule } from "../../bench/classbench.js";
import { BOTH_ENGINES, withEngine } from "./both-engines.js";
import { modelOf, referenceDecision } from "./helpers.js";

const dotted = (ip: number) => [24, 16, 8, 0].map((s) => (ip >>> s) & 255).join(".");

/**
 * Rules over prefixes that nest as in real ClassBench sets (acl2_10k: a class inside a /8, a /16
 * and a /24): 4 /8s, 8 /16s in each, 8 /24s in each of those, 2 hosts in each.
 * The trace: packets inside a random rule's prefixes, and some random ones.
 */
function nested(nRules: number, nTrace: number): { rules: CbRule[]; trace: CbPacket[] } {
  const r = rng(11);
  const int = (n: number) => Math.floor(r() * n);
  const prefixes: { ip: number; len: number }[] = [];
  for (let a = 0; a < 4; a++) {
    const p8 = (10 + a * 20) << 24;
    prefixes.push({ ip: p8 >>> 0, len: 8 });
    for (let b = 0; b < 8; b++) {
      const p16 = p8 | ((b * 17) << 16);
      prefixes.push({ ip: p16 >>> 0, len: 16 });
      for (let c = 0; c < 8; c++) {
        const p24 = p16 | ((c * 29) << 8);
        prefixes.push({ ip: p24 >>> 0, len: 24 });
        for (let d = 0; d < 2; d++) prefixes.push({ ip: (p24 | (1 + d * 100)) >>> 0, len: 32 });
      }
    }
  }
  // As in acl2_10k, many rules name the short prefixes: 30 % a /8, 30 % a /16, 20 % a /24, 10 % a host.
  const byLen = (len: number) => prefixes.filter((p) => p.len === len);
  const levels = [byLen(8), byLen(16), byLen(24), byLen(32)];
  const prefix = () => {
    const x = r();
    if (x < 0.1) return { ip: 0, len: 0 };
    const level = levels[x < 0.4 ? 0 : x < 0.7 ? 1 : x < 0.9 ? 2 : 3] as { ip: number; len: number }[];
    return level[int(level.length)] as { ip: number; len: number };
  };
  const PORTS = [22, 53, 80, 443, 3306, 8080];
  const rules: CbRule[] = Array.from({ length: nRules }, () => {
    const x = r();
    const dport: [number, number] = x < 0.7 ? ((p) => [p, p] as [number, number])(PORTS[int(PORTS.length)] as number) : x < 0.85 ? [1024, 65535] : [0, 65535];
    return { src: prefix(), dst: prefix(), sport: [0, 65535], dport, proto: r() < 0.7 ? { value: 6, mask: 0xff } : { value: 17, mask: 0xff } };
  });
  const inside = (p: { ip: number; len: number }) => (p.len === 0 ? int(0x100000000) : (p.ip | (int(0x100000000) & (p.len === 32 ? 0 : (1 << (32 - p.len)) - 1))) >>> 0);
  const trace: CbPacket[] = Array.from({ length: nTrace }, () => {
    const rule = rules[int(rules.length)] as CbRule;
    const random = r() < 0.2;
    return {
      src: random ? int(0x100000000) : inside(rule.src),
      dst: random ? int(0x100000000) : inside(rule.dst),
      sport: 1024 + int(60000),
      dport: random ? int(65536) : rule.dport[0] + int(rule.dport[1] - rule.dport[0] + 1),
      proto: rule.proto.value,
    };
  });
  return { rules, trace };
}

const { rules, trace } = nested(2000, 1500);
const source = toNvp(rules).source;
const model = modelOf(source);
const ir = lowerModel(model);

describe("address-class bundles", () => {
  test("nested prefixes make coarse groups; fine ∪ bundle = the lowered class lists", () => {
    const split = splitClasses(ir);
    expect(split.bundles.length).toBeGreaterThan(2);
    // Some class has both coarse and fine groups.
    expect(ir.addrClasses.some((_, i) => split.bundleOf[i] !== 0 && split.fine[i]!.from.length > 0)).toBe(true);
    const ruleAt = assignSlots(ir);
    const slotOf = new Map(Array.from(ruleAt, (rule, slot) => [rule, slot]));
    const slots = (l: readonly number[]) => l.map((r) => slotOf.get(r) as number).sort((a, b) => a - b);
    const mod = loadModule(compileModule(model).bytes);
    const view = new TableView(mod.table, mod.meta);
    const u32 = (at: number) => view.h(at) as number;
    const tv = new DataView(mod.table.buffer, mod.table.byteOffset, mod.table.byteLength);
    const at = (off: number) => tv.getUint32(off, true);
    expect(view.h(A.H_BUNDLES_N)).toBe(split.bundles.length);
    ir.addrClasses.forEach((c, cls) => {
      for (const side of [0, 1] as const) {
        const [fine, coarse] = view.addrClassRules(cls, side);
        expect(unionLists([fine, coarse])).toEqual(slots(side ? c.to : c.from));
        // The engine's pairs: the coarse rules with the internal, then the external kind's built-ins.
        const b = u32(A.H_BUNDLES) + at(u32(A.H_ACLS) + cls * A.ACL_ENTRY_SIZE + 8) * A.BUNDLE_ENTRY_SIZE;
        for (const [pair, kind] of [[1, "internal"], [2, "external"]] as const) {
          expect(view.set(at(b + pair * 8 + side * 4))).toEqual(unionLists([coarse, view.kindRules(kind, side)]));
        }
      }
    });
  });

  test("the threshold rises until the bundles are few (each stores its rules three times)", () => {
    // Every group coarse: a bundle per class, unless the threshold doubles.
    expect(ir.addrClasses.length).toBeGreaterThan(2 * MAX_BUNDLES);
    const split = splitClasses(ir, 1);
    expect(split.bundles.length).toBeLessThanOrEqual(MAX_BUNDLES);
    expect(split.bundles.length).toBeGreaterThan(1);
  });

  test("the IPv6 table does not repeat the IPv4 intervals (the IPv4-mapped range is one interval)", () => {
    const t = encodeTable(ir).bytes;
    const h = (f: number) => new DataView(t.buffer, t.byteOffset, t.byteLength).getUint32(f, true);
    expect(h(A.H_ADDR4_N)).toBeGreaterThan(1000);
    // [0, ::ffff:0:0), the IPv4-mapped range, and what follows it: the policy has no IPv6 entries.
    expect(h(A.H_ADDR6_N)).toBe(3);
  });

  test("the split stores fewer set bytes than whole class sets", () => {
    const sizes = encodeTable(ir).sizes;
    // Every class's whole lists, as format 6 stored them, through the same encoder.
    const whole = encodeTable(ir, { coarseClasses: Infinity }).sizes;
    expect(sizes.sets as number).toBeLessThan(0.7 * (whole.sets as number));
  });

  test("both engines decide every packet as the reference, outside and inventory addresses", () => {
    // Workloads at addresses inside the most covering groups' prefixes: the host folds their lists.
    const covers = new Map<number, number>();
    for (const c of ir.addrClasses) for (const g of c.groups) covers.set(g, (covers.get(g) ?? 0) + 1);
    const inventory: Inventory = emptyInventory();
    const flows: Flow[] = trace
      .filter((p) => p.proto === 6 || p.proto === 17)
      .map((p) => ({ src: dotted(p.src), dst: dotted(p.dst), proto: p.proto === 6 ? ("tcp" as const) : ("udp" as const), port: p.dport }));
    flows.slice(0, 120).forEach((f, i) => {
      inventory.workloads.push({
        name: `w${i}`, namespace: "ns", service: `s${i % 7}`, labels: {}, nsLabels: {}, images: [], containers: [], node: "n1",
        ips: [i % 2 ? f.src : f.dst],
      });
    });
    inventory.internalSubnets = ["10.0.0.0/8", "100.64.0.0/10"];
    expect([...covers.values()].some((n) => n >= COARSE_CLASSES)).toBe(true);
    const want = flows.map((f) => referenceDecision(evaluate(model, { inventory, dns: {} }, f)));
    const bytes = compileModule(model).bytes;
    for (const engine of BOTH_ENGINES) {
      const got = withEngine(engine, () => {
        const enforcer = new Enforcer(loadModule(bytes));
        enforcer.setInventory(inventory);
        return enforcer.decideMany(flows);
      });
      expect({ engine, got }).toEqual({ engine, got: want });
    }
    expect(want.filter((d) => d.rule !== 0).length).toBeGreaterThan(flows.length / 2);
  });
});
