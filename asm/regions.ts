// Host-written regions: the inventory (workload and node IPs, their rule-set classes, internal
// subnets) and the DNS table (IP -> names' groups). The host rebuilds a region on every change
// and hands it over with one call; it is validated whole before it replaces the current one, so
// a decision never sees half of an update.
import {
  D_HASH, D_HCAP, D_HEADER_SIZE, D_LEN, D_LISTS, D_LISTS_N, D_MAGIC, D_NREC, D_NSETS, D_REC, D_SET_OFFS,
  D_SETS_HI, D_SETS_LO, DNS_MAGIC, DNS_REC_SIZE, E_OK, E_NO_TABLE, E_REGION_BOUNDS, E_REGION_CORRUPT, I_CLS,
  I_HASH, I_HCAP, I_HEADER_SIZE, I_INT4, I_INT4_N, I_INT6, I_INT6_N, I_LEN, I_MAGIC, I_NCLS, I_NSETS,
  I_SET_OFFS, I_SETS_HI, I_SETS_LO, IE_FROM, IE_KIND, IE_MODE, IE_TO, IE_VALUE, INVENTORY_MAGIC, IP_ENTRY_SIZE,
  IE_FLAGS, IEF_HOST_NET, IEF_NO_INTERCEPT, IEF_SVC_EXTIP, IEF_SVC_IP, KIND_EXTERNAL, KIND_INTERNAL, KIND_NODE, KIND_WORKLOAD, MODE_PROTECT,
  HP_ENTRY_SIZE, HP_HI, HP_KEY, HP_LO, HP_WHI, HP_WLO, I_HP, I_HP_N, IE_HI, IE_LO, PROTO_TCP, PROTO_UDP,
} from "./abi";
import { fits, hashIp, isPow2, memBytes } from "./mem";
import { validSets } from "./sets";
import { dynBase, ready, vhN } from "./table";

// Current inventory (invCap == 0 and int*N == 0: no inventory, every address is external).
export let invCap: u32 = 0;
export let invHash: usize = 0;
export let invCls: usize = 0;
export let invSetOffs: usize = 0;
export let invBase: usize = 0;
export let int4N: u32 = 0;
export let int4: usize = 0;
export let int6N: u32 = 0;
export let int6: usize = 0;
/** Host-port mappings (S1.1): hpN entries at hpBase. */
export let hpN: u32 = 0;
export let hpBase: usize = 0;

export let dnsCap: u32 = 0;
export let dnsHash: usize = 0;
export let dnsRec: usize = 0;
export let dnsLists: usize = 0;
export let dnsSetOffs: usize = 0;
export let dnsBase: usize = 0;

/** The hash entry for an address in a region's table, or 0. */
@inline export function probe(hash: usize, cap: u32, lo: u64, hi: u64): usize {
  if (cap == 0) return 0;
  const mask = cap - 1;
  let slot = hashIp(lo, hi) & mask;
  for (let i: u32 = 0; i < cap; i++) {
    const e = hash + <usize>slot * IP_ENTRY_SIZE;
    if (load<u32>(e + IE_VALUE) == 0) return 0;
    if (load<u64>(e + IE_LO) == lo && load<u64>(e + IE_HI) == hi) return e;
    slot = (slot + 1) & mask;
  }
  return 0;
}

@inline export function invSet(idx: u32): usize {
  return invBase + load<u32>(invSetOffs + (<usize>idx << 2));
}

@inline export function dnsSet(idx: u32): usize {
  return dnsBase + load<u32>(dnsSetOffs + (<usize>idx << 2));
}

/** The region [p, p + len) lies after the table and scratch, inside memory. */
function regionFits(p: usize, len: u32, header: u32): bool {
  return (p & 7) == 0 && <u64>p >= dynBase && len >= header && fits(<u64>p, <u64>len, memBytes());
}

@inline function sec(off: u32, n: u32, size: u32, len: u32): bool {
  return (off & 7) == 0 && fits(<u64>off, <u64>n * size, <u64>len);
}

/** Sets of a region: offsets array inside it, every set well formed. Returns the set count or -1. */
function regionSets(p: usize, len: u32, nOff: u32, offsOff: u32, loOff: u32, hiOff: u32): i64 {
  const n = load<u32>(p + nOff);
  const offs = load<u32>(p + offsOff);
  const lo = <u64>load<u32>(p + loOff);
  const hi = <u64>load<u32>(p + hiOff);
  if (!sec(offs, n, 4, len) || lo > hi || hi > <u64>len) return -1;
  return validSets(<u64>p, p + offs, n, <u64>p + lo, <u64>p + hi) ? <i64>n : -1;
}

