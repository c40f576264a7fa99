/**
 * The host's view of the table (runtime/host/table-view.ts): the per-group rule lists, stored as LEB128
 * gaps, decode to exactly the slots the encoder assigned, and a malformed list is refused.
 */
import { describe, expect, test } from "vitest";
import * as A from "../../common/abi.js";
import { assignSlots, encodeTable } from "../../compiler/encode/encode.js";
import { lowerModel } from "../../compiler/lower/lower.js";
import { generatePolicy } from "../../bench/gen-policy.js";
import { loadModule } from "../../runtime/index.js";
import { TableView } from "../../runtime/host/table-view.js";
import { NvpRuntimeError } from "../../runtime/errors.js";
import { modelOf, moduleBytes } from "./helpers.js";

describe("table view: address classes' groups", () => {
  test("decode to the lowering's groups of every address class", () => {
    const source = generatePolicy(3000, 200, 0).source;
    const ir = lowerModel(modelOf(source));
    const mod = loadModule(moduleBytes(source));
    const view = new TableView(mod.table, mod.meta);
    expect(ir.addrClasses.length).toBeGreaterThan(10);
    ir.addrClasses.forEach((c, cls) => expect(view.classGroups(cls)).toEqual(c.groups));
    // Every listed group is an address group of the metadata.
    for (let cls = 0; cls < ir.addrClasses.length; cls++) for (const g of view.classGroups(cls)) expect(mod.meta.groups[g]?.kind).toBe("address");
  });
});

describe("table view: group rule lists", () => {
  test("decode to the encoder's slots for every group and side", () => {
    const source = generatePolicy(3000, 200, 0).source;
    const ir = lowerModel(modelOf(source));
    const ruleAt = assignSlots(ir);
    const slotOf = new Map(Array.from(ruleAt, (rule, slot) => [rule, slot]));
    const mod = loadModule(moduleBytes(source));
    const view = new TableView(mod.table, mod.meta);
    for (const g of ir.groups) {
      expect(view.groupRules(g.index, 0)).toEqual(g.from.map((r) => slotOf.get(r)).sort((a, b) => a! - b!));
      expect(view.groupRules(g.index, 1)).toEqual(g.to.map((r) => slotOf.get(r)).sort((a, b) => a! - b!));
    }
    // Gaps take a byte a rule or less on average: the lists sit in runs.
    const entries = ir.groups.reduce((n, g) => n + g.from.length + g.to.length, 0);
    const bytes = new DataView(mod.table.buffer, mod.table.byteOffset).getUint32(A.H_GRULES_N, true);
    expect(bytes).toBeLessThan(entries * 1.5);
    expect(encodeTable(ir).bytes).toEqual(mod.table);
  });

  test("a list whose last number runs past its end, or past the rule count, is refused", () => {
    const mod = loadModule(moduleBytes("policy p\ngroup a { address 10.0.0.0/8 }\nrule 1 allow a -> any\nrule 2 allow a -> a\n"));
    const edit = (f: (table: Uint8Array, view: DataView) => void) => {
      const table = mod.table.slice();
      const view = new DataView(table.buffer);
      f(table, view);
      return new TableView(table, mod.meta);
    };
    const groupA = mod.meta.groups.findIndex((g) => g.name === "a");
    const entry = (view: DataView, side: number) => view.getUint32(A.H_GROUPS, true) + groupA * A.GROUP_ENTRY_SIZE + side * 8;
    const listStart = (view: DataView) => view.getUint32(A.H_GRULES, true) + view.getUint32(entry(view, 0), true);
    const past = edit((t, v) => {
      const last = listStart(v) + v.getUint32(entry(v, 0) + 4, true) - 1;
      t[last] = (t[last] as number) | 0x80;
    });
    expect(() => past.groupRules(groupA, 0)).toThrow(NvpRuntimeError);
    const tooBig = edit((t, v) => {
      t[listStart(v)] = 0x7f;
    });
    expect(() => tooBig.groupRules(groupA, 0)).toThrow(/rule list of group/);
    expect(new TableView(mod.table, mod.meta).groupRules(groupA, 0)).toHaveLength(2);
  });
});
