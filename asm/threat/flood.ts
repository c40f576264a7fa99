// Rate detections over the meter (asm/threat/meter.ts): SYN flood, ICMP flood, DNS flood and the
// rate half of DNS tunneling. The packet path calls one function per packet of the kind, with the
// meter area it owns; each reports through found() when its meter rises, with the address and the
// count as evidence ("10.0.0.9 sent 800 SYNs in 5s"), and returns the meter's state so that the
// caller can also drop while it stays raised (NeuVector drops every packet while its meter fires).
//
// Keys and parameters (common/threats.ts; [threshold, release, window] unless said):
//   SYN flood     ingress SYNs per (destination workload, source address)   as NeuVector
//   ICMP flood    ICMP packets per destination workload                     as NeuVector
//   DNS flood     DNS queries per (destination, source address). NeuVector lists the threat but has
//                 no data-path code for it; this is nvp's own, built like its SYN flood
//   DNS tunneling queries carrying encoded data (asm/dpi's per-query test) per client address;
//                 params [threshold, label-length, window], released when the count falls below
//                 the threshold. NeuVector instead asks the agent whether the process owning a
//                 DNS session with >800 client bytes has /dev/tun open, which a network engine
//                 cannot see.
// Addresses are 128-bit (two u64 halves, IPv4 as ::ffff:a.b.c.d, asm/packet/decode.ts).
import { T_DNS_FLOOD, T_DNS_TUNNELING, T_ICMP_FLOOD, T_SYN_FLOOD } from "./codes";
import { evidenceNumber, evidenceText, found } from "./found";
import { meterFold, meterHit, meterLastCount, METER_QUIET, METER_ROSE } from "./meter";
import { threatParam } from "./params";

/** Meter kinds: one key space per detector. */
export const KIND_SYN: u32 = 1;
export const KIND_ICMP: u32 = 2;
export const KIND_DNS: u32 = 3;
export const KIND_DNS_ENCODED: u32 = 4;

const P_THRESHOLD: u32 = 0;
const P_RELEASE: u32 = 1;
const P_WINDOW: u32 = 2;

/** Address text for the evidence: at most 39 bytes (full IPv6). */
const text = memory.data(40, 8);

@inline function put(at: u32, c: u32): u32 {
  store<u8>(text + <usize>at, <u8>c);
  return at + 1;
}

/** A value below 256 in decimal. */
function putByte(at: u32, v: u32): u32 {
  if (v >= 100) at = put(at, 0x30 + v / 100);
  if (v >= 10) at = put(at, 0x30 + (v / 10) % 10);
  return put(at, 0x30 + v % 10);
}

/** A 16-bit group in lower-case hex without leading zeros. */
function putGroup(at: u32, g: u32): u32 {
  for (let s: i32 = 12; s >= 0; s -= 4) {
    const d = (g >> <u32>s) & 15;
    if (s == 0 || g >> <u32>s != 0) at = put(at, d < 10 ? 0x30 + d : 0x57 + d);
  }
  return at;
}

@inline function group(lo: u64, hi: u64, i: u32): u32 {
  return <u32>((i < 4 ? hi >> (<u64>(3 - i) << 4) : lo >> (<u64>(7 - i) << 4)) & 0xffff);
}

/** Write the address as text (common/ip.ts formatIp: dotted quad, or RFC 5952 IPv6); its length. */
function ipText(lo: u64, hi: u64): u32 {
  let at: u32 = 0;
  if (hi == 0 && lo >> 32 == 0xffff) {
    for (let s: i32 = 24; s >= 0; s -= 8) {
      if (s != 24) at = put(at, 0x2e);
      at = putByte(at, <u32>(lo >> <u64>s) & 0xff);
    }
    return at;
  }
  // The longest run of two or more zero groups (the first on a tie) becomes `::`.
  let best: u32 = 8;
  let bestLen: u32 = 1;
  for (let i: u32 = 0; i < 8; i++) {
    let n: u32 = 0;
    while (i + n < 8 && group(lo, hi, i + n) == 0) n++;
    if (n > bestLen) {
      best = i;
      bestLen = n;
    }
  }
  for (let i: u32 = 0; i < 8; i++) {
    if (i == best) {
      at = put(put(at, 0x3a), 0x3a);
      i += bestLen - 1;
      continue;
    }
    if (i != 0 && i != best + bestLen) at = put(at, 0x3a);
    at = putGroup(at, group(lo, hi, i));
  }
  return at;
}

