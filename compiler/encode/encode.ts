/**
 * Encoding: the decision-table IR → the binary table the engine reads (docs/module.md "Table").
 * Little-endian, 8-aligned sections after a fixed header; every rule list becomes an interned
 * compressed set. Deterministic: the output depends only on the IR.
 */
import * as A from "../../common/abi.js";
import { ByteWriter, hashNameBytes, nextPow2 } from "../../common/abi-bytes.js";
import { SetPool, setGeometry } from "../../common/abi-sets.js";
import { MODE_RANK, type Mode } from "../../common/schema.js";
import { V4_BASE } from "../../common/ip.js";
import type { Severity } from "../../common/threats.js";
import type { DecisionIR, EndpointKindName, IrAddrInterval, IrPortInterval, IrRule, IrThreat } from "../lower/ir.js";

const KIND_ORDER: EndpointKindName[] = ["workload", "node", "internal", "external"];
const V4_LAST = V4_BASE + 0xffffffffn;
const utf8 = new TextEncoder();

export const modeCode = (m: Mode): number => MODE_RANK[m] + 1;

const SEVERITY_CODE: Record<Severity, number> = { info: A.SEV_INFO, low: A.SEV_LOW, medium: A.SEV_MEDIUM, high: A.SEV_HIGH, critical: A.SEV_CRITICAL };

/** The part of the address intervals inside ::ffff:0:0/96, as IPv4 starts (starts[0] = 0). */
function v4Projection(intervals: readonly IrAddrInterval[]): { start: number; cls: number }[] {
  const out: { start: number; cls: number }[] = [];
  for (const iv of intervals) {
    if (iv.hi < V4_BASE || iv.lo > V4_LAST) continue;
    const lo = iv.lo < V4_BASE ? V4_BASE : iv.lo;
    out.push({ start: Number(lo - V4_BASE), cls: iv.cls });
  }
  return out;
}

export interface EncodedTable {
  bytes: Uint8Array<ArrayBuffer>;
  /** Section sizes in bytes, for `nvp inspect` and the benchmark. */
  sizes: Record<string, number>;
  sets: number;
}

/**
 * Slot assignment: rules sorted by their first destination group, then their first source group
 * (group declaration order), then order. An endpoint's to-rules then form a few contiguous runs,
 * and within a run the rules of one source group sit together, so a source/destination
 * intersection touches few 64-bit words. (Laying clusters out by their earliest rule instead was
 * measured: it scattered the runs and multiplied the candidate words by 15.) When few rules (at
 * most WIDE_SHARE of them) have ports spanning WIDE or more elementary port intervals (ranges),
 * those come after all the others, clustered the same way: every interval's set holds them, and
 * kept apart they fill a few dense words instead of a bit in most words of the table. Measured: a
 * generated 100k-rule policy (5 % ranges) port-set words 2.3 → 0.7 MB, decisions unchanged; the
 * ClassBench 10k set (15 %) no smaller and decisions 14 % slower, so many wide rules stay in place.
 * Returns slot → rule.
 */
const WIDE = 4;
const WIDE_SHARE = 0.1;
export function assignSlots(ir: DecisionIR): Uint32Array {
  const to = new Float64Array(ir.rules.length).fill(Number.MAX_SAFE_INTEGER);
  const from = new Float64Array(ir.rules.length).fill(Number.MAX_SAFE_INTEGER);
  for (const g of ir.groups) {
    for (const r of g.to) to[r] = Math.min(to[r] as number, g.index);
    for (const r of g.from) from[r] = Math.min(from[r] as number, g.index);
  }
  // Per rule, the port intervals it is in.
  const spread = new Uint32Array(ir.rules.length);
  for (const iv of [...ir.ports.tcp, ...ir.ports.udp]) for (const r of iv.rules) spread[r] = (spread[r] as number) + 1;
  let nWide = 0;
  for (const n of spread) if (n >= WIDE) nWide++;
  const apart = nWide <= ir.rules.length * WIDE_SHARE;
  const wide = (r: number) => (apart && (spread[r] as number) >= WIDE ? 1 : 0);
  const order = Array.from(ir.rules, (_, i) => i);
  order.sort((a, b) => wide(a) - wide(b) || (to[a] as number) - (to[b] as number) || (from[a] as number) - (from[b] as number) || a - b);
  return Uint32Array.from(order);
}

