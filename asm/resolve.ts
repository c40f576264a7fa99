// Endpoint resolution (docs/semantics.md S1, S2): an address becomes a kind, a mode and a list of
// rule sets whose union is "rules whose from (or to) contains a group of this endpoint". Yes sets
// come first in the list, then sets that only may match (vh: groups awaiting their host).
import {
  DNS_REC_SIZE, HP_ENTRY_SIZE, HP_HI, HP_KEY, HP_LO, IE_FLAGS, IE_KIND, IE_MODE, IE_VALUE, IEF_NO_INTERCEPT, IEF_SVC_EXTIP, IEF_HOST_NET, IEF_SVC_IP,
  KIND_EXTERNAL, KIND_INTERNAL, KIND_WORKLOAD, MODE_NONE, PROTO_TCP, PROTO_UDP,
} from "./abi";
import { findAddr4, hasAddrIndex } from "./addr-index";
import { find128, find32, isV4 } from "./intervals";
import {
  dnsCap, dnsHash, dnsLists, dnsRec, dnsSet, hpBase, hpN, int4, int4N, int6, int6N, invCap, invCls, invHash, invSet, probe,
} from "./regions";
import { addr4, addr4N, addr6, addr6N, bundleSet, classSet, setPtr, vh } from "./table";
import { hostMarked } from "./vhost";

/** What resolveSide found: the endpoint kind and mode, the list length and its yes prefix. */
export let sideKind: u32 = 0;
export let sideMode: u32 = 0;
/** The endpoint is a workload the enforcer cannot intercept (IEF_NO_INTERCEPT). */
export let sideNoIntercept = false;
/** The endpoint is a Service externalIP (IEF_SVC_EXTIP; its kind is KIND_EXTERNAL). */
export let sideSvcExtIp = false;
/** The endpoint is a Service cluster IP (IEF_SVC_IP; its kind is KIND_INTERNAL). */
export let sideSvcIp = false;
/** The endpoint is a host-network workload (IEF_HOST_NET): rules are matched by port only. */
export let sideHostNet = false;
/** The address resolved from a name some DNS or vh: group names (it has a DNS record). */
export let sideDns = false;
export let sideN: u32 = 0;
export let sideYes: u32 = 0;

export { probe };

/** The address at `ip` is a workload's (the inventory's first kind in S1 order). */
export function isWorkloadAddr(ip: usize): bool {
  const e = probe(invHash, invCap, load<u64>(ip), load<u64>(ip, 8));
  return e != 0 && <u32>load<u8>(e + IE_KIND) == KIND_WORKLOAD;
}

/**
 * S1.1: the host-port entry for (address at `ip`, protocol, port), or 0 — a binary search over
 * the inventory's entries, sorted by address (hi, then lo) and then key.
 */
export function hostPortEntry(ip: usize, proto: u32, port: u32): usize {
  if (hpN == 0 || (proto != PROTO_TCP && proto != PROTO_UDP)) return 0;
  const lo = load<u64>(ip);
  const hi = load<u64>(ip, 8);
  const key = (proto << 16) | port;
  let a: u32 = 0;
  let b = hpN;
  while (a < b) {
    const mid = (a + b) >> 1;
    const e = hpBase + <usize>mid * HP_ENTRY_SIZE;
    const ehi = load<u64>(e + HP_HI);
    const elo = load<u64>(e + HP_LO);
    const ekey = load<u32>(e + HP_KEY);
    if (ehi == hi && elo == lo && ekey == key) return e;
    if (ehi < hi || (ehi == hi && (elo < lo || (elo == lo && ekey < key)))) a = mid + 1;
    else b = mid;
  }
  return 0;
}

