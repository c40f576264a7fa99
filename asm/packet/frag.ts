// IP fragment reassembly (IPv4, and IPv6 fragment headers) in a fixed pool: PS_FRAG_SLOTS slots of
// PS_FRAG_BYTES datagram bytes each, with one coverage bit per 8-byte unit. A datagram that has
// not completed PS_TO_FRAG seconds after its first fragment is dropped; when every slot is busy the
// oldest is evicted. Overlapping fragments never overwrite what arrived first (the first copy
// wins, as BSD and Linux do) and mark the datagram; so do fragments that disagree on its end, and a
// last fragment that ends inside data already held (NeuVector ignores such a last fragment).
// Two malformed fragments (decode's fragOdd) still count as evidence: one that is not whole 8-byte
// units but not the last is kept, and its datagram can never complete (the rest of its last unit
// could only come from an overlapping fragment), as NeuVector holds it; one reaching past 65,535
// bytes only stretches the datagram's extent. The threat stage judges each datagram once for
// teardrop and once for ping of death (asm/threat/fragments.ts) and may block it: its later
// fragments are then FRAG_BLOCKED, and so is its completion.
import {
  C_FRAG_EVICTED, C_FRAG_OVERLAPS, C_FRAG_REASSEMBLED, C_FRAG_TIMEOUTS, C_FRAG_TOO_BIG, C_FRAGMENTS,
  C_FRAGS_ACTIVE,
} from "../abi-packet";
import * as D from "./decode";
import { pkt } from "./decoded";
import { fragBytes, fragRec, frags, fragSlots, now, toFrag, bump, drop, FRAG_HDR } from "./region";

const FG_USED: usize = 0;
const FG_BITS: usize = 1;
const FG_THREAT: usize = 2;
const FG_NEXT: usize = 3;
const FG_ID: usize = 4;
const FG_SRC: usize = 8;
const FG_DST: usize = 24;
const FG_FIRST: usize = 40;
const FG_TOTAL: usize = 48;
const FG_UNITS: usize = 52;
/** How far the datagram reaches: the largest fragment end seen (past-65,535 fragments included). */
const FG_EXTENT: usize = 56;
const FG_OVERLAP_AT: usize = 60;
const FG_FAMILY: usize = 62;
/** Bytes of unit 0 the fragment at offset 0 brought (fewer than 8: a misaligned first fragment). */
const FG_HEAD: usize = 63;

// FG_BITS.
const FB_OVERLAP: u32 = 1;
const FB_LAST: u32 = 2;
/** A non-last fragment of a partial unit is held: the datagram can never complete. */
const FB_HOLE: u32 = 4;
/** Judged for teardrop / for ping of death (asm/threat/fragments.ts): not again. */
export const FB_TEARDROP: u32 = 8;
export const FB_PING: u32 = 16;
/** A threat blocked the datagram (Protect): every later fragment is dropped. */
const FB_BLOCKED: u32 = 32;

/** insert(): still waiting for fragments, complete (see `done*`), dropped (too big), or blocked. */
export const FRAG_HELD: u32 = 0;
export const FRAG_DONE: u32 = 1;
export const FRAG_DROPPED: u32 = 2;
export const FRAG_BLOCKED: u32 = 3;

// The completed datagram (done*) and the fragment taken last (frag*) are fields of the packet
// record (asm/packet/decoded.ts).

@inline function bitmap(s: usize): usize {
  return s + FRAG_HDR;
}

@inline function bitmapBytes(): u32 {
  return ((fragBytes >> 3) + 8) >> 3;
}

@inline function slotData(s: usize): usize {
  return s + FRAG_HDR + bitmapBytes();
}

@inline function slotAt(i: u32): usize {
  return frags + <usize>i * fragRec;
}

@inline function unitSet(s: usize, u: u32): bool {
  return (load<u8>(bitmap(s) + (u >> 3)) & (<u8>1 << <u8>(u & 7))) != 0;
}

@inline function setUnit(s: usize, u: u32): void {
  const a = bitmap(s) + (u >> 3);
  store<u8>(a, load<u8>(a) | (<u8>1 << <u8>(u & 7)));
}

@inline function bits(s: usize): u32 {
  return <u32>load<u8>(s + FG_BITS);
}

@inline function setBits(s: usize, b: u32): void {
  store<u8>(s + FG_BITS, <u8>(bits(s) | b));
}

function free(s: usize): void {
  if (load<u8>(s + FG_USED) == 0) return;
  store<u8>(s + FG_USED, 0);
  drop(C_FRAGS_ACTIVE);
}

function claim(s: usize, family: u32, id: u32, srcLo: u64, srcHi: u64, dstLo: u64, dstHi: u64): void {
  memory.fill(s, 0, FRAG_HDR + bitmapBytes());
  store<u8>(s + FG_USED, 1);
  store<u8>(s + FG_FAMILY, <u8>family);
  store<u32>(s + FG_ID, id);
  store<u64>(s + FG_SRC, srcLo);
  store<u64>(s + FG_SRC + 8, srcHi);
  store<u64>(s + FG_DST, dstLo);
  store<u64>(s + FG_DST + 8, dstHi);
  store<u64>(s + FG_FIRST, now);
  bump(C_FRAGS_ACTIVE);
}