function clearInventory(): void {
  invCap = 0;
  hpN = 0;
  int4N = 0;
  int6N = 0;
}

/** Validate and install an inventory region; on any error the engine has no inventory. */
export function setInventory(p: usize, len: u32): u32 {
  clearInventory();
  if (!ready) return E_NO_TABLE;
  if (len == 0) return E_OK;
  if (!regionFits(p, len, I_HEADER_SIZE)) return E_REGION_BOUNDS;
  if (load<u32>(p + I_MAGIC) != INVENTORY_MAGIC || load<u32>(p + I_LEN) != len) return E_REGION_CORRUPT;
  const nSets = regionSets(p, len, I_NSETS, I_SET_OFFS, I_SETS_LO, I_SETS_HI);
  if (nSets < 0) return E_REGION_CORRUPT;
  const nCls = load<u32>(p + I_NCLS);
  const cls = load<u32>(p + I_CLS);
  if (!sec(cls, nCls, 8, len)) return E_REGION_BOUNDS;
  for (let i: u32 = 0; i < nCls * 2; i++) if (<i64>load<u32>(p + cls + (<usize>i << 2)) >= nSets) return E_REGION_CORRUPT;
  const cap = load<u32>(p + I_HCAP);
  const hash = load<u32>(p + I_HASH);
  if ((cap != 0 && !isPow2(cap)) || !sec(hash, cap, IP_ENTRY_SIZE, len)) return E_REGION_CORRUPT;
  for (let i: u32 = 0; i < cap; i++) {
    const e = p + hash + i * IP_ENTRY_SIZE;
    const v = load<u32>(e + IE_VALUE);
    if (v == 0) continue;
    const kind = <u32>load<u8>(e + IE_KIND);
    if (v > nCls || kind < KIND_WORKLOAD || kind > KIND_EXTERNAL || <u32>load<u8>(e + IE_MODE) > MODE_PROTECT) return E_REGION_CORRUPT;
    // An outside entry is a Service externalIP, an internal one a Service cluster IP, both
    // unmanaged; only workloads carry IEF_NO_INTERCEPT.
    const flags = <u32>load<u8>(e + IE_FLAGS);
    if (kind == KIND_INTERNAL && (flags != IEF_SVC_IP || load<u8>(e + IE_MODE) != 0)) return E_REGION_CORRUPT;
    if (kind != KIND_INTERNAL && (flags & IEF_SVC_IP) != 0) return E_REGION_CORRUPT;
    // Workload traits: a host-network workload is never interceptable.
    if (kind != KIND_WORKLOAD && (flags & (IEF_NO_INTERCEPT | IEF_HOST_NET)) != 0) return E_REGION_CORRUPT;
    if ((flags & IEF_HOST_NET) != 0 && (flags & IEF_NO_INTERCEPT) == 0) return E_REGION_CORRUPT;
    if (kind == KIND_EXTERNAL && (flags != IEF_SVC_EXTIP || load<u8>(e + IE_MODE) != 0)) return E_REGION_CORRUPT;
    if (kind != KIND_EXTERNAL && (flags & IEF_SVC_EXTIP) != 0) return E_REGION_CORRUPT;
  }
  const n4 = load<u32>(p + I_INT4_N);
  const n6 = load<u32>(p + I_INT6_N);
  const o4 = load<u32>(p + I_INT4);
  const o6 = load<u32>(p + I_INT6);
  if (!sec(o4, n4, 8, len) || !sec(o6, n6, 20, len)) return E_REGION_BOUNDS;
  if ((n4 > 0 && load<u32>(p + o4) != 0) || (n6 > 0 && (load<u64>(p + o6) != 0 || load<u64>(p + o6 + 8) != 0))) return E_REGION_CORRUPT;
  invBase = p;
  invSetOffs = p + load<u32>(p + I_SET_OFFS);
  // Each entry gets its class's set addresses (bytes the host leaves zero): the fast path goes
  // from the hash entry straight to the sets.
  for (let i: u32 = 0; i < cap; i++) {
    const e = p + hash + i * IP_ENTRY_SIZE;
    const v = load<u32>(e + IE_VALUE);
    if (v == 0) continue;
    const c = p + cls + ((<usize>v - 1) << 3);
    store<u32>(e + IE_FROM, <u32>invSet(load<u32>(c)));
    store<u32>(e + IE_TO, <u32>invSet(load<u32>(c, 4)));
  }
  invCls = p + cls;
  invHash = p + hash;
  int4 = p + o4;
  int6 = p + o6;
  int4N = n4;
  int6N = n6;
  invCap = cap;
  if (!setHostPorts(p, len)) {
    clearInventory();
    return E_REGION_CORRUPT;
  }
  return E_OK;
}

