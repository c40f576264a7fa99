/**
 * Section `addresses`: the IPv4 interval table (starts, then classes), the IPv6 interval table
 * (u128 starts, then classes; the IPv4-mapped range one interval), the address classes (fine from-set, fine to-set, bundle), the
 * bundles (coarse sets alone, then with each outside kind's sets: ../class-bundles.ts) and, for
 * the host, each class's address groups as LEB128 gap lists.
 * Engine check: asm/table.ts `validate()`, the "Address intervals" block (H_ACLS, H_BUNDLES,
 * H_ADDR4, H_ADDR6, H_CGROUPS).
 */
import * as A from "../../../common/abi.js";
import { ByteWriter } from "../../../common/abi-bytes.js";
import { V4_BASE } from "../../../common/ip.js";
import type { IrAddrInterval } from "../../lower/ir.js";
import { splitClasses } from "../class-bundles.js";
import { gapList, type TableWriter } from "../table-writer.js";

const V4_LAST = V4_BASE + 0xffffffffn;

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

/**
 * The 128-bit interval table without the IPv4-mapped range's intervals: engine and host look every
 * IPv4 address up in the IPv4 table (asm/resolve.ts addrClass), so ::ffff:0:0/96 is one interval
 * here (class 0, never read) instead of a copy of every IPv4 interval (acl2_10k: 20,319, 0.41 MB).
 */
function v6Table(intervals: readonly IrAddrInterval[]): { lo: bigint; cls: number }[] {
  const out: { lo: bigint; cls: number }[] = [];
  let v4 = false;
  for (const iv of intervals) {
    if (iv.hi < V4_BASE || iv.lo > V4_LAST) {
      out.push({ lo: iv.lo, cls: iv.cls });
      continue;
    }
    if (iv.lo < V4_BASE) out.push({ lo: iv.lo, cls: iv.cls });
    if (!v4) out.push({ lo: V4_BASE, cls: 0 });
    v4 = true;
    if (iv.hi > V4_LAST) out.push({ lo: V4_LAST + 1n, cls: iv.cls });
  }
  return out;
}

/** The union of two ascending lists, ascending and without repeats. */
function mergeSlots(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as number;
    const y = b[j] as number;
    out[n++] = x < y ? x : y;
    if (x <= y) i++;
    if (y <= x) j++;
  }
  while (i < a.length) out[n++] = a[i++] as number;
  while (j < b.length) out[n++] = b[j++] as number;
  return out.subarray(0, n);
}

export function writeAddresses(t: TableWriter): void {
  const { ir, w, put, pool } = t;
  const v4 = v4Projection(ir.addrIntervals);
  put(A.H_ADDR4_N, v4.length);
  put(A.H_ADDR4, w.length);
  for (const iv of v4) w.u32(iv.start);
  for (const iv of v4) w.u32(iv.cls);
  w.align(8);
  const v6 = v6Table(ir.addrIntervals);
  put(A.H_ADDR6_N, v6.length);
  put(A.H_ADDR6, w.length);
  for (const iv of v6) w.u128(iv.lo);
  for (const iv of v6) w.u32(iv.cls);
  w.align(8);
  const { fine, bundleOf, bundles } = splitClasses(ir, t.coarseClasses);
  put(A.H_ACLS_N, ir.addrClasses.length);
  put(A.H_ACLS, w.length);
  fine.forEach((c, i) => {
    w.u32(pool.add(c.from));
    w.u32(pool.add(c.to));
    w.u32(bundleOf[i] as number);
  });
  w.align(8);
  put(A.H_BUNDLES_N, bundles.length);
  put(A.H_BUNDLES, w.length);
  // The kinds' slots, sorted once: a bundle's pairs merge into them (a 100k-rule set's "any"
  // rules are 12k, and sorting them again per bundle cost seconds).
  const kindSlots = [ir.kinds.internal, ir.kinds.external].map((k) => [Uint32Array.from(t.slots(k.from)), Uint32Array.from(t.slots(k.to))] as const);
  for (const b of bundles) {
    const own = [Uint32Array.from(t.slots(b.from)), Uint32Array.from(t.slots(b.to))] as const;
    w.u32(pool.addSlots(own[0]));
    w.u32(pool.addSlots(own[1]));
    // Pair kind - KIND_INTERNAL + 1: what the engine ORs with the class's fine sets.
    for (const [from, to] of kindSlots) {
      w.u32(pool.addSlots(mergeSlots(own[0], from)));
      w.u32(pool.addSlots(mergeSlots(own[1], to)));
    }
  }
  // The classes' address groups, for the host to name them in events.
  put(A.H_CGROUPS, w.length);
  const classGroups = new ByteWriter();
  for (const c of ir.addrClasses) gapList(w, classGroups, c.groups);
  put(A.H_CGROUPS_N, classGroups.length);
  w.bytes(classGroups.finish());
}
