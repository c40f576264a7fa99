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
import { evidenceIp, evidenceNumber, evidenceText, foundText } from "./found";
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
    foundText(code, "");
    evidenceIp(whoLo, whoHi);
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
