/**
 * The host's read-only view of a module's decision table: per-group rule lists, the endpoint-kind
 * and address-class rule sets, and the table geometry — what the runtime needs to fold workload
 * memberships into inventory classes, and the rule ids. Cross-checked against the metadata on load.
 */
import * as A from "../../common/abi.js";
import type { ModuleMeta } from "../../common/abi-meta.js";
import { readSet, setGeometry, type SetGeometry } from "../../common/abi-sets.js";
import { readUleb, WasmFormatError } from "../../common/abi-wasm.js";
import { MODULE_CODES, NvpRuntimeError } from "../errors.js";

export type KindName = "workload" | "node" | "internal" | "external";
const KIND_INDEX: Record<KindName, number> = { workload: 0, node: 1, internal: 2, external: 3 };

export class TableView {
  readonly geo: SetGeometry;
  readonly vhSlots: number;
  private readonly view: DataView;
  private readonly decoded = new Map<number, number[]>();

  constructor(
    private readonly bytes: Uint8Array,
    meta: ModuleMeta,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.geo = setGeometry(this.h(A.H_NRULES));
    this.vhSlots = this.h(A.H_VH_N);
    const bad = (what: string) => {
      throw new NvpRuntimeError(MODULE_CODES.badMeta, `module metadata does not match its table: ${what}`, "rebuild it with `nvp compile`");
    };
    if (meta.groups.length !== this.h(A.H_GROUPS_N)) bad("group count");
    for (const g of meta.groups) for (const v of g.vh ?? []) if (v.slot >= this.vhSlots) bad(`vh slot of group \`${g.name}\``);
  }

  /**
   * Walk every structure the host reads later — each group's two rule lists, each address class's
   * group list and rule sets, the endpoint-kind sets, the rule order — so that a module that loads
   * never throws afterwards (issue 10): the engine checks where the lists lie, this checks what they
   * hold (LEB128 numbers that end inside their list, ascending values below their bound, set words
   * inside the table). Nothing is kept: the work is linear in the table and done once per load.
   */
  validate(): void {
    try {
      const groups = this.groupCount;
      for (let g = 0; g < groups; g++) {
        this.groupRules(g, 0);
        this.groupRules(g, 1);
      }
      const classes = this.h(A.H_ACLS_N);
      const sets = new Set<number>();
      for (let cls = 0; cls < classes; cls++) {
        this.classGroups(cls);
        const e = this.h(A.H_ACLS) + cls * A.ACL_ENTRY_SIZE;
        sets.add(this.u32(e)).add(this.u32(e + 4));
      }
      for (let i = 0; i < (this.h(A.H_BUNDLES_N) * A.BUNDLE_ENTRY_SIZE) / 4; i++) sets.add(this.u32(this.h(A.H_BUNDLES) + i * 4));
      for (let k = 0; k < A.KIND_SETS_N; k++) sets.add(this.u32(this.h(A.H_KIND_SETS) + k * A.SET_INDEX_SIZE));
      for (const idx of sets) this.checkSet(idx);
      this.ruleIds();
    } catch (e) {
      // A DataView read past the table: an offset the engine's bounds checks did not cover.
      if (e instanceof RangeError) this.malformed(`layout (${e.message})`);
      throw e;
    }
  }

  /** Decode set `idx` without keeping it; every rule index must name a rule. */
  private checkSet(idx: number): void {
    if (idx >= this.h(A.H_NSETS)) this.malformed(`rule set index ${idx}`);
    for (const r of readSet(this.view, this.u32(this.h(A.H_SET_OFFS) + idx * 4), this.geo)) {
      if (r >= this.geo.nRules) this.malformed(`rule set ${idx}`);
    }
  }