/** A window as evidence: whole seconds as `5s`, otherwise `1500ms`. */
function windowText(ms: u32): void {
  if (ms % 1000 == 0) {
    evidenceNumber(ms / 1000);
    evidenceText("s");
  } else {
    evidenceNumber(ms);
    evidenceText("ms");
  }
}

/** One hit on a detector's meter; on a rise, report `<who><verb><count><what><window>`. */
function rate(base: usize, cap: u32, code: u32, kind: u32, keyLo: u64, keyHi: u64, now: u64, release: u32, whoLo: u64, whoHi: u64, verb: string, what: string): u32 {
  const threshold = threatParam(code, P_THRESHOLD);
  const windowMs = threatParam(code, P_WINDOW);
  const r = meterHit(base, cap, kind, keyLo, keyHi, now, windowMs, threshold, release);
  if (r == METER_ROSE) {
    found(code, text, ipText(whoLo, whoHi));
    evidenceText(verb);
    evidenceNumber(meterLastCount());
    evidenceText(what);
    windowText(windowMs);
  }
  return r;
}

/** An ingress SYN (no ACK) from src to the workload dst (T_SYN_FLOOD); the meter's state. */
export function synSeen(base: usize, cap: u32, dstLo: u64, dstHi: u64, srcLo: u64, srcHi: u64, now: u64): u32 {
  const release = threatParam(T_SYN_FLOOD, P_RELEASE);
  return rate(base, cap, T_SYN_FLOOD, KIND_SYN, meterFold(dstLo, dstHi), meterFold(srcLo, srcHi), now, release, srcLo, srcHi, " sent ", " SYNs in ");
}

/** An ICMP packet to the workload dst (T_ICMP_FLOOD); the meter's state. */
export function icmpSeen(base: usize, cap: u32, dstLo: u64, dstHi: u64, now: u64): u32 {
  const release = threatParam(T_ICMP_FLOOD, P_RELEASE);
  return rate(base, cap, T_ICMP_FLOOD, KIND_ICMP, 0, meterFold(dstLo, dstHi), now, release, dstLo, dstHi, " received ", " ICMP packets in ");
}

/** A DNS query from src to the server dst (T_DNS_FLOOD); the meter's state. */
export function dnsQuerySeen(base: usize, cap: u32, dstLo: u64, dstHi: u64, srcLo: u64, srcHi: u64, now: u64): u32 {
  const release = threatParam(T_DNS_FLOOD, P_RELEASE);
  return rate(base, cap, T_DNS_FLOOD, KIND_DNS, meterFold(dstLo, dstHi), meterFold(srcLo, srcHi), now, release, srcLo, srcHi, " sent ", " DNS queries in ");
}

/**
 * A DNS query from the client src, `encoded` when it carries data (T_DNS_TUNNELING); the meter's
 * state. Queries that are not encoded leave the meter alone.
 */
export function dnsEncodedSeen(base: usize, cap: u32, srcLo: u64, srcHi: u64, encoded: bool, now: u64): u32 {
  if (!encoded) return METER_QUIET;
  const release = threatParam(T_DNS_TUNNELING, P_THRESHOLD);
  return rate(base, cap, T_DNS_TUNNELING, KIND_DNS_ENCODED, 0, meterFold(srcLo, srcHi), now, release, srcLo, srcHi, " sent ", " encoded DNS queries in ");
}
