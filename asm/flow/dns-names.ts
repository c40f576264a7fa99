// Snooped DNS resolutions: a bounded table of PS_DNS_NAMES names (NeuVector caps its FQDN table at
// 2048), each with up to DNS_IPS_PER_NAME addresses and their expiry (answer time + max(TTL,
// PS_DNS_MIN_TTL)). Only names the policy can use are kept: those matching a DNS or vh: pattern
// of the host-written pattern table (exact names and `*.suffix` wildcards, matched as the vh: name
// table is: one FNV-1a pass from the last byte). When full, the name answered longest ago goes.
// A change the decision can see bumps PH_DNS_GEN; the host then rebuilds the DNS region.
import { FNV_OFFSET, FNV_PRIME, NE_USED, NE_WILDCARD } from "../abi";
import {
  C_DNS_ADDED, C_DNS_EVICTED, C_DNS_EXPIRED, C_DNS_NAMES, DN_EXPIRY, DN_HASH, DN_IPS, DN_LEN, DN_NAME,
  DN_NIPS, DN_SIZE, DN_TOUCH, DNS_IPS_PER_NAME, PE_FLAGS, PE_HASH, PE_LEN, PE_SIZE, PE_STR, PH_DNS_GEN, PT_CAP,
  PT_ENTRIES,
} from "../abi-packet";
import { base, bump, dnsIdx, dnsIdxCap, dnsMinTtl, dnsNames, dnsTable, drop, now, patternBytes, patterns } from "../packet/region";

let patCap: u32 = 0;

@inline function entry(i: u32): usize {
  return dnsTable + <usize>i * DN_SIZE;
}

function changed(): void {
  store<u32>(base + PH_DNS_GEN, load<u32>(base + PH_DNS_GEN) + 1);
}

/** Validate the pattern table the host wrote; without a valid one no name is kept. */
export function installPatterns(): bool {
  patCap = 0;
  if (patternBytes < PT_ENTRIES) return patternBytes == 0;
  const cap = load<u32>(patterns + PT_CAP);
  if (cap != 0 && (cap & (cap - 1)) != 0) return false;
  if (<u64>PT_ENTRIES + <u64>cap * PE_SIZE > <u64>patternBytes) return false;
  for (let i: u32 = 0; i < cap; i++) {
    const e = patterns + PT_ENTRIES + <usize>i * PE_SIZE;
    if ((load<u32>(e + PE_FLAGS) & NE_USED) == 0) continue;
    const off = <u64>load<u32>(e + PE_STR);
    if (off > <u64>patternBytes || <u64>load<u32>(e + PE_LEN) > <u64>patternBytes - off) return false;
  }
  patCap = cap;
  return true;
}

function samePattern(e: usize, p: usize, len: u32): bool {
  if (load<u32>(e + PE_LEN) != len) return false;
  const s = patterns + <usize>load<u32>(e + PE_STR);
  for (let i: u32 = 0; i < len; i++) if (load<u8>(s + i) != load<u8>(p + i)) return false;
  return true;
}

function hasPattern(hash: u32, p: usize, len: u32, wildcard: u32): bool {
  const mask = patCap - 1;
  let slot = hash & mask;
  for (let n: u32 = 0; n < patCap; n++) {
    const e = patterns + PT_ENTRIES + <usize>slot * PE_SIZE;
    const fl = load<u32>(e + PE_FLAGS);
    if ((fl & NE_USED) == 0) return false;
    if (load<u32>(e + PE_HASH) == hash && (fl & NE_WILDCARD) == wildcard && samePattern(e, p, len)) return true;
    slot = (slot + 1) & mask;
  }
  return false;
}

/** Does the policy name `p[0..len)` exactly or by a wildcard suffix (asm/vhost.ts markHost's rule)? */
export function relevant(p: usize, len: u32): bool {
  if (patCap == 0 || len == 0) return false;
  const wildOk = load<u8>(p) != 0x2e;
  let hash: u32 = FNV_OFFSET;
  for (let i = len; i > 0; i--) {
    const c = <u32>load<u8>(p + i - 1);
    if (c == 0x2e && wildOk && i < len && i >= 2 && hasPattern(hash, p + i, len - i, NE_WILDCARD)) return true;
    hash = (hash ^ c) * FNV_PRIME;
  }
  return hasPattern(hash, p, len, 0);
}

function nameHash(p: usize, len: u32): u32 {
  let h: u32 = FNV_OFFSET;
  for (let i: u32 = 0; i < len; i++) h = (h ^ <u32>load<u8>(p + i)) * FNV_PRIME;
  return h;
}

function find(h: u32, p: usize, len: u32): u32 {
  const mask = dnsIdxCap - 1;
  let slot = h & mask;
  for (let n: u32 = 0; n < dnsIdxCap; n++) {
    const v = load<u32>(dnsIdx + (<usize>slot << 2));
    if (v == 0) return 0;
    const e = entry(v - 1);
    if (load<u32>(e + DN_HASH) == h && <u32>load<u16>(e + DN_LEN) == len) {
      let same = true;
      for (let i: u32 = 0; i < len && same; i++) same = load<u8>(e + DN_NAME + i) == load<u8>(p + i);
      if (same) return v;
    }
    slot = (slot + 1) & mask;
  }
  return 0;
}

