// DNS answers on the wire (UDP or TCP from port 53): every A/AAAA record names an address, and so
// does every name whose CNAME chain inside the same answer leads to it (NeuVector's dpi_dns.c
// get_domain_ip_mapping). Names are decoded with compression (at most MAX_JUMPS pointers, 255
// bytes), lower-cased, and handed to the bounded name table. Work is bounded per message.
import { C_DNS_MALFORMED, C_DNS_RESPONSES } from "../abi-packet";
import { addResolution } from "../flow/dns-names";
import { bump, scratch } from "./region";
import { be16, be32 } from "./decode";

const MAX_RR: u32 = 32;
const MAX_QD: u32 = 8;
const MAX_JUMPS: u32 = 63;
const NAME_SLOT: usize = 256;
/** Scratch layout: records (16 bytes each) after the stages' records, then name buffers. */
const REC_AT: usize = 256;
const NAMES_AT: usize = REC_AT + <usize>MAX_RR * 32;
/** Bytes of scratch this stage uses (region.ts reserves at least this much). */
export const DNS_SCRATCH: usize = NAMES_AT + <usize>MAX_RR * 2 * NAME_SLOT;

const T_A: u32 = 1;
const T_CNAME: u32 = 5;
const T_AAAA: u32 = 28;

// Per record: type u32, ttl u32, owner name slot u32, target slot u32 (CNAME), address lo, hi.
@inline function recAt(k: u32): usize {
  return scratch + REC_AT + (<usize>k << 5);
}

@inline function nameAt(slot: u32): usize {
  return scratch + NAMES_AT + <usize>slot * NAME_SLOT;
}

@inline function nameLen(slot: u32): u32 {
  return <u32>load<u8>(nameAt(slot) + 255);
}

/** Length of the name decoded by the last decodeName. */
let decoded: u32 = 0;

/**
 * Decode the name at `off` of the message [m, m + len) into `out` (lower case, dots, no trailing
 * dot). Returns the offset just after the name where it was written, or -1 when malformed.
 */
function decodeName(m: usize, len: u32, off: u32, out: usize): i64 {
  let pos = off;
  let end: i64 = -1;
  let jumps: u32 = 0;
  let n: u32 = 0;
  while (true) {
    if (pos >= len) return -1;
    const l = <u32>load<u8>(m + pos);
    if (l == 0) {
      if (end < 0) end = <i64>pos + 1;
      break;
    }
    if ((l & 0xc0) == 0xc0) {
      if (pos + 1 >= len || ++jumps > MAX_JUMPS) return -1;
      if (end < 0) end = <i64>pos + 2;
      pos = ((l & 0x3f) << 8) | <u32>load<u8>(m + pos + 1);
      continue;
    }
    if ((l & 0xc0) != 0 || pos + 1 + l > len) return -1;
    if (n + l + (n > 0 ? 1 : 0) > 255) return -1;
    if (n > 0) store<u8>(out + n++, 0x2e);
    for (let i: u32 = 0; i < l; i++) {
      let c = load<u8>(m + pos + 1 + i);
      if (c >= 0x41 && c <= 0x5a) c += 0x20;
      store<u8>(out + n++, c);
    }
    pos += 1 + l;
  }
  decoded = n;
  return end;
}

function sameName(a: u32, b: u32): bool {
  const n = nameLen(a);
  if (n != nameLen(b)) return false;
  const pa = nameAt(a);
  const pb = nameAt(b);
  for (let i: u32 = 0; i < n; i++) if (load<u8>(pa + i) != load<u8>(pb + i)) return false;
  return true;
}

