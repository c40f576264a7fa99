/**
 * Run-time DNS state (S6) and its engine region (common/abi.ts D_*). The host keeps name → IPs as
 * the enforcer learns them; per IP, a record gives the plain DNS-name groups' rule sets (yes) and
 * the vh: slots whose names the IP resolved from (yes or maybe, by the flow's host, in the engine).
 */
import * as A from "../../common/abi.js";
import type { MetaGroup } from "../../common/abi-meta.js";
import { SetPool } from "../../common/abi-sets.js";
import { type IpEntry, type RegionFields, RegionWriter, RuleUnion } from "./region-parts.js";
import type { TableView } from "./table-view.js";

const DNS_FIELDS: RegionFields = {
  magic: A.D_MAGIC,
  len: A.D_LEN,
  hcap: A.D_HCAP,
  hash: A.D_HASH,
  nsets: A.D_NSETS,
  setOffs: A.D_SET_OFFS,
  setsLo: A.D_SETS_LO,
  setsHi: A.D_SETS_HI,
};

/** Names compare in lower case without a trailing dot (S6). */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** `name` is the pattern itself, or for a wildcard ends in `.pattern` after at least one more label. */
export function nameMatches(name: string, pattern: string, wildcard: boolean): boolean {
  if (!wildcard) return name === pattern;
  return name.length > pattern.length + 1 && name.endsWith("." + pattern) && !name.startsWith(".");
}

/** What one resolved name makes an address a member of. */
interface NameHits {
  groups: number[];
  slots: number[];
}

export class DnsState {
  /** name → addresses it resolved to. */
  private readonly names = new Map<string, Set<bigint>>();
  private readonly hitCache = new Map<string, NameHits>();

  constructor(private readonly groups: readonly MetaGroup[]) {}

  add(name: string, ips: readonly bigint[]): void {
    const n = normaliseName(name);
    const set = this.names.get(n) ?? new Set<bigint>();
    for (const ip of ips) set.add(ip);
    this.names.set(n, set);
  }

  clear(): void {
    this.names.clear();
  }

  get size(): number {
    return this.names.size;
  }

  /** All resolutions, for rebuilding another module's region on swap. */
  entries(): [string, bigint[]][] {
    return [...this.names].map(([n, s]) => [n, [...s]]);
  }

  private hits(name: string): NameHits {
    let h = this.hitCache.get(name);
    if (!h) {
      h = { groups: [], slots: [] };
      this.groups.forEach((g, index) => {
        if ((g.dns ?? []).some((d) => nameMatches(name, d.name, d.wildcard))) h?.groups.push(index);
        for (const v of g.vh ?? []) if (nameMatches(name, v.name, v.wildcard)) h?.slots.push(v.slot);
      });
      this.hitCache.set(name, h);
    }
    return h;
  }

  buildRegion(table: TableView): Uint8Array<ArrayBuffer> {
    // Per address: the union of what its names hit.
    const perIp = new Map<bigint, { groups: Set<number>; slots: Set<number> }>();
    for (const [name, ips] of this.names) {
      const h = this.hits(name);
      if (h.groups.length === 0 && h.slots.length === 0) continue;
      for (const ip of ips) {
        const e = perIp.get(ip) ?? { groups: new Set<number>(), slots: new Set<number>() };
        for (const g of h.groups) e.groups.add(g);
        for (const s of h.slots) e.slots.add(s);
        perIp.set(ip, e);
      }
    }
    const pool = new SetPool(table.geo);
    const union = new RuleUnion(table.geo.nRules);
    const recIndex = new Map<string, number>();
    const records: { from: number; to: number; slots: number[] }[] = [];
    const entries: IpEntry[] = [];
    for (const [ip, e] of perIp) {
      const groups = [...e.groups].sort((a, b) => a - b);
      const slots = [...e.slots].sort((a, b) => a - b);
      const key = `${groups.join(",")}|${slots.join(",")}`;
      let rec = recIndex.get(key);
      if (rec === undefined) {
        rec = records.length;
        recIndex.set(key, rec);
        const side = (s: 0 | 1) => pool.add(union.of(groups.map((g) => table.groupRules(g, s))));
        records.push({ from: side(0), to: side(1), slots });
      }
      entries.push({ ip, value: rec + 1, kind: 0, mode: 0 });
    }

    const region = new RegionWriter(A.D_HEADER_SIZE, DNS_FIELDS);
    const w = region.w;
    region.ipHash(entries);
    w.align(8);
    region.put(A.D_NREC, records.length);
    region.put(A.D_REC, w.length);
    let list = 0;
    for (const r of records) {
      w.u32(r.from);
      w.u32(r.to);
      w.u32(list);
      w.u32(r.slots.length);
      list += r.slots.length;
    }
    w.align(8);
    region.put(A.D_LISTS_N, list);
    region.put(A.D_LISTS, w.length);
    for (const r of records) for (const s of r.slots) w.u32(s);
    return region.finish(pool, A.DNS_MAGIC);
  }
}
