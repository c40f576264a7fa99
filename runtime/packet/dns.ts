/**
 * DNS for the packet path, host side: the pattern table the engine uses to keep only names the
 * policy can use (every DNS-name and vh: pattern of the module's groups), and reading the engine's
 * snooped-name table back (the host core builds the DNS region from them and the host's own).
 */
import { NE_USED, NE_WILDCARD } from "../../common/abi.js";
import { hashNameBytes } from "../../common/abi-bytes.js";
import * as P from "../../common/abi-packet.js";
import type { MetaGroup } from "../../common/abi-meta.js";

const utf8 = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** The PT_* pattern table for a module's groups (exact names and `*.suffix` wildcards). */
export function buildPatternTable(groups: readonly MetaGroup[]): Uint8Array<ArrayBuffer> {
  const seen = new Map<string, { name: Uint8Array; wildcard: boolean }>();
  for (const g of groups) {
    for (const p of [...(g.dns ?? []), ...(g.vh ?? [])]) seen.set(`${p.wildcard ? "*" : "="}${p.name}`, { name: utf8.encode(p.name), wildcard: p.wildcard });
  }
  const list = [...seen.values()];
  if (list.length === 0) return new Uint8Array(0);
  let cap = 1;
  while (cap < list.length * 2) cap <<= 1;
  const strAt = P.PT_ENTRIES + cap * P.PE_SIZE;
  const total = strAt + list.reduce((n, p) => n + p.name.length, 0);
  const bytes = new Uint8Array((total + 7) & ~7);
  const view = new DataView(bytes.buffer);
  view.setUint32(P.PT_CAP, cap, true);
  let str = strAt;
  for (const p of list) {
    const h = hashNameBytes(p.name);
    let slot = h & (cap - 1);
    while (view.getUint32(P.PT_ENTRIES + slot * P.PE_SIZE + P.PE_FLAGS, true) !== 0) slot = (slot + 1) & (cap - 1);
    const e = P.PT_ENTRIES + slot * P.PE_SIZE;
    view.setUint32(e + P.PE_HASH, h, true);
    view.setUint32(e + P.PE_STR, str, true);
    view.setUint32(e + P.PE_LEN, p.name.length, true);
    view.setUint32(e + P.PE_FLAGS, NE_USED | (p.wildcard ? NE_WILDCARD : 0), true);
    bytes.set(p.name, str);
    str += p.name.length;
  }
  return bytes;
}

/** The 128-bit address at `at` (low u64 first). */
export function readAddr(view: DataView, at: number): bigint {
  return view.getBigUint64(at, true) | (view.getBigUint64(at + 8, true) << 64n);
}

/** One snooped address and the time (ns, engine clock) its answer expires. */
export interface SnoopedAddr {
  ip: bigint;
  expiry: bigint;
}

/** Every snooped name and its addresses with their expiry, from the engine's table at `at` (n entries). */
export function readSnoopedExpiring(view: DataView, at: number, n: number): Map<string, SnoopedAddr[]> {
  const out = new Map<string, SnoopedAddr[]>();
  for (let i = 0; i < n; i++) {
    const e = at + i * P.DN_SIZE;
    const len = view.getUint16(e + P.DN_LEN, true);
    if (len === 0 || len > P.DNS_NAME_MAX) continue;
    const addrs: SnoopedAddr[] = [];
    const k = Math.min(view.getUint16(e + P.DN_NIPS, true), P.DNS_IPS_PER_NAME);
    for (let j = 0; j < k; j++) addrs.push({ ip: readAddr(view, e + P.DN_IPS + j * 16), expiry: view.getBigUint64(e + P.DN_EXPIRY + j * 8, true) });
    if (addrs.length) out.set(latin1.decode(new Uint8Array(view.buffer, view.byteOffset + e + P.DN_NAME, len)), addrs);
  }
  return out;
}

/** The addresses of `names` whose answers are unexpired at `now`, added to `into`. */
export function unexpired(names: ReadonlyMap<string, readonly SnoopedAddr[]>, now: bigint, into = new Map<string, bigint[]>()): Map<string, bigint[]> {
  for (const [name, addrs] of names) {
    const ips = addrs.filter((a) => a.expiry > now).map((a) => a.ip);
    if (ips.length) into.set(name, [...new Set([...(into.get(name) ?? []), ...ips])]);
  }
  return into;
}