/** Drop datagrams older than the fragment timeout. */
export function fragSweep(): void {
  for (let i: u32 = 0; i < fragSlots; i++) {
    const s = slotAt(i);
    if (load<u8>(s + FG_USED) != 0 && load<u64>(s + FG_FIRST) + toFrag < now) {
      free(s);
      bump(C_FRAG_TIMEOUTS);
    }
  }
}

/** The slot of a datagram, a free one, or the oldest (evicted); 0 when there are no slots. */
function find(family: u32, id: u32, srcLo: u64, srcHi: u64, dstLo: u64, dstHi: u64): usize {
  let freeSlot: usize = 0;
  let oldest: usize = 0;
  for (let i: u32 = 0; i < fragSlots; i++) {
    const s = slotAt(i);
    if (load<u8>(s + FG_USED) != 0 && load<u64>(s + FG_FIRST) + toFrag < now) {
      free(s);
      bump(C_FRAG_TIMEOUTS);
    }
    if (load<u8>(s + FG_USED) == 0) {
      if (freeSlot == 0) freeSlot = s;
      continue;
    }
    if (
      load<u32>(s + FG_ID) == id && <u32>load<u8>(s + FG_FAMILY) == family &&
      load<u64>(s + FG_SRC) == srcLo && load<u64>(s + FG_SRC + 8) == srcHi &&
      load<u64>(s + FG_DST) == dstLo && load<u64>(s + FG_DST + 8) == dstHi
    ) return s;
    if (oldest == 0 || load<u64>(s + FG_FIRST) < load<u64>(oldest + FG_FIRST)) oldest = s;
  }
  if (freeSlot == 0 && oldest != 0) {
    free(oldest);
    bump(C_FRAG_EVICTED);
    freeSlot = oldest;
  }
  if (freeSlot != 0) claim(freeSlot, family, id, srcLo, srcHi, dstLo, dstHi);
  return freeSlot;
}

/** An overlap (or inconsistency) at byte `at`: the datagram is marked, the first place kept. */
function overlapAt(s: usize, at: u32): void {
  if ((bits(s) & FB_OVERLAP) == 0) store<u16>(s + FG_OVERLAP_AT, <u16>min<u32>(at, 0xffff));
  setBits(s, FB_OVERLAP);
  bump(C_FRAG_OVERLAPS);
  pkt.fragOverlapped = true;
  pkt.fragOverlapAt = at;
}

/** The first byte of [off, end) the datagram already holds, else `end`. */
function heldIn(s: usize, off: u32, end: u32): u32 {
  const u1 = (end + 7) >> 3;
  for (let u = off >> 3; u < u1; u++) if (unitSet(s, u)) return max<u32>(u << 3, off);
  return end;
}

/** Every unit of [0, total) has arrived. */
function complete(s: usize, total: u32): bool {
  const units = (total + 7) >> 3;
  if (load<u32>(s + FG_UNITS) < units) return false;
  for (let u: u32 = 0; u < units; u++) if (!unitSet(s, u)) return false;
  return true;
}

/** Still waiting: FRAG_HELD, or FRAG_BLOCKED for a datagram a threat blocked. */
@inline function waiting(s: usize): u32 {
  return (bits(s) & FB_BLOCKED) != 0 ? FRAG_BLOCKED : FRAG_HELD;
}

/** The decoded fragment (asm/packet/decode.ts), a malformed one too when decode's fragOdd says so. */
export function insertDecoded(): u32 {
  return insert(pkt.family, pkt.fragId, pkt.srcLo, pkt.srcHi, pkt.dstLo, pkt.dstHi, pkt.fragOff, pkt.fragLen, pkt.fragMore, pkt.fragNext, pkt.fragData, pkt.fragOdd);
}

/**
 * Add a fragment: `len` bytes at `data` belong at byte `off` of the datagram; `more` = not the
 * last. `next` is the protocol (IPv4) or next header (IPv6) the datagram carries. `odd`: a
 * malformed fragment kept as evidence only (D.FRAG_ODD_*), not counted among the fragments seen.
 */
