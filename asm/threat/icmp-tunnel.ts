// ICMP tunneling (T_ICMP_TUNNELING): echo replies that do not carry their request's payload. A
// normal echo reply returns the request's data byte for byte (RFC 792), while tunnels (ptunnel,
// icmpsh, icmptunnel) carry their own data in each direction. The packet path calls icmpEcho for
// every echo request and echo reply of a flow, with the flow's 16 bytes of tracker state.
//
// State (16 bytes, zero when the flow is created):
//   [0, 4)  sequence number of the last request     [4, 8)  a 32-bit hash of its payload
//   [8, 12) mismatched replies so far               [12]    flags: have a request, reported
//
// As NeuVector's dpi_icmp_tunneling_check: only a reply with the last request's sequence number
// is compared, and the flow is reported once, when `icmp-tunneling.threshold` replies (default 3,
// NeuVector's fixed ICMP_TUNNEL_THRESHOD) have differed. Unlike it, a matching reply does not
// reset the count: NeuVector's run starts over, so a tunnel that echoes one honest request
// between every two of its own is never reported there. The payload hash is a multiply-xorshift
// over 8-byte words instead of sdbm's byte loop (a reassembled 40,000-byte ping hashed a byte at a
// time cost tens of microseconds), over at most 64 KiB (no ICMP message is longer).
import { T_ICMP_TUNNELING } from "./codes";
import { evidenceNumber, foundText } from "./found";
import { threatParam } from "./params";

const S_SEQ: usize = 0;
const S_HASH: usize = 4;
const S_MISMATCHES: usize = 8;
const S_FLAGS: usize = 12;
const HAVE_REQUEST: u8 = 1;
const REPORTED: u8 = 2;
const HASHED_MAX: u32 = 0x10000;

const MUL: u64 = 0x9e3779b97f4a7c15;

/** A 32-bit hash of [p, p + len), at most HASHED_MAX bytes: 8-byte words, then the tail's bytes. */
function payloadHash(p: usize, len: u32): u32 {
  const n = min<u32>(len, HASHED_MAX);
  let h: u64 = <u64>n * MUL;
  let i: u32 = 0;
  for (; i + 8 <= n; i += 8) {
    h = (h ^ load<u64>(p + <usize>i)) * MUL;
    h ^= h >> 29;
  }
  for (; i < n; i++) h = (h ^ <u64>load<u8>(p + <usize>i)) * MUL;
  h ^= h >> 32;
  return <u32>h;
}

/** An echo request (isReply false) or reply of the flow, with its payload [p, p + len). */
export function icmpEcho(state: usize, isReply: bool, seq: u32, p: usize, len: u32): void {
  const flags = load<u8>(state + S_FLAGS);
  if (flags & REPORTED) return;
  const hash = payloadHash(p, len);
  if (!isReply) {
    store<u32>(state + S_SEQ, seq);
    store<u32>(state + S_HASH, hash);
    store<u8>(state + S_FLAGS, flags | HAVE_REQUEST);
    return;
  }
  if ((flags & HAVE_REQUEST) == 0 || load<u32>(state + S_SEQ) != seq || load<u32>(state + S_HASH) == hash) return;
  const n = load<u32>(state + S_MISMATCHES) + 1;
  store<u32>(state + S_MISMATCHES, n);
  if (n < max<u32>(threatParam(T_ICMP_TUNNELING, 0), 1)) return;
  store<u8>(state + S_FLAGS, flags | REPORTED);
  foundText(T_ICMP_TUNNELING, "echo replies unlike their requests: ");
  evidenceNumber(n);
}
