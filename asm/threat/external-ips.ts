// The Service externalIPs of the inventory (CVE-2020-8554, k8s-mitm): a sorted set the host
// writes into the packet region (PH_EXT_IPS, at most PS_EXT_IPS addresses) whenever the inventory
// changes. A workload opening a flow to one of them is the man-in-the-middle NeuVector flags.
import { EXT_IP_SIZE } from "../abi-packet";
import { extIpCap, extIps } from "../packet/region";

let count: u32 = 0;

@inline function lo(i: u32): u64 {
  return load<u64>(extIps + <usize>i * EXT_IP_SIZE);
}

@inline function hi(i: u32): u64 {
  return load<u64>(extIps + <usize>i * EXT_IP_SIZE, 8);
}

/** a < b for (lo, hi) pairs, the high half first. */
@inline function less(aLo: u64, aHi: u64, bLo: u64, bHi: u64): bool {
  return aHi < bHi || (aHi == bHi && aLo < bLo);
}

/** Take the first n addresses of the area: within capacity and strictly increasing, else none. */
export function setExternalIps(n: u32): bool {
  count = 0;
  if (n > extIpCap) return false;
  for (let i: u32 = 1; i < n; i++) if (!less(lo(i - 1), hi(i - 1), lo(i), hi(i))) return false;
  count = n;
  return true;
}

/** Forget the set (a new packet region). */
export function clearExternalIps(): void {
  count = 0;
}

export function isServiceExternalIp(aLo: u64, aHi: u64): bool {
  let a: u32 = 0;
  let b: u32 = count;
  while (a < b) {
    const m = (a + b) >> 1;
    if (less(lo(m), hi(m), aLo, aHi)) a = m + 1;
    else b = m;
  }
  return a < count && lo(a) == aLo && hi(a) == aHi;
}
