// IP fragment reassembly (IPv4, and IPv6 fragment headers) in a fixed pool: PS_FRAG_SLOTS slots of
// PS_FRAG_BYTES datagram bytes each, with one coverage bit per 8-byte unit. A datagram that has
// not completed PS_TO_FRAG seconds after its first fragment is dropped; when every slot is busy the
// oldest is evicted. Overlapping fragments never overwrite what arrived first (the first copy
// wins, as BSD and Linux do) and mark the datagram: the threat stage reports that as teardrop.
import {
  C_FRAG_EVICTED, C_FRAG_OVERLAPS, C_FRAG_REASSEMBLED, C_FRAG_TIMEOUTS, C_FRAG_TOO_BIG, C_FRAGMENTS,
  C_FRAGS_ACTIVE,
} from "../abi-packet";
import { fragBytes, fragRec, frags, fragSlots, now, toFrag, bump, drop, FRAG_HDR } from "./region";

const FG_USED: usize = 0;
const FG_OVERLAP: usize = 1;
const FG_LAST: usize = 2;
const FG_NEXT: usize = 3;
const FG_ID: usize = 4;
const FG_SRC: usize = 8;
const FG_DST: usize = 24;
const FG_FIRST: usize = 40;
const FG_TOTAL: usize = 48;
const FG_UNITS: usize = 52;
const FG_FAMILY: usize = 56;
const FG_OVERLAP_AT: usize = 60;

/** insert(): still waiting for fragments, complete (see `done*`), or dropped (too big). */
export const FRAG_HELD: u32 = 0;
export const FRAG_DONE: u32 = 1;
export const FRAG_DROPPED: u32 = 2;

/** The completed datagram: its payload (after the IP header and fragment header) and what it carries. */
export let doneSlot: usize = 0;
export let doneData: usize = 0;
export let doneLen: u32 = 0;
export let doneNext: u32 = 0;
export let doneOverlap = false;
/** Byte offset in the datagram of its first overlap (teardrop evidence). */
export let doneOverlapAt: u32 = 0;

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

/** Every unit of [0, total) has arrived. */
/** An overlap (or inconsistency) at byte `at`: the datagram is marked, the first place kept. */
function overlapAt(s: usize, at: u32): void {
  if (load<u8>(s + FG_OVERLAP) == 0) store<u32>(s + FG_OVERLAP_AT, at);
  store<u8>(s + FG_OVERLAP, 1);
  bump(C_FRAG_OVERLAPS);
}

function complete(s: usize, total: u32): bool {
  const units = (total + 7) >> 3;
  if (load<u32>(s + FG_UNITS) < units) return false;
  for (let u: u32 = 0; u < units; u++) if (!unitSet(s, u)) return false;
  return true;
}

/**
 * Add a fragment: `len` bytes at `data` belong at byte `off` of the datagram; `more` = not the
 * last. `next` is the protocol (IPv4) or next header (IPv6) the datagram carries.
 */
export function insert(family: u32, id: u32, srcLo: u64, srcHi: u64, dstLo: u64, dstHi: u64, off: u32, len: u32, more: bool, next: u32, data: usize): u32 {
  bump(C_FRAGMENTS);
  const s = find(family, id, srcLo, srcHi, dstLo, dstHi);
  if (s == 0 || <u64>off + len > <u64>fragBytes) {
    if (s != 0) free(s);
    bump(C_FRAG_TOO_BIG);
    return FRAG_DROPPED;
  }
  if (off == 0) store<u8>(s + FG_NEXT, <u8>next);
  const end = off + len;
  if (!more) {
    const was = load<u32>(s + FG_TOTAL);
    if (load<u8>(s + FG_LAST) != 0 && was != end) {
      // A second, different end: inconsistent fragments, counted as an overlap.
      overlapAt(s, min<u32>(was, end));
      return FRAG_HELD;
    } else {
      store<u8>(s + FG_LAST, 1);
      store<u32>(s + FG_TOTAL, end);
    }
  } else if (load<u8>(s + FG_LAST) != 0 && end > load<u32>(s + FG_TOTAL)) {
    // Data past the end the last fragment declared: inconsistent, keep what we have.
    overlapAt(s, load<u32>(s + FG_TOTAL));
    return FRAG_HELD;
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
    setUnit(s, u);
    store<u32>(s + FG_UNITS, load<u32>(s + FG_UNITS) + 1);
  }
  if (first >= 0) overlapAt(s, max<u32>(<u32>first, off));
  if (load<u8>(s + FG_LAST) == 0) return FRAG_HELD;
  const total = load<u32>(s + FG_TOTAL);
  if (!complete(s, total)) return FRAG_HELD;
  bump(C_FRAG_REASSEMBLED);
  doneSlot = s;
  doneData = dst;
  doneLen = total;
  doneNext = <u32>load<u8>(s + FG_NEXT);
  doneOverlap = load<u8>(s + FG_OVERLAP) != 0;
  doneOverlapAt = load<u32>(s + FG_OVERLAP_AT);
  return FRAG_DONE;
}

/** The completed datagram has been processed: its slot is free again. */
export function release(): void {
  if (doneSlot != 0) free(doneSlot);
  doneSlot = 0;
}
