// Microsoft SQL Server TDS threats (NeuVector dpi_tds.c): the UTF-16LE text of the client's SQL
// Batch messages (packet type 1) to the SQL injection matcher (sql.ts). Packets have an 8-byte
// header (type, status, big-endian length); a message is a run of packets ending with the
// end-of-message status bit, and both packets and code units may be cut anywhere by TCP, so the
// header bytes, the byte left of the packet, the odd byte of a code unit and the batch's
// ALL_HEADERS prefix (TDS 7.2+, recognised by a small little-endian total length) are carried.
// Code units above 0xFF reach the matcher as a byte that matches nothing.
//
// The flow is left alone at a packet type TDS does not have, or a length below the header: that
// is what a TLS record looks like once the login negotiated encryption of the whole session.
// NeuVector reads the text of one packet only.
import { sqlBegin, sqlReport, sqlStep } from "./sql";
import { get16, get32, get8, set16, set32, set8, takeHeader } from "./stream-state";

// ---- layout -------------------------------------------------------------------------------------
const PH: u32 = 0;
const MF: u32 = 1;
const HAVE: u32 = 2;
const HDR: u32 = 3;
const LEFT: u32 = 11;
/** Bytes of the current message's payload seen (to 0xffff): where ALL_HEADERS is. */
const MPOS: u32 = 13;
/** ALL_HEADERS total length, then bytes of it left to skip. */
const SKIP: u32 = 15;
const LOW: u32 = 19;
const SQL: u32 = 20;
export const TDS_STATE_BYTES: u32 = SQL + 25;

const T_HEADER: u32 = 0;
const T_DONE: u32 = 1;

// MF: the message in progress.
const MF_BATCH: u32 = 1;
const MF_TEXT: u32 = 2;
const MF_ODD: u32 = 4;

const HEADER: u32 = 8;
const SQL_BATCH: u32 = 1;
const STATUS_EOM: u32 = 1;
/** The largest ALL_HEADERS total length taken as one (real ones are 22 or 40-odd bytes). */
const MAX_ALL_HEADERS: u32 = 1024;

/** TDS packet types (MS-TDS 2.2.3.1.1). */
function knownType(t: u32): bool {
  return (t >= 1 && t <= 4) || t == 6 || t == 7 || (t >= 14 && t <= 18);
}

/** What the matcher reads for a UTF-16 code unit: its low byte, or a byte that matches nothing. */
@inline function unit(low: u32, high: u32): u32 {
  return high == 0 ? low : 0x80;
}

/** Batch payload bytes [i, end): ALL_HEADERS first, then UTF-16LE text. */
function batch(s: usize, p: usize, i: u32, end: u32): void {
  const from = i;
  // Every turn consumes at least one byte, or ends the ALL_HEADERS skip.
  while (i < end) {
    const mf = get8(s, MF);
    const pos = get16(s, MPOS);
    if ((mf & MF_TEXT) == 0) {
      // The first 4 payload bytes: a small little-endian length means ALL_HEADERS.
      if (pos < 4) {
        set32(s, SKIP, get32(s, SKIP) | (<u32>load<u8>(p + <usize>i) << (pos * 8)));
        set16(s, MPOS, pos + 1);
        i++;
        if (pos == 3) {
          const total = get32(s, SKIP);
          sqlBegin(s + SQL, false);
          if (total >= 4 && total <= MAX_ALL_HEADERS) {
            set32(s, SKIP, total - 4);
          } else {
            // No ALL_HEADERS: those four bytes were the first two code units.
            set32(s, SKIP, 0);
            set8(s, MF, mf | MF_TEXT);
            sqlStep(s + SQL, unit(total & 0xff, (total >> 8) & 0xff));
            sqlStep(s + SQL, unit((total >> 16) & 0xff, total >> 24));
          }
        }
        continue;
      }
      const skip = get32(s, SKIP);
      const n = min<u32>(skip, end - i);
      set32(s, SKIP, skip - n);
      i += n;
      if (skip == n) set8(s, MF, mf | MF_TEXT);
      continue;
    }
    // Text: a code unit is its low byte and its high byte, possibly in different segments.
    const b = <u32>load<u8>(p + <usize>i);
    i++;
    if ((mf & MF_ODD) == 0) {
      set8(s, LOW, b);
      set8(s, MF, mf | MF_ODD);
      continue;
    }
    set8(s, MF, mf & ~MF_ODD);
    const hit = sqlStep(s + SQL, unit(get8(s, LOW), b));
    if (hit != 0) sqlReport(hit, p, from, i, 2);
  }
}

/** A packet header is complete: its payload length, and whether it starts or ends a batch. */
function header(s: usize): void {
  const type = get8(s, HDR);
  const n = (get8(s, HDR + 2) << 8) | get8(s, HDR + 3);
  if (!knownType(type) || n < HEADER) {
    set8(s, PH, T_DONE);
    return;
  }
  set16(s, LEFT, n - HEADER);
  if (type != SQL_BATCH) set8(s, MF, 0);
  else if ((get8(s, MF) & MF_BATCH) == 0) {
    // A batch's first packet starts its message.
    set8(s, MF, MF_BATCH);
    set16(s, MPOS, 0);
    set32(s, SKIP, 0);
  }
}

/** TDS payload of one direction (the client's SQL batches). */
export function tdsData(s: usize, toServer: bool, p: usize, len: u32): void {
  if (!toServer) return;
  let i: u32 = 0;
  // Every turn consumes at least one byte, or ends an empty packet.
  while (i < len) {
    if (get8(s, PH) == T_DONE) return;
    if (get8(s, HAVE) < HEADER) {
      i += takeHeader(s, HAVE, HDR, HEADER, p, len, i);
      if (get8(s, HAVE) < HEADER) return;
      header(s);
      if (get8(s, PH) == T_DONE) return;
    }
    const left = get16(s, LEFT);
    if (left > 0) {
      const n = min<u32>(left, len - i);
      if ((get8(s, MF) & MF_BATCH) != 0) batch(s, p, i, i + n);
      set16(s, LEFT, left - n);
      i += n;
      if (left > n) return;
    }
    // The packet is complete: the end-of-message bit ends a batch.
    set8(s, HAVE, 0);
    if ((get8(s, HDR + 1) & STATUS_EOM) != 0) set8(s, MF, 0);
  }
}