/** Address class of an address (static address-group intervals). */
export function addrClass(lo: u64, hi: u64): u32 {
  if (ASC_FEATURE_SIMD) {
    if (isV4(lo, hi) && hasAddrIndex()) return load<u32>(addr4 + ((<usize>addr4N + findAddr4(<u32>lo)) << 2));
  }
  if (isV4(lo, hi)) return load<u32>(addr4 + ((<usize>addr4N + find32(addr4, addr4N, <u32>lo)) << 2));
  return load<u32>(addr6 + (<usize>addr6N << 4) + (<usize>find128(addr6, addr6N, lo, hi) << 2));
}

export function isInternal(lo: u64, hi: u64): bool {
  if (isV4(lo, hi)) {
    if (int4N == 0) return false;
    return load<u32>(int4 + ((<usize>int4N + find32(int4, int4N, <u32>lo)) << 2)) != 0;
  }
  if (int6N == 0) return false;
  return load<u32>(int6 + (<usize>int6N << 4) + (<usize>find128(int6, int6N, lo, hi) << 2)) != 0;
}

/** Append a set unless it is empty (an empty set adds nothing to a union). */
@inline function push(list: usize, set: usize): void {
  if (load<u32>(set) != 0) {
    store<usize>(list + (<usize>sideN << 2), set);
    sideN++;
  }
}

/**
 * Resolve the address at `ip` for one side. `to` = 0 for the source (from sets), 1 for the
 * destination (to sets). `hostKnown`: vh: groups are yes/no by the marked host, else maybe.
 */
export function resolveSide(ip: usize, to: u32, list: usize, hostKnown: bool): void {
  const lo = load<u64>(ip);
  const hi = load<u64>(ip, 8);
  sideN = 0;
  const e = probe(invHash, invCap, lo, hi);
  if (e != 0) {
    // Workload or node: the host folded kind, workload groups and address groups into one class.
    // A node is an unmanaged peer (MODE_NONE in its entry): the workload's mode decides (S4).
    sideKind = <u32>load<u8>(e + IE_KIND);
    sideMode = <u32>load<u8>(e + IE_MODE);
    sideNoIntercept = (load<u8>(e + IE_FLAGS) & IEF_NO_INTERCEPT) != 0;
    sideSvcExtIp = (load<u8>(e + IE_FLAGS) & IEF_SVC_EXTIP) != 0;
    sideSvcIp = (load<u8>(e + IE_FLAGS) & IEF_SVC_IP) != 0;
    sideHostNet = (load<u8>(e + IE_FLAGS) & IEF_HOST_NET) != 0;
    push(list, invSet(load<u32>(invCls + ((<usize>(load<u32>(e + IE_VALUE) - 1) << 3) + (<usize>to << 2)))));
  } else {
    sideKind = isInternal(lo, hi) ? KIND_INTERNAL : KIND_EXTERNAL;
    sideMode = MODE_NONE;
    sideNoIntercept = false;
    sideSvcExtIp = false;
    sideSvcIp = false;
    sideHostNet = false;
    // The class's bundle (its coarse groups' rules with the kind's built-ins), then its own sets.
    const cls = addrClass(lo, hi);
    push(list, bundleSet(cls, sideKind, to));
    push(list, classSet(cls, to));
  }
  const d = probe(dnsHash, dnsCap, lo, hi);
  sideDns = d != 0;
  if (d == 0) {
    sideYes = sideN;
    return;
  }
  // Names the address resolved from: plain DNS groups are yes; vh: groups are yes when the
  // marked host matches them, maybe while the host is unknown, and absent otherwise.
  const rec = dnsRec + (<usize>(load<u32>(d + IE_VALUE) - 1)) * DNS_REC_SIZE;
  push(list, dnsSet(load<u32>(rec + (<usize>to << 2))));
  const yes = sideN;
  const slots = dnsLists + (<usize>load<u32>(rec, 8) << 2);
  const n = load<u32>(rec, 12);
  for (let i: u32 = 0; i < n; i++) {
    const slot = load<u32>(slots + (<usize>i << 2));
    if (!hostKnown || hostMarked(slot)) push(list, setPtr(load<u32>(vh + (<usize>slot << 3) + (<usize>to << 2))));
  }
  sideYes = hostKnown ? sideN : yes;
}