export function encodeTable(ir: DecisionIR): EncodedTable {
  const geo = setGeometry(ir.rules.length);
  const ruleAt = assignSlots(ir);
  const slotOf = new Uint32Array(ruleAt.length);
  ruleAt.forEach((rule, slot) => {
    slotOf[rule] = slot;
  });
  /**
   * Rule indexes → sorted slots: every set in the table is over slots. The result is a view of one
   * scratch buffer, valid until the next call (the pool copies what it keeps).
   */
  let scratch = new Uint32Array(1024);
  const slots = (list: readonly number[]): Uint32Array => {
    if (scratch.length < list.length) scratch = new Uint32Array(Math.max(list.length, scratch.length * 2));
    for (let i = 0; i < list.length; i++) scratch[i] = slotOf[list[i] as number] as number;
    return scratch.subarray(0, list.length).sort();
  };
  const inner = new SetPool(geo);
  const pool = { add: (list: readonly number[]) => inner.add(slots(list)), get size() { return inner.size; }, write: inner.write.bind(inner) };
  const w = new ByteWriter();
  const sizes: Record<string, number> = {};
  const header = new Uint32Array(A.HEADER_SIZE / 4);
  const put = (field: number, v: number) => {
    header[field / 4] = v >>> 0;
  };
  let mark = 0;
  const section = (name: string) => {
    w.align(8);
    sizes[name] = (sizes[name] ?? 0) + w.length - mark;
    mark = w.length;
  };
  w.zeros(A.HEADER_SIZE);
  section("header");

  put(A.H_NRULES, ir.rules.length);
  put(A.H_NSUM, geo.nSum);
  const s = ir.settings;
  put(
    A.H_SETTINGS,
    (s.xff ? A.SET_XFF : 0) |
      (s.contention === "strict" ? A.SET_STRICT : 0) |
      (s.icmpPolicy ? A.SET_ICMP_POLICY : 0) |
      (s.linkLocalPolicy ? A.SET_LINK_LOCAL : 0) |
      (s.openshift ? A.SET_OPENSHIFT : 0) |
      (modeCode(s.defaultMode) << A.SET_DEFAULT_MODE_SHIFT) |
      (modeCode(s.nodesMode) << A.SET_NODES_MODE_SHIFT),
  );
  put(A.H_RULE_IDS, w.length);
  for (const i of ruleAt) w.u32((ir.rules[i] as IrRule).id);
  put(A.H_RULE_ORDER, w.length);
  for (const i of ruleAt) w.u32(i);
  put(A.H_WORD_MIN, w.length);
  for (let k = 0; k < geo.nWords; k++) {
    let min = 0xffffffff;
    for (let slot = k * 64; slot < Math.min(ruleAt.length, k * 64 + 64); slot++) min = Math.min(min, ruleAt[slot] as number);
    w.u32(min);
  }
  put(A.H_RULE_FLAGS, w.length);
  for (const i of ruleAt) {
    const r = ir.rules[i] as IrRule;
    w.u8((r.action === "deny" ? A.RULE_DENY : 0) | (r.learned ? A.RULE_LEARNED : 0));
  }
  section("rules");

  w.align(8);
  put(A.H_KIND_SETS, w.length);
  for (const kind of KIND_ORDER) {
    w.u32(pool.add(ir.kinds[kind].from));
    w.u32(pool.add(ir.kinds[kind].to));
  }
  section("kinds");

  const v4 = v4Projection(ir.addrIntervals);
  put(A.H_ADDR4_N, v4.length);
  put(A.H_ADDR4, w.length);
  for (const iv of v4) w.u32(iv.start);
  for (const iv of v4) w.u32(iv.cls);
  w.align(8);
  put(A.H_ADDR6_N, ir.addrIntervals.length);
  put(A.H_ADDR6, w.length);
  for (const iv of ir.addrIntervals) w.u128(iv.lo);
  for (const iv of ir.addrIntervals) w.u32(iv.cls);
  w.align(8);
  put(A.H_ACLS_N, ir.addrClasses.length);
  put(A.H_ACLS, w.length);
  for (const c of ir.addrClasses) {
    w.u32(pool.add(c.from));
    w.u32(pool.add(c.to));
  }
  // The classes' address groups, for the host to name them in events.
  put(A.H_CGROUPS, w.length);
  const classGroups = new ByteWriter();
  for (const c of ir.addrClasses) gapList(w, classGroups, c.groups);
  put(A.H_CGROUPS_N, classGroups.length);
  w.bytes(classGroups.finish());
  section("addresses");

  const ports = (base: number, nField: number, offField: number, ivs: readonly IrPortInterval[], baseList: number[]) => {
    put(base, pool.add(baseList));
    put(nField, ivs.length);
    put(offField, w.length);
    for (const iv of ivs) w.u32(iv.lo);
    for (const iv of ivs) w.u32(pool.add(iv.rules));
    w.align(8);
  };
  ports(A.H_TCP_BASE, A.H_TCP_N, A.H_TCP, ir.ports.tcp, ir.ports.tcpBase);
  ports(A.H_UDP_BASE, A.H_UDP_N, A.H_UDP, ir.ports.udp, ir.ports.udpBase);
  put(A.H_ICMP_SET, pool.add(ir.ports.icmp));
  put(A.H_OTHER_SET, pool.add(ir.ports.other));
  section("ports");

  put(A.H_APP_ANY, pool.add(ir.apps.any));
  put(A.H_APPS_N, ir.apps.byApp.length);
  put(A.H_APPS, w.length);
  for (const a of ir.apps.byApp) {
    w.u32(a.app);
    w.u32(pool.add(a.rules));
  }
  section("apps");

  encodeNames(ir, w, pool, put);
  section("names");

  encodeThreats(ir.threats, w, put);
  section("threats");

  // Per-group rule lists for the host (workload memberships are computed there), as LEB128 gaps.
  put(A.H_GROUPS_N, ir.groups.length);
  put(A.H_GROUPS, w.length);
  const lists = new ByteWriter();
  for (const g of ir.groups) {
    gapList(w, lists, slots(g.from));
    gapList(w, lists, slots(g.to));
  }
  put(A.H_GRULES_N, lists.length);
  put(A.H_GRULES, w.length);
  w.bytes(lists.finish());
  section("groups");

  put(A.H_NSETS, pool.size);
  const { offsets, lo, hi } = pool.write(w, 0);
  put(A.H_SET_OFFS, offsets);
  put(A.H_SETS_LO, lo);
  put(A.H_SETS_HI, hi);
  section("sets");

  put(A.H_MAGIC, A.TABLE_MAGIC);
  put(A.H_FORMAT, A.FORMAT_VERSION);
  put(A.H_ABI, A.ABI_VERSION);
  put(A.H_LEN, w.length);
  put(A.H_SCRATCH, scratchBytes(ir.vhSlots.length));
  header.forEach((v, i) => w.setU32(i * 4, v));
  return { bytes: w.finish(), sizes, sets: pool.size };
}

