/**
 * Pieces shared by the inventory and DNS region builders: the region's header and common parts
 * (RegionWriter), the open-addressing IP hash table the engine probes (asm/resolve.ts), the
 * internal-subnet interval map, and a dense scratch bitset for rule-list unions.
 */
import { IP_ENTRY_SIZE } from "../../common/abi.js";
import { ByteWriter, hashIp, nextPow2 } from "../../common/abi-bytes.js";
import type { SetPool } from "../../common/abi-sets.js";
import { MAX_IP, V4_BASE } from "../../common/ip.js";

export interface IpEntry {
  ip: bigint;
  /** 1-based value (class or record index + 1). */
  value: number;
  kind: number;
  mode: number;
  /** IEF_* bits (workload entries). */
  flags?: number;
}

/** The header fields (common/abi.ts I_* or D_*) of the parts every host region has. */
export interface RegionFields {
  magic: number;
  len: number;
  hcap: number;
  hash: number;
  nsets: number;
  setOffs: number;
  setsLo: number;
  setsHi: number;
}

/**
 * A host region being written: a u32 header of `headerSize` bytes at offset 0 (filled in with
 * `put` as the parts after it are written), the IP hash table first after it, the region's own
 * parts (through `w`), and last the rule-set pool, magic and length.
 */
export class RegionWriter {
  readonly w = new ByteWriter();
  private readonly header: Uint32Array;

  constructor(
    headerSize: number,
    private readonly f: RegionFields,
  ) {
    this.header = new Uint32Array(headerSize / 4);
    this.w.zeros(headerSize);
  }

  put(field: number, v: number): void {
    this.header[field / 4] = v;
  }

  /** Start an 8-aligned section of `n` records: its count and offset go into the header. */
  section(countField: number, offsetField: number, n: number): void {
    this.w.align(8);
    this.put(countField, n);
    this.put(offsetField, this.w.length);
  }

  ipHash(entries: readonly IpEntry[]): void {
    const hash = writeIpHash(this.w, 0, entries);
    this.put(this.f.hcap, hash.cap);
    this.put(this.f.hash, hash.off);
  }

  /** Write the set pool, then the magic and length into the header, and hand the bytes over. */
  finish(pool: SetPool, magic: number): Uint8Array<ArrayBuffer> {
    const w = this.w;
    this.put(this.f.nsets, pool.size);
    const sets = pool.write(w, 0);
    this.put(this.f.setOffs, sets.offsets);
    this.put(this.f.setsLo, sets.lo);
    this.put(this.f.setsHi, sets.hi);
    w.align(8);
    this.put(this.f.magic, magic);
    this.put(this.f.len, w.length);
    this.header.forEach((v, i) => w.setU32(i * 4, v));
    return w.finish();
  }
}

/** Write the hash table at the (8-aligned) writer position; load factor at most 1/2. */
export function writeIpHash(w: ByteWriter, origin: number, entries: readonly IpEntry[]): { cap: number; off: number } {
  w.align(8);
  const off = w.length - origin;
  const cap = entries.length === 0 ? 0 : nextPow2(entries.length * 2);
  const slots: (IpEntry | undefined)[] = new Array(cap);
  for (const e of entries) {
    let s = hashIp(e.ip) & (cap - 1);
    while (slots[s]) s = (s + 1) & (cap - 1);
    slots[s] = e;
  }
  for (let i = 0; i < cap; i++) {
    const e = slots[i];
    if (!e) {
      w.zeros(IP_ENTRY_SIZE);
      continue;
    }
    // Layout IE_LO, IE_HI, IE_VALUE, IE_KIND, IE_MODE, IE_FLAGS (common/abi.ts).
    const at = w.length;
    w.u128(e.ip);
    w.u32(e.value);
    w.u8(e.kind);
    w.u8(e.mode);
    w.u8(e.flags ?? 0);
    w.zeros(IP_ENTRY_SIZE - (w.length - at));
  }
  return { cap, off };
}

/** Merge ranges and turn them into an interval map over the whole space: starts with value 1 inside. */
export function rangeMap(ranges: readonly { lo: bigint; hi: bigint }[]): { start: bigint; value: number }[] {
  const sorted = [...ranges].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const merged: { lo: bigint; hi: bigint }[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) last.hi = r.hi;
    } else {
      merged.push({ ...r });
    }
  }
  const out: { start: bigint; value: number }[] = [];
  let at = 0n;
  for (const r of merged) {
    if (r.lo > at) out.push({ start: at, value: 0 });
    out.push({ start: r.lo, value: 1 });
    at = r.hi + 1n;
  }
  if (at <= MAX_IP) out.push({ start: at, value: 0 });
  // A map must start at 0 even when the first range does.
  return out.length && (out[0] as { start: bigint }).start === 0n ? out : [{ start: 0n, value: 0 }, ...out];
}

/** The IPv4 part of a 128-bit interval map (starts relative to ::ffff:0:0, first start 0). */
export function v4Part(map: readonly { start: bigint; value: number }[]): { start: number; value: number }[] {
  const last = V4_BASE + 0xffffffffn;
  const out: { start: number; value: number }[] = [];
  map.forEach((e, i) => {
    const next = map[i + 1];
    const end = next ? next.start - 1n : MAX_IP;
    if (end < V4_BASE || e.start > last) return;
    out.push({ start: Number((e.start < V4_BASE ? V4_BASE : e.start) - V4_BASE), value: e.value });
  });
  return out;
}

/** Union of rule lists through a reusable dense bitset: linear in the lists' sizes plus nRules/32. */
export class RuleUnion {
  private readonly bits: Uint32Array;

  constructor(nRules: number) {
    this.bits = new Uint32Array(Math.ceil(nRules / 32) || 1);
  }

  of(lists: readonly (readonly number[])[]): number[] {
    const bits = this.bits;
    bits.fill(0);
    for (const l of lists) for (const r of l) bits[r >>> 5] = (bits[r >>> 5] as number) | (1 << (r & 31));
    const out: number[] = [];
    for (let i = 0; i < bits.length; i++) {
      let w = bits[i] as number;
      while (w !== 0) {
        const b = 31 - Math.clz32(w & -w);
        out.push(i * 32 + b);
        w &= w - 1;
      }
    }
    return out;
  }
}
