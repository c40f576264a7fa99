// Oracle TNS threats (NeuVector dpi_tns.c): SQL text in the client's TNS Data packets to the SQL
// injection matcher (sql.ts). What is covered, as in NeuVector: Data packets (type 6) whose TTC
// message (after the 2 data-flag bytes) is a function call 0x03 0x5E (OALL8, how OCI and the thin
// drivers send a statement) or a piggyback 0x11 0x69 / 0x11 0x6B (cursor close, session switch,
// which the OALL8 follows in the same packet); in those, each SELECT (any case) starts a statement
// that runs to the next 0x00 or 0x01 byte or the packet's end. Other statements than SELECT, text
// continued in a later packet, and statements longer than 252 bytes (marshalled in chunks with
// length bytes between them) are not read through: this is a scan of the marshalled call, not a
// TTC decoder.
//
// Packets: 8-byte header (length, checksum, type); the length is 16 bits, or 32 bits on
// large-SDU sessions (TNS 315+), which NeuVector tells by a checksum field that is neither 0 nor
// 4, as here. Header bytes and the bytes left of the packet are carried, so packets may span
// segments; the SELECT search and the text run across segments of one packet.
import { sqlBegin, sqlStep, sqlReport } from "./sql";
import { get32, get8, set32, set8, takeHeader } from "./stream-state";
import { matchStep } from "./stream-match";

// ---- layout -------------------------------------------------------------------------------------
const PH: u32 = 0;
const HAVE: u32 = 1;
const HDR: u32 = 2;
const LEFT: u32 = 10;
/** Body byte position, to 255: the data flags and the TTC call's first two bytes. */
const BPOS: u32 = 14;
const DID: u32 = 15;
const SCAN: u32 = 16;
const K: u32 = 17;
const SQL: u32 = 18;
export const TNS_STATE_BYTES: u32 = SQL + 25;

const N_FRAMING: u32 = 0;
const N_DONE: u32 = 1;

// SCAN
const S_OFF: u32 = 0;
const S_SEARCH: u32 = 1;
const S_TEXT: u32 = 2;

const HEADER: u32 = 8;
const TYPE_DATA: u32 = 6;
const TTI_FUNCTION: u32 = 0x03;
const TTI_PIGGYBACK: u32 = 0x11;
const FN_OALL8: u32 = 0x5e;
const FN_CLOSE: u32 = 0x69;
const FN_SWITCH: u32 = 0x6b;

/** TNS packet types: CONNECT 1 to CONTROL 14, without the unassigned 8 and 10. */
function knownType(t: u32): bool {
  return t >= 1 && t <= 14 && t != 8 && t != 10;
}

@inline function be16(s: usize, o: u32): u32 {
  return (get8(s, o) << 8) | get8(s, o + 1);
}

/** Body bytes [i, end) of a Data packet, `pos` bytes of the body already seen. */
function dataBody(s: usize, p: usize, i: u32, end: u32): void {
  const from = i;
  // Every turn consumes one byte.
  while (i < end) {
    const b = <u32>load<u8>(p + <usize>i);
    i++;
    const pos = get8(s, BPOS);
    if (pos < 4) {
      set8(s, BPOS, pos + 1);
      if (pos == 2) set8(s, DID, b);
      else if (pos == 3) {
        const d = get8(s, DID);
        const call = (d == TTI_FUNCTION && b == FN_OALL8) || (d == TTI_PIGGYBACK && (b == FN_CLOSE || b == FN_SWITCH));
        set8(s, SCAN, call ? S_SEARCH : S_OFF);
        set8(s, K, 0);
      }
      continue;
    }
    const scan = get8(s, SCAN);
    if (scan == S_OFF) return;
    if (scan == S_TEXT) {
      if (b <= 1) {
        set8(s, SCAN, S_SEARCH);
        set8(s, K, 0);
        continue;
      }
      const hit = sqlStep(s + SQL, b);
      if (hit != 0) sqlReport(hit, p, from, i, 1);
      continue;
    }
    const k = matchStep("select", get8(s, K), b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
    if (k < 6) {
      set8(s, K, k);
      continue;
    }
    // The statement starts with the SELECT just read.
    set8(s, SCAN, S_TEXT);
    sqlBegin(s + SQL, false);
    for (let c: u32 = 0; c < 6; c++) sqlStep(s + SQL, <u32>"select".charCodeAt(<i32>c));
  }
}

/** A packet header is complete: its body length, or the end of what can be followed. */
function header(s: usize): void {
  const check = be16(s, HDR + 2);
  const n = check == 0 || check == 4 ? be16(s, HDR) : bswap<u32>(get32(s, HDR));
  if (!knownType(get8(s, HDR + 4)) || n < HEADER) {
    set8(s, PH, N_DONE);
    return;
  }
  set32(s, LEFT, n - HEADER);
  set8(s, BPOS, 0);
  set8(s, SCAN, S_OFF);
}

/** TNS payload of one direction (the client's Data packets). */
export function tnsData(s: usize, toServer: bool, p: usize, len: u32): void {
  if (!toServer) return;
  let i: u32 = 0;
  // Every turn consumes at least one byte, or ends an empty packet.
  while (i < len) {
    if (get8(s, PH) == N_DONE) return;
    if (get8(s, HAVE) < HEADER) {
      i += takeHeader(s, HAVE, HDR, HEADER, p, len, i);
      if (get8(s, HAVE) < HEADER) return;
      header(s);
      if (get8(s, PH) == N_DONE) return;
    }
    const left = get32(s, LEFT);
    if (left > 0) {
      const n = min<u32>(left, len - i);
      if (get8(s, HDR + 4) == TYPE_DATA) dataBody(s, p, i, i + n);
      set32(s, LEFT, left - n);
      i += n;
      if (left > n) return;
    }
    set8(s, HAVE, 0);
  }
}