/**
 * Append an ascending list to `lists` as LEB128 gaps (value - previous - 1, the first from -1),
 * and its entry (offset in `lists`, byte length) to `w`.
 */
function gapList(w: ByteWriter, lists: ByteWriter, sorted: ArrayLike<number>): void {
  const start = lists.length;
  let prev = -1;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    lists.leb(v - prev - 1);
    prev = v;
  }
  w.u32(start);
  w.u32(lists.length - start);
}

/** Engine scratch after the table: two side lists of 4 + vhN pointers and vhN marks (asm/table.ts). */
export function scratchBytes(vhN: number): number {
  return Math.ceil((4 * (2 * (4 + vhN) + vhN)) / 8) * 8;
}

/** One THREAT_REC_SIZE record per threat code, in code order. */
function encodeThreats(threats: readonly IrThreat[], w: ByteWriter, put: (f: number, v: number) => void): void {
  if (threats.length > A.THREAT_CODES_MAX) throw new Error(`${threats.length} threat codes, the table holds ${A.THREAT_CODES_MAX}`);
  put(A.H_THREATS_N, threats.length);
  put(A.H_THREATS, w.length);
  threats.forEach((t, code) => {
    if (t.code !== code || t.params.length > A.PARAMS_PER_THREAT) throw new Error(`threat ${t.slug}: code ${t.code} at ${code}, ${t.params.length} parameters`);
    w.u8((t.enabled ? A.TRF_ENABLED : 0) | (t.block ? A.TRF_BLOCK : 0));
    w.u8(SEVERITY_CODE[t.severity]);
    w.u8(0);
    w.u8(0);
    for (let i = 0; i < A.PARAMS_PER_THREAT; i++) w.u32(t.params[i] ?? 0);
  });
}