export function insert(family: u32, id: u32, srcLo: u64, srcHi: u64, dstLo: u64, dstHi: u64, off: u32, len: u32, more: bool, next: u32, data: usize, odd: u32 = 0): u32 {
  if (odd == 0) bump(C_FRAGMENTS);
  pkt.fragOverlapped = false;
  const s = find(family, id, srcLo, srcHi, dstLo, dstHi);
  pkt.fragSlot = s;
  const end = off + len;
  if (s != 0 && end > load<u32>(s + FG_EXTENT) && (odd == D.FRAG_ODD_PAST_MAX || end <= fragBytes)) store<u32>(s + FG_EXTENT, end);
  // Past 65,535 bytes: nothing of it can be kept, it only says how far the datagram reaches.
  if (s != 0 && odd == D.FRAG_ODD_PAST_MAX) return waiting(s);
  if (s == 0 || <u64>end > <u64>fragBytes) {
    if (odd != 0) return FRAG_DROPPED;
    if (s != 0) free(s);
    pkt.fragSlot = 0;
    bump(C_FRAG_TOO_BIG);
    return FRAG_DROPPED;
  }
  if (odd == D.FRAG_ODD_UNITS) setBits(s, FB_HOLE);
  if (off == 0) store<u8>(s + FG_NEXT, <u8>next);
  if (!more) {
    const was = load<u32>(s + FG_TOTAL);
    if ((bits(s) & FB_LAST) != 0) {
      if (was != end) {
        // A second, different end: inconsistent fragments, counted as an overlap.
        overlapAt(s, min<u32>(was, end));
        return waiting(s);
      }
    } else if (end < load<u32>(s + FG_EXTENT)) {
      // An end inside data already held (the classic teardrop): inconsistent, not the end.
      overlapAt(s, heldIn(s, off, end));
      return waiting(s);
    }
    setBits(s, FB_LAST);
    store<u32>(s + FG_TOTAL, end);
  } else if ((bits(s) & FB_LAST) != 0 && end > load<u32>(s + FG_TOTAL)) {
    // Data past the end the last fragment declared: inconsistent, keep what we have.
    overlapAt(s, load<u32>(s + FG_TOTAL));
    return waiting(s);
  }
  const dst = slotData(s);
  const u0 = off >> 3;
  const u1 = (end + 7) >> 3;
  let first: i64 = -1;
  for (let u = u0; u < u1; u++) {
    if (unitSet(s, u)) {
      if (first < 0) first = <i64>u << 3;
      continue;
    }
    const a = u << 3;
    const b = min<u32>(a + 8, end);
    memory.copy(dst + a, data + (a - off), b - a);
    // The rest of a partial unit reads as zeros, never as an earlier datagram's bytes.
    const z = min<u32>(a + 8, fragBytes);
    if (b < z) memory.fill(dst + b, 0, z - b);
    if (u == 0) store<u8>(s + FG_HEAD, <u8>b);
    setUnit(s, u);
    store<u32>(s + FG_UNITS, load<u32>(s + FG_UNITS) + 1);
  }
  if (first >= 0) overlapAt(s, max<u32>(<u32>first, off));
  const b = bits(s);
  if ((b & FB_LAST) == 0 || (b & FB_HOLE) != 0) return waiting(s);
  const total = load<u32>(s + FG_TOTAL);
  if (!complete(s, total)) return waiting(s);
  if ((b & FB_BLOCKED) != 0) {
    free(s);
    return FRAG_BLOCKED;
  }
  bump(C_FRAG_REASSEMBLED);
  pkt.doneSlot = s;
  pkt.doneData = dst;
  pkt.doneLen = total;
  pkt.doneNext = <u32>load<u8>(s + FG_NEXT);
  pkt.doneOverlap = (b & FB_OVERLAP) != 0;
  pkt.doneOverlapAt = <u32>load<u16>(s + FG_OVERLAP_AT);
  pkt.doneJudged = b & (FB_TEARDROP | FB_PING);
  return FRAG_DONE;
}

/** The completed datagram has been processed: its slot is free again. */
export function release(): void {
  if (pkt.doneSlot != 0) free(pkt.doneSlot);
  pkt.doneSlot = 0;
}

// The datagram of the last fragment (fragSlot), for the threat stage.

/** What has been judged of it (FB_TEARDROP, FB_PING). */
export function fragJudged(): u32 {
  return pkt.fragSlot != 0 ? bits(pkt.fragSlot) & (FB_TEARDROP | FB_PING) : 0;
}

export function fragJudge(b: u32): void {
  if (pkt.fragSlot != 0) setBits(pkt.fragSlot, b & (FB_TEARDROP | FB_PING));
}

/** Block it: its later fragments, and its completion, are FRAG_BLOCKED; `threat` is code + 1. */
export function fragBlock(threat: u32): void {
  if (pkt.fragSlot == 0) return;
  setBits(pkt.fragSlot, FB_BLOCKED);
  if (load<u8>(pkt.fragSlot + FG_THREAT) == 0) store<u8>(pkt.fragSlot + FG_THREAT, <u8>threat);
}

/** Code + 1 of the threat that blocked it (0: none). */
export function fragThreat(): u32 {
  return pkt.fragSlot != 0 ? <u32>load<u8>(pkt.fragSlot + FG_THREAT) : 0;
}

/** How far it reaches: the largest fragment end seen. */
export function fragExtent(): u32 {
  return pkt.fragSlot != 0 ? load<u32>(pkt.fragSlot + FG_EXTENT) : 0;
}

/** Its first 8 bytes (the transport header's ports, or the ICMP header) once held, else 0. */
export function fragHead(): usize {
  return pkt.fragSlot != 0 && unitSet(pkt.fragSlot, 0) && load<u8>(pkt.fragSlot + FG_HEAD) == 8 ? slotData(pkt.fragSlot) : 0;
}