  /** A header field (the engine has validated the table before the host reads it). */
  h(field: number): number {
    return this.view.getUint32(field, true);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  /**
   * Rule ids in evaluation order: slot s holds rule H_RULE_IDS[s] at position H_RULE_ORDER[s].
   * The compiler writes a permutation; any other order is taken as the engine takes it (a lower
   * order first, then the lower slot).
   */
  ruleIds(): number[] {
    const n = this.geo.nRules;
    const ids = this.h(A.H_RULE_IDS);
    const order = this.h(A.H_RULE_ORDER);
    const out = new Array<number>(n);
    const placed = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      const at = this.u32(order + s * 4);
      if (at >= n || placed[at]) return this.sortedRuleIds();
      placed[at] = 1;
      out[at] = this.u32(ids + s * 4);
    }
    return out;
  }

  private sortedRuleIds(): number[] {
    const ids = this.h(A.H_RULE_IDS);
    const order = this.h(A.H_RULE_ORDER);
    const slots = Array.from({ length: this.geo.nRules }, (_, s) => s);
    slots.sort((a, b) => this.u32(order + a * 4) - this.u32(order + b * 4) || a - b);
    return slots.map((s) => this.u32(ids + s * 4));
  }

  /** Rule indexes of set `idx` of the table's pool. */
  set(idx: number): number[] {
    let list = this.decoded.get(idx);
    if (!list) {
      list = readSet(this.view, this.u32(this.h(A.H_SET_OFFS) + idx * 4), this.geo);
      this.decoded.set(idx, list);
    }
    return list;
  }

  /** from (side 0) or to (side 1) rules of the built-in groups an endpoint kind belongs to. */
  /** H_SETTINGS: the policy's switches (SET_* bits). */
  settings(): number {
    return this.h(A.H_SETTINGS);
  }

  kindRules(kind: KindName, side: 0 | 1): number[] {
    return this.set(this.u32(this.h(A.H_KIND_SETS) + (KIND_INDEX[kind] * 2 + side) * A.SET_INDEX_SIZE));
  }

  /**
   * Rules whose from (side 0) or to (side 1) lists an address group covering class `cls`, as two
   * lists to union: the class's own (fine groups) and its bundle's (coarse groups; pair 0, without
   * any kind's built-ins).
   */
  addrClassRules(cls: number, side: 0 | 1): [number[], number[]] {
    const e = this.h(A.H_ACLS) + cls * A.ACL_ENTRY_SIZE;
    const bundle = this.h(A.H_BUNDLES) + this.u32(e + 8) * A.BUNDLE_ENTRY_SIZE;
    return [this.set(this.u32(e + side * 4)), this.set(this.u32(bundle + side * 4))];
  }

  /** Rule slots whose from (side 0) or to (side 1) lists group `g`. */
  groupRules(g: number, side: 0 | 1): number[] {
    const e = this.h(A.H_GROUPS) + g * A.GROUP_ENTRY_SIZE + side * 8;
    return this.gaps(this.h(A.H_GRULES), e, this.geo.nRules, `rule list of group ${g}`);
  }

  /** Indexes (into the metadata's groups) of the address groups holding address class `cls`. */
  classGroups(cls: number): number[] {
    const entries = this.h(A.H_CGROUPS);
    return this.gaps(entries + this.h(A.H_ACLS_N) * 8, entries + cls * 8, this.groupCount, `group list of address class ${cls}`);
  }

  private get groupCount(): number {
    return this.h(A.H_GROUPS_N);
  }

  /**
   * The ascending list whose (offset from `base`, byte length) entry is at `entry`: LEB128 gaps
   * (value - previous - 1, the first from -1), every value below `max`.
   */
  private gaps(base: number, entry: number, max: number, what: string): number[] {
    let at = base + this.u32(entry);
    const end = at + this.u32(entry + 4);
    const out: number[] = [];
    let v = -1;
    while (at < end) {
      let gap: number;
      try {
        // The engine checked the list lies inside the table; a number may not run past its end.
        [gap, at] = readUleb(this.bytes, at, end);
      } catch (e) {
        if (e instanceof WasmFormatError) return this.malformed(what);
        throw e;
      }
      v += gap + 1;
      if (v >= max) return this.malformed(what);
      out.push(v);
    }
    return out;
  }

  private malformed(what: string): never {
    throw new NvpRuntimeError(MODULE_CODES.badMeta, `module table's ${what} is malformed`, "rebuild it with `nvp compile`");
  }
}