function unindex(i: u32): void {
  const mask = dnsIdxCap - 1;
  let a = load<u32>(entry(i) + DN_HASH) & mask;
  while (load<u32>(dnsIdx + (<usize>a << 2)) != i + 1) a = (a + 1) & mask;
  let b = (a + 1) & mask;
  while (true) {
    const v = load<u32>(dnsIdx + (<usize>b << 2));
    if (v == 0) break;
    const k = load<u32>(entry(v - 1) + DN_HASH) & mask;
    const stays = a <= b ? a < k && k <= b : a < k || k <= b;
    if (!stays) {
      store<u32>(dnsIdx + (<usize>a << 2), v);
      a = b;
    }
    b = (b + 1) & mask;
  }
  store<u32>(dnsIdx + (<usize>a << 2), 0);
}

function removeName(i: u32): void {
  unindex(i);
  store<u16>(entry(i) + DN_LEN, 0);
  store<u16>(entry(i) + DN_NIPS, 0);
  drop(C_DNS_NAMES);
}

/** A free entry for a new name: an unused one, else the least recently answered (evicted). */
function freeEntry(): u32 {
  let oldest: u32 = 0xffffffff;
  for (let i: u32 = 0; i < dnsNames; i++) {
    const e = entry(i);
    if (load<u16>(e + DN_LEN) == 0) return i;
    if (oldest == 0xffffffff || load<u64>(e + DN_TOUCH) < load<u64>(entry(oldest) + DN_TOUCH)) oldest = i;
  }
  removeName(oldest);
  bump(C_DNS_EVICTED);
  return oldest;
}

/** `name` resolves to (lo, hi) for `ttl` seconds. True when the table changed visibly. */
export function addResolution(p: usize, len: u32, lo: u64, hi: u64, ttl: u32): bool {
  if (dnsNames == 0 || len == 0 || len > 255 || !relevant(p, len)) return false;
  const h = nameHash(p, len);
  let v = find(h, p, len);
  let fresh = false;
  if (v == 0) {
    const i = freeEntry();
    const e = entry(i);
    store<u16>(e + DN_LEN, <u16>len);
    store<u16>(e + DN_NIPS, 0);
    store<u32>(e + DN_HASH, h);
    memory.copy(e + DN_NAME, p, len);
    const mask = dnsIdxCap - 1;
    let slot = h & mask;
    while (load<u32>(dnsIdx + (<usize>slot << 2)) != 0) slot = (slot + 1) & mask;
    store<u32>(dnsIdx + (<usize>slot << 2), i + 1);
    bump(C_DNS_NAMES);
    v = i + 1;
    fresh = true;
  }
  const e = entry(v - 1);
  store<u64>(e + DN_TOUCH, now);
  const expiry = now + max<u64>(<u64>ttl * 1000000000, dnsMinTtl);
  const n = <u32>load<u16>(e + DN_NIPS);
  let victim: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const a = e + DN_IPS + (<usize>k << 4);
    if (load<u64>(a) == lo && load<u64>(a, 8) == hi) {
      const x = e + DN_EXPIRY + (<usize>k << 3);
      if (expiry > load<u64>(x)) store<u64>(x, expiry);
      if (fresh) changed();
      return fresh;
    }
    if (load<u64>(e + DN_EXPIRY + (<usize>k << 3)) < load<u64>(e + DN_EXPIRY + (<usize>victim << 3))) victim = k;
  }
  // A new address: a free place, else the one expiring first makes room.
  const k = n < DNS_IPS_PER_NAME ? n : victim;
  if (n < DNS_IPS_PER_NAME) store<u16>(e + DN_NIPS, <u16>(n + 1));
  store<u64>(e + DN_IPS + (<usize>k << 4), lo);
  store<u64>(e + DN_IPS + (<usize>k << 4) + 8, hi);
  store<u64>(e + DN_EXPIRY + (<usize>k << 3), expiry);
  bump(C_DNS_ADDED);
  changed();
  return true;
}

/** Drop expired addresses, and names left without any. */
export function dnsSweep(): void {
  let any = false;
  for (let i: u32 = 0; i < dnsNames; i++) {
    const e = entry(i);
    if (load<u16>(e + DN_LEN) == 0) continue;
    let n = <u32>load<u16>(e + DN_NIPS);
    let k: u32 = 0;
    while (k < n) {
      if (load<u64>(e + DN_EXPIRY + (<usize>k << 3)) > now) {
        k++;
        continue;
      }
      n--;
      store<u64>(e + DN_IPS + (<usize>k << 4), load<u64>(e + DN_IPS + (<usize>n << 4)));
      store<u64>(e + DN_IPS + (<usize>k << 4) + 8, load<u64>(e + DN_IPS + (<usize>n << 4) + 8));
      store<u64>(e + DN_EXPIRY + (<usize>k << 3), load<u64>(e + DN_EXPIRY + (<usize>n << 3)));
      bump(C_DNS_EXPIRED);
      any = true;
    }
    store<u16>(e + DN_NIPS, <u16>n);
    if (n == 0) removeName(i);
  }
  if (any) changed();
}