/** Record address `k` under its owner and every alias whose CNAME chain leads there. */
function resolveChain(k: u32, n: u32): bool {
  const r = recAt(k);
  const lo = load<u64>(r + 16);
  const hi = load<u64>(r + 24);
  let ttl = load<u32>(r + 4);
  let changed = addResolution(nameAt(load<u32>(r + 8)), nameLen(load<u32>(r + 8)), lo, hi, ttl);
  // Walk CNAMEs backwards: target == current name → its owner also resolves here. `seen` stops loops.
  let seen: u64 = 0;
  let cur = load<u32>(r + 8);
  for (let steps: u32 = 0; steps < n; steps++) {
    let next: i32 = -1;
    for (let j: u32 = 0; j < n; j++) {
      const c = recAt(j);
      if (load<u32>(c) != T_CNAME || (seen & (<u64>1 << j)) != 0) continue;
      if (sameName(load<u32>(c + 12), cur)) {
        next = <i32>j;
        break;
      }
    }
    if (next < 0) break;
    const c = recAt(<u32>next);
    seen |= <u64>1 << <u64>next;
    ttl = min<u32>(ttl, load<u32>(c + 4));
    cur = load<u32>(c + 8);
    if (addResolution(nameAt(cur), nameLen(cur), lo, hi, ttl)) changed = true;
  }
  return changed;
}

/** One DNS message at [m, m + len): a response's resolutions. True when the name table changed. */
export function snoopMessage(m: usize, len: u32): bool {
  if (len < 12) return false;
  const fl = be16(m + 2);
  // A response (QR), standard query, no error.
  if ((fl & 0x8000) == 0 || (fl & 0x7800) != 0 || (fl & 0x000f) != 0) return false;
  bump(C_DNS_RESPONSES);
  const qd = be16(m + 4);
  const an = min<u32>(be16(m + 6), MAX_RR);
  if (qd > MAX_QD) {
    bump(C_DNS_MALFORMED);
    return false;
  }
  let pos: u32 = 12;
  for (let i: u32 = 0; i < qd; i++) {
    const end = decodeName(m, len, pos, nameAt(0));
    if (end < 0 || end + 4 > <i64>len) {
      bump(C_DNS_MALFORMED);
      return false;
    }
    pos = <u32>end + 4;
  }
  let n: u32 = 0;
  for (let i: u32 = 0; i < an; i++) {
    const owner = n * 2;
    const end = decodeName(m, len, pos, nameAt(owner));
    if (end < 0 || end + 10 > <i64>len) break;
    store<u8>(nameAt(owner) + 255, <u8>decoded);
    const at = <u32>end;
    const type = be16(m + at);
    const klass = be16(m + at + 2);
    const ttl = be32(m + at + 4);
    const rdlen = be16(m + at + 8);
    const rd = at + 10;
    if (rd + rdlen > len) break;
    pos = rd + rdlen;
    if (klass != 1) continue;
    const r = recAt(n);
    store<u32>(r, type);
    store<u32>(r + 4, ttl > 0x7fffffff ? 0 : ttl);
    store<u32>(r + 8, owner);
    if (type == T_A && rdlen == 4) {
      store<u64>(r + 16, (<u64>0xffff << 32) | <u64>be32(m + rd));
      store<u64>(r + 24, 0);
    } else if (type == T_AAAA && rdlen == 16) {
      store<u64>(r + 24, bswap<u64>(load<u64>(m + rd)));
      store<u64>(r + 16, bswap<u64>(load<u64>(m + rd + 8)));
    } else if (type == T_CNAME) {
      const target = owner + 1;
      if (decodeName(m, len, rd, nameAt(target)) < 0) continue;
      store<u8>(nameAt(target) + 255, <u8>decoded);
      store<u32>(r + 12, target);
    } else continue;
    n++;
  }
  let changed = false;
  for (let k: u32 = 0; k < n; k++) {
    const t = load<u32>(recAt(k));
    if ((t == T_A || t == T_AAAA) && resolveChain(k, n)) changed = true;
  }
  return changed;
}

/** A transport payload from port 53: one UDP message, or TCP's length-prefixed messages. */
export function snoop(p: usize, len: u32, tcp: bool): bool {
  if (!tcp) return snoopMessage(p, len);
  let changed = false;
  let at: u32 = 0;
  while (at + 2 <= len) {
    const n = be16(p + at);
    if (n == 0 || at + 2 + n > len) break;
    if (snoopMessage(p + at + 2, n)) changed = true;
    at += 2 + n;
  }
  return changed;
}
