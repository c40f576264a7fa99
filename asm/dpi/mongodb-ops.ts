// The bodies of MongoDB's request messages (MongoDB wire protocol: "Legacy Opcodes" and OP_MSG),
// checked as far as the prefix holds them. A client's first message whose body is whole and
// well formed is provisionally MongoDB (a one-sided capture, or a fire-and-forget OP_INSERT /
// OP_UPDATE / OP_DELETE / OP_KILL_CURSORS that no reply ever answers); a body that contradicts
// its opcode rules MongoDB out even when a reply's responseTo happens to match.
//
// Each check answers OK (the body is whole and every field fits), DPI_MORE (what is there fits,
// the rest has not arrived) or DPI_UNKNOWN, over the message [0, end) of a prefix of `len` bytes.
import { findByte, isGraph, le32at, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

export const OK: i32 = 1;
export const OP_REPLY: i64 = 1;
const OP_UPDATE: i64 = 2001;
const OP_INSERT: i64 = 2002;
const OP_QUERY: i64 = 2004;
const OP_GET_MORE: i64 = 2005;
const OP_DELETE: i64 = 2006;
const OP_KILL_CURSORS: i64 = 2007;
const OP_COMMAND: i64 = 2010;
export const OP_COMMANDREPLY: i64 = 2011;
export const OP_COMPRESSED: i64 = 2012;
export const OP_MSG: i64 = 2013;
const HEADER: i32 = 16;
/** maxMessageSizeBytes of every server since 2.6. */
export const MAX_MESSAGE: i64 = 48000000;
const MAX_SECTIONS: i32 = 64;

export function requestOp(op: i64): bool {
  return (op >= OP_UPDATE && op <= OP_INSERT) || (op >= OP_QUERY && op <= OP_KILL_CURSORS) || op == OP_COMMAND || op == OP_COMPRESSED || op == OP_MSG;
}

/** Where a scan stopped: past the index, -1 bad, -2 not arrived yet. */
const BAD: i32 = -1;
const CUT: i32 = -2;

@inline function verdict(i: i32): i32 {
  return i == CUT ? DPI_MORE : DPI_UNKNOWN;
}

/** A namespace `db.collection` (printable, with a dot, NUL-terminated) at i: the index after the NUL. */
function namespace(p: usize, len: i32, i: i32, end: i32): i32 {
  if (i < 0) return i;
  const nul = findByte(p, len, i, end, 0);
  if (nul < 0) {
    for (let k = i; k < min(len, end); k++) if (!isGraph(<i32>load<u8>(p + <usize>k))) return BAD;
    return len < end ? CUT : BAD;
  }
  if (nul - i < 3 || findByte(p, nul, i + 1, nul, 0x2e) < 0) return BAD;
  for (let k = i; k < nul; k++) if (!isGraph(<i32>load<u8>(p + <usize>k))) return BAD;
  return nul + 1;
}

/** A BSON document at i inside [i, end): int32 length (5 or more), a first element type, a NUL last. */
function document(p: usize, len: i32, i: i32, end: i32): i32 {
  if (i < 0) return i;
  if (i + 5 > end) return BAD;
  const n = le32at(p, len, i);
  if (n < 0) return CUT;
  if (n < 5 || <i64>i + n > <i64>end) return BAD;
  const t = u8at(p, len, i + 4);
  // element types 1-19, min key 0xff, max key 0x7f; 0 only for the empty document
  if (t >= 0 && !((t >= 1 && t <= 19) || t == 0x7f || t == 0xff || (t == 0 && n == 5))) return BAD;
  const last = u8at(p, len, i + <i32>n - 1);
  if (last < 0) return CUT;
  return last == 0 ? i + <i32>n : BAD;
}

/** An int32 field at i that must satisfy (v & ~allowed) == 0: the index after it. */
function bits(p: usize, len: i32, i: i32, allowed: i64): i32 {
  if (i < 0) return i;
  const v = le32at(p, len, i);
  if (v < 0) return CUT;
  return (v & ~allowed) == 0 ? i + 4 : BAD;
}

/** Documents from i to exactly end (at least one). */
function documents(p: usize, len: i32, i: i32, end: i32): i32 {
  if (i < 0) return i;
  if (i >= end) return BAD;
  while (i < end) {
    i = document(p, len, i, end);
    if (i < 0) return i;
  }
  return i;
}

/** OP_MSG sections after flagBits, up to end (less the checksum when flagged). */
function sections(p: usize, len: i32, end: i32): i32 {
  const flags = le32at(p, len, HEADER);
  // checksumPresent 1, moreToCome 2, exhaustAllowed 1 << 16; every other bit is reserved.
  let i = bits(p, len, HEADER, 0x10003);
  if (i < 0) return i;
  const stop = end - ((flags & 1) != 0 ? 4 : 0);
  let body = 0;
  for (let s = 0; s < MAX_SECTIONS && i < stop; s++) {
    const kind = u8at(p, len, i);
    if (kind < 0) return CUT;
    if (kind == 0) {
      i = document(p, len, i + 1, stop);
      body++;
    } else if (kind == 1) {
      const n = le32at(p, len, i + 1);
      if (n < 0) return CUT;
      if (n < 5 || <i64>i + 1 + n > <i64>stop) return BAD;
      const sEnd = i + 1 + <i32>n;
      const id = findByte(p, len, i + 5, sEnd, 0);
      if (id < 0) return len < sEnd ? CUT : BAD;
      i = id + 1 < sEnd ? documents(p, len, id + 1, sEnd) : sEnd;
    } else return BAD;
    if (i < 0) return i;
  }
  // Exactly one kind-0 body section.
  return i == stop && body == 1 ? OK : BAD;
}

/** The body of a client message with opcode `op` over [0, end): OK, DPI_MORE or DPI_UNKNOWN. */
export function requestBody(p: usize, len: i32, op: i64, end: i32): i32 {
  let i: i32 = HEADER;
  if (op == OP_MSG) {
    const r = sections(p, len, end);
    return r == OK ? OK : verdict(r);
  }
  if (op == OP_QUERY) {
    // flags: bit 0 reserved; tailable, slaveOk, oplogReplay, noCursorTimeout, awaitData, exhaust, partial
    i = namespace(p, len, bits(p, len, i, 0xfe), end);
    if (i >= 0) i += 8;
    i = document(p, len, i, end);
    if (i >= 0 && i < end) i = document(p, len, i, end);
  } else if (op == OP_UPDATE || op == OP_DELETE) {
    i = namespace(p, len, bits(p, len, i, 0), end);
    i = bits(p, len, i, op == OP_UPDATE ? 3 : 1);
    i = document(p, len, i, end);
    if (op == OP_UPDATE) i = document(p, len, i, end);
  } else if (op == OP_INSERT) {
    i = documents(p, len, namespace(p, len, bits(p, len, i, 1), end), end);
  } else if (op == OP_GET_MORE) {
    i = namespace(p, len, bits(p, len, i, 0), end);
    if (i >= 0) i += 12;
  } else if (op == OP_KILL_CURSORS) {
    const n = le32at(p, len, HEADER + 4);
    i = bits(p, len, i, 0);
    if (i >= 0) i = n < 0 ? CUT : n >= 1 && <i64>HEADER + 8 + 8 * n == <i64>end ? end : BAD;
  } else if (op == OP_COMPRESSED) {
    // originalOpcode, uncompressedSize, compressorId (noop, snappy, zlib, zstd), then the data
    const orig = le32at(p, len, HEADER);
    const size = le32at(p, len, HEADER + 4);
    const id = u8at(p, len, HEADER + 8);
    if (orig >= 0 && (!requestOp(orig) || orig == OP_COMPRESSED)) return DPI_UNKNOWN;
    if (size > MAX_MESSAGE) return DPI_UNKNOWN;
    if (id < 0) return DPI_MORE;
    return id <= 3 && end > HEADER + 9 ? OK : DPI_UNKNOWN;
  } else {
    // OP_COMMAND (3.2-3.4 internal, removed since): the header is all that is checked.
    return OK;
  }
  if (i < 0) return verdict(i);
  return i == end ? OK : DPI_UNKNOWN;
}