/** (hi, lo, key) of entry `a` is below entry `b`'s. */
function hpBelow(a: usize, b: usize): bool {
  const ah = load<u64>(a + HP_HI);
  const bh = load<u64>(b + HP_HI);
  if (ah != bh) return ah < bh;
  const al = load<u64>(a + HP_LO);
  const bl = load<u64>(b + HP_LO);
  if (al != bl) return al < bl;
  return load<u32>(a + HP_KEY) < load<u32>(b + HP_KEY);
}

/**
 * The host-port section (S1.1), checked against the installed hash: sorted strictly, TCP or UDP
 * keys, and each entry's workload address resolving to a workload, so a lookup never needs a check.
 */
function setHostPorts(p: usize, len: u32): bool {
  const n = load<u32>(p + I_HP_N);
  const off = load<u32>(p + I_HP);
  if (n == 0) return true;
  if (!sec(off, n, HP_ENTRY_SIZE, len)) return false;
  const base = p + off;
  for (let i: u32 = 0; i < n; i++) {
    const e = base + <usize>i * HP_ENTRY_SIZE;
    const proto = load<u32>(e + HP_KEY) >> 16;
    if (proto != PROTO_TCP && proto != PROTO_UDP) return false;
    if (i > 0 && !hpBelow(e - HP_ENTRY_SIZE, e)) return false;
    const w = probe(invHash, invCap, load<u64>(e + HP_WLO), load<u64>(e + HP_WHI));
    if (w == 0 || <u32>load<u8>(w + IE_KIND) != KIND_WORKLOAD) return false;
  }
  hpBase = base;
  hpN = n;
  return true;
}

/** Validate and install a DNS region; on any error the engine has no DNS resolutions. */
export function setDns(p: usize, len: u32): u32 {
  dnsCap = 0;
  if (!ready) return E_NO_TABLE;
  if (len == 0) return E_OK;
  if (!regionFits(p, len, D_HEADER_SIZE)) return E_REGION_BOUNDS;
  if (load<u32>(p + D_MAGIC) != DNS_MAGIC || load<u32>(p + D_LEN) != len) return E_REGION_CORRUPT;
  const nSets = regionSets(p, len, D_NSETS, D_SET_OFFS, D_SETS_LO, D_SETS_HI);
  if (nSets < 0) return E_REGION_CORRUPT;
  const nRec = load<u32>(p + D_NREC);
  const rec = load<u32>(p + D_REC);
  const nList = load<u32>(p + D_LISTS_N);
  const list = load<u32>(p + D_LISTS);
  if (!sec(rec, nRec, DNS_REC_SIZE, len) || !sec(list, nList, 4, len)) return E_REGION_BOUNDS;
  for (let i: u32 = 0; i < nRec; i++) {
    const r = p + rec + i * DNS_REC_SIZE;
    if (<i64>load<u32>(r) >= nSets || <i64>load<u32>(r, 4) >= nSets) return E_REGION_CORRUPT;
    // At most vhN slots per record: the engine's side lists have room for exactly that many.
    if (load<u32>(r, 12) > vhN || !fits(<u64>load<u32>(r, 8), <u64>load<u32>(r, 12), <u64>nList)) return E_REGION_CORRUPT;
  }
  for (let i: u32 = 0; i < nList; i++) if (load<u32>(p + list + (<usize>i << 2)) >= vhN) return E_REGION_CORRUPT;
  const cap = load<u32>(p + D_HCAP);
  const hash = load<u32>(p + D_HASH);
  if ((cap != 0 && !isPow2(cap)) || !sec(hash, cap, IP_ENTRY_SIZE, len)) return E_REGION_CORRUPT;
  for (let i: u32 = 0; i < cap; i++) {
    if (load<u32>(p + hash + i * IP_ENTRY_SIZE + IE_VALUE) > nRec) return E_REGION_CORRUPT;
  }
  dnsBase = p;
  dnsSetOffs = p + load<u32>(p + D_SET_OFFS);
  dnsRec = p + rec;
  dnsLists = p + list;
  dnsHash = p + hash;
  dnsCap = cap;
  return E_OK;
}

/** A new table invalidates both regions (their set indexes and vh slots belong to the old one). */
export function resetRegions(): void {
  clearInventory();
  dnsCap = 0;
}