/** vh: slot sets, the name hash table for host matching, its strings and slot lists. */
function encodeNames(ir: DecisionIR, w: ByteWriter, pool: { add(l: readonly number[]): number }, put: (f: number, v: number) => void): void {
  put(A.H_VH_N, ir.vhSlots.length);
  put(A.H_VH, w.length);
  for (const v of ir.vhSlots) {
    w.u32(pool.add(v.from));
    w.u32(pool.add(v.to));
  }
  w.align(8);
  // One name entry per distinct (name, wildcard), listing its slots.
  const byName = new Map<string, { name: Uint8Array; wildcard: boolean; slots: number[] }>();
  ir.vhSlots.forEach((v, slot) => {
    const key = `${v.wildcard ? "*." : ""}${v.name}`;
    const e = byName.get(key) ?? { name: utf8.encode(v.name), wildcard: v.wildcard, slots: [] };
    e.slots.push(slot);
    byName.set(key, e);
  });
  const entries = [...byName.values()].map((e, k) => ({ ...e, k }));
  const cap = entries.length === 0 ? 0 : nextPow2(entries.length * 2);
  const table: (typeof entries)[number][] = new Array(cap);
  const hashes = new Map<(typeof entries)[number], number>();
  for (const e of entries) {
    const h = hashNameBytes(e.name);
    hashes.set(e, h);
    let slot = h & (cap - 1);
    while (table[slot]) slot = (slot + 1) & (cap - 1);
    table[slot] = e;
  }
  const strOff: number[] = [];
  const listOff: number[] = [];
  let str = 0;
  let list = 0;
  for (const e of entries) {
    strOff.push(str);
    str += e.name.length;
    listOff.push(list);
    list += e.slots.length;
  }
  put(A.H_NAMES_CAP, cap);
  put(A.H_NAMES, w.length);
  for (let i = 0; i < cap; i++) {
    const e = table[i];
    if (!e) {
      w.zeros(A.NAME_ENTRY_SIZE);
      continue;
    }
    const k = e.k;
    w.u32(hashes.get(e) ?? 0);
    w.u32(strOff[k] ?? 0);
    w.u32(e.name.length);
    w.u32(A.NE_USED | (e.wildcard ? A.NE_WILDCARD : 0));
    w.u32(listOff[k] ?? 0);
    w.u32(e.slots.length);
  }
  put(A.H_STR, w.length);
  put(A.H_STR_LEN, str);
  for (const e of entries) w.bytes(e.name);
  w.align(8);
  put(A.H_LISTS_N, list);
  put(A.H_LISTS, w.length);
  for (const e of entries) for (const s of e.slots) w.u32(s);
}
