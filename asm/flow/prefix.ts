// DPI prefix buffers: a separate bounded pool of PS_PREFIX_SLOTS slots, each holding the first
// PREFIX_CAP bytes of both directions of one flow. A flow takes a slot with its first payload and
// gives it back when its application is known or DPI gives up, so memory does not grow with
// 2 KiB × flows. TCP: the in-order stream; a segment that arrives early is written where it belongs
// and its range remembered (at most RANGES per direction, else dropped and counted) until the gap
// fills. UDP: each direction's first datagram.
import { C_OOO_DROPPED, C_OOO_HELD, C_PREFIX_ACTIVE, C_PREFIX_EXHAUSTED } from "../abi-packet";
import { bump, drop, PREFIX_CAP, PREFIX_HDR, PREFIX_REC, prefixes, prefixFree, prefixSlots } from "../packet/region";
import { FL_PREFIX } from "./table";

const PX_LEN: usize = 0;
const PX_NR: usize = 4;
export const PX_HOST_OFF: usize = 8;
export const PX_HOST_LEN: usize = 12;
const PX_RANGES: usize = 16;
const PX_UDP: usize = 48;
const RANGES: u32 = 4;

let freeTop: u32 = 0;
let fresh: u32 = 0;

@inline function slotPtr(i: u32): usize {
  return prefixes + <usize>i * PREFIX_REC;
}

/** The flow's slot, or 0. */
@inline export function prefixOf(f: usize): usize {
  const i = load<u32>(f + FL_PREFIX);
  return i == 0 ? 0 : slotPtr(i - 1);
}

/** The flow's slot, taking a free one if it has none; 0 when the pool is exhausted (counted). */
export function ensurePrefix(f: usize): usize {
  const have = prefixOf(f);
  if (have != 0) return have;
  let i: u32;
  if (freeTop > 0) {
    freeTop--;
    i = load<u32>(prefixFree + (<usize>freeTop << 2));
  }
  else if (fresh < prefixSlots) {
    i = fresh;
    fresh++;
  }
  else {
    bump(C_PREFIX_EXHAUSTED);
    return 0;
  }
  const s = slotPtr(i);
  memory.fill(s, 0, PREFIX_HDR);
  store<u32>(f + FL_PREFIX, i + 1);
  bump(C_PREFIX_ACTIVE);
  return s;
}

export function releasePrefix(f: usize): void {
  const i = load<u32>(f + FL_PREFIX);
  if (i == 0) return;
  store<u32>(prefixFree + (<usize>freeTop << 2), i - 1);
  freeTop++;
  store<u32>(f + FL_PREFIX, 0);
  drop(C_PREFIX_ACTIVE);
}

export function resetPrefixes(): void {
  freeTop = 0;
  fresh = 0;
}

@inline export function bytesOf(s: usize, d: u32): usize {
  return s + PREFIX_HDR + <usize>d * PREFIX_CAP;
}

@inline export function lenOf(s: usize, d: u32): u32 {
  return <u32>load<u16>(s + PX_LEN + (<usize>d << 1));
}

@inline function setLen(s: usize, d: u32, n: u32): void {
  store<u16>(s + PX_LEN + (<usize>d << 1), <u16>n);
}

@inline function range(s: usize, d: u32, k: u32): usize {
  return s + PX_RANGES + (<usize>d << 4) + (<usize>k << 2);
}

/**
 * A NAT keep-alive of at most 4 bytes of NULs, CRs and LFs (SIP phones send `00 00 00 00` or CRLFs
 * before and between requests, RFC 5626 §3.5.1): not the datagram that says what the flow is.
 */
function keepAlive(p: usize, n: u32): bool {
  if (n > 4) return false;
  for (let i: u32 = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c != 0 && c != 0x0d && c != 0x0a) return false;
  }
  return true;
}

/** UDP: keep the direction's first datagram (keep-alives skipped). */
export function addDatagram(s: usize, d: u32, p: usize, n: u32): void {
  if (load<u8>(s + PX_UDP + d) != 0 || n == 0 || keepAlive(p, n)) return;
  store<u8>(s + PX_UDP + d, 1);
  const m = min<u32>(n, PREFIX_CAP);
  memory.copy(bytesOf(s, d), p, m);
  setLen(s, d, m);
}

/** Held ranges that the in-order length now reaches are absorbed into it. */
function absorb(s: usize, d: u32): void {
  let len = lenOf(s, d);
  let nr = <u32>load<u8>(s + PX_NR + d);
  let changed = true;
  while (changed) {
    changed = false;
    for (let k: u32 = 0; k < nr; k++) {
      const r = range(s, d, k);
      const a = <u32>load<u16>(r);
      const b = <u32>load<u16>(r, 2);
      if (a <= len) {
        if (b > len) len = b;
        store<u32>(r, load<u32>(range(s, d, nr - 1)));
        nr--;
        changed = true;
        break;
      }
    }
  }
  setLen(s, d, len);
  store<u8>(s + PX_NR + d, <u8>nr);
}

/** Remember [a, b) as held; false when the ranges are full (the segment is dropped). */
function hold(s: usize, d: u32, a: u32, b: u32): bool {
  let nr = <u32>load<u8>(s + PX_NR + d);
  let touching: u32 = 0;
  for (let k: u32 = 0; k < nr; k++) {
    const r = range(s, d, k);
    if (<u32>load<u16>(r) <= b && <u32>load<u16>(r, 2) >= a) touching++;
  }
  if (touching == 0 && nr >= RANGES) return false;
  // Merge every range touching [a, b) into it.
  let k: u32 = 0;
  while (k < nr) {
    const r = range(s, d, k);
    const ra = <u32>load<u16>(r);
    const rb = <u32>load<u16>(r, 2);
    if (ra <= b && rb >= a) {
      a = min(a, ra);
      b = max(b, rb);
      store<u32>(r, load<u32>(range(s, d, nr - 1)));
      nr--;
    } else k++;
  }
  const r = range(s, d, nr);
  store<u16>(r, <u16>a);
  store<u16>(r, <u16>b, 2);
  store<u8>(s + PX_NR + d, <u8>(nr + 1));
  return true;
}

/**
 * TCP: `n` payload bytes at `p` start at stream offset `rel` (negative: a retransmission of bytes
 * before the stream start as first seen). Only [0, PREFIX_CAP) of the stream is kept.
 */
export function addSegment(s: usize, d: u32, rel: i64, p: usize, n: u32): void {
  let a = rel;
  const e = rel + <i64>n;
  if (e <= 0 || a >= <i64>PREFIX_CAP) return;
  if (a < 0) {
    p += <usize>(-a);
    a = 0;
  }
  const start = <u32>a;
  const end = <u32>min<i64>(e, <i64>PREFIX_CAP);
  const len = lenOf(s, d);
  const dst = bytesOf(s, d);
  if (start <= len) {
    if (end > len) {
      memory.copy(dst + len, p + (len - start), end - len);
      setLen(s, d, end);
      absorb(s, d);
    }
    return;
  }
  if (!hold(s, d, start, end)) {
    bump(C_OOO_DROPPED);
    return;
  }
  memory.copy(dst + start, p, end - start);
  bump(C_OOO_HELD);
}
