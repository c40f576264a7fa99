// DPI on the packet path: after every payload packet of a flow whose application is not settled,
// the prefixes go through asm/dpi identify. The flow is re-decided when the virtual host or the
// X-Forwarded-For client first appears, and when the application is settled: identified, ruled
// out (unknown), or given up after DPI_MAX_PACKETS payload packets in one direction (then the
// parser's provisional answer, if any). A provisional answer or settling starts the threat stream
// feed with the buffered bytes (asm/threat/stream-feed.ts); settling then releases the prefix slot.
import { APP_UNKNOWN_ID } from "../abi";
import {
  C_DPI_GAVE_UP, C_DPI_IDENTIFIED, C_DPI_UNKNOWN, CONF_CERTAIN, CONF_LIKELY, UNID_GAVE_UP, UNID_NONE, UNID_NOT_INSPECTED,
  UNID_ONE_SIDED, UNID_REJECTED,
} from "../abi-packet";
import { identify } from "../dpi/index";
import { midstream } from "../dpi/midstream";
import {
  clearResult, DPI_MAX_PACKETS, DPI_MORE, DPI_RESULT_SIZE, DPI_UNKNOWN, R_FLAGS, R_HAS_HOST, R_HAS_XFF, R_HOST_LEN, R_HOST_OFF,
  R_PROVISIONAL, R_XFF,
} from "../dpi/result";
import { bump, scratch } from "../packet/region";
import { TCP } from "../packet/decode";
import { feedProvisional, feedSettled, NO_DIRECTION } from "../threat/stream-feed";
import { decide, reportDeferred } from "./decision";
import { addDatagram, addSegment, bytesOf, ensurePrefix, lenOf, prefixOf, PX_HOST_LEN, PX_HOST_OFF, releasePrefix } from "./prefix";
import {
  FF_DPI_DONE, FF_HOST, FF_MIDSTREAM, FF_SEQ_C, FF_XFF, FL_APP, FL_CONF, FL_CPORT, FL_DPI, FL_DPI_BYTES, FL_PROTO, FL_SEQ,
  FL_SPORT, FL_UNID, FL_XFF, flags, setFlag,
} from "./table";

/** Scratch offset of the DPI result record (after decision.ts's records). */
const RESULT_AT: usize = 128;

/** The last run named the application with the sides swapped or from mid-stream framing. */
let guessedSides = false;

/**
 * Run identify over the flow's prefixes; the result record is at scratch + RESULT_AT. When the
 * sender of the first packet seen may not be the client (a TCP flow joined mid-stream, any UDP
 * flow: the capture may have missed the request) and identify rules everything out, the sides are
 * tried swapped, then (TCP mid-stream) the steady-state framings of asm/dpi/midstream.ts. Those
 * answers carry no virtual host (its offsets would point into the other side's bytes).
 */
function run(f: usize, s: usize): i32 {
  const proto = <i32>load<u8>(f + FL_PROTO);
  const cp = <i32>load<u16>(f + FL_CPORT);
  const sp = <i32>load<u16>(f + FL_SPORT);
  const res = scratch + RESULT_AT;
  const c = bytesOf(s, 0);
  const cl = <i32>lenOf(s, 0);
  const v = bytesOf(s, 1);
  const vl = <i32>lenOf(s, 1);
  guessedSides = false;
  let r = identify(proto, cp, sp, c, cl, v, vl, res);
  const mid = (flags(f) & FF_MIDSTREAM) != 0;
  if (r != DPI_UNKNOWN || !(mid || proto == 17)) return r;
  guessedSides = true;
  r = identify(proto, sp, cp, v, vl, c, cl, res);
  if (r == DPI_UNKNOWN && mid) r = midstream(c, cl, v, vl);
  const keep = load<u16>(res + R_PROVISIONAL);
  clearResult(res);
  store<u16>(res + R_PROVISIONAL, r > 0 ? <u16>r : keep);
  return r;
}

/** Record how the flow was settled: confidence when named, else why not; the bytes looked at. */
function noteOutcome(f: usize, s: usize, app: u32, decided: bool): void {
  const cl = s != 0 ? lenOf(s, 0) : 0;
  const sl = s != 0 ? lenOf(s, 1) : 0;
  store<u32>(f + FL_DPI_BYTES, cl + sl);
  if (app != APP_UNKNOWN_ID) {
    // A parser decided from its protocol's opening message(s), sides as seen: certain. The sides
    // swapped (the capture missed the opening), a mid-stream framing, or a provisional answer the
    // flow never confirmed (gave up, or ended): likely.
    store<u8>(f + FL_CONF, <u8>(decided && !guessedSides ? CONF_CERTAIN : CONF_LIKELY));
    store<u8>(f + FL_UNID, <u8>UNID_NONE);
    return;
  }
  const why = s == 0 ? UNID_NOT_INSPECTED : !decided ? UNID_GAVE_UP : cl == 0 || sl == 0 ? UNID_ONE_SIDED : UNID_REJECTED;
  store<u8>(f + FL_UNID, <u8>why);
}

/** Take the virtual host and X-Forwarded-For client the last run found. True when either is new. */
function takeFindings(f: usize, s: usize): bool {
  const res = scratch + RESULT_AT;
  const rf = <u32>load<u16>(res + R_FLAGS);
  const fl = flags(f);
  let fresh = false;
  if ((rf & R_HAS_HOST) != 0 && (fl & FF_HOST) == 0) {
    store<u32>(s + PX_HOST_OFF, load<u32>(res + R_HOST_OFF));
    store<u32>(s + PX_HOST_LEN, load<u32>(res + R_HOST_LEN));
    setFlag(f, FF_HOST);
    fresh = true;
  }
  if ((rf & R_HAS_XFF) != 0 && (fl & FF_XFF) == 0) {
    store<u64>(f + FL_XFF, load<u64>(res + R_XFF));
    store<u64>(f + FL_XFF + 8, load<u64>(res + R_XFF + 8));
    setFlag(f, FF_XFF);
    fresh = true;
  }
  return fresh;
}

/**
 * The application is settled: record it, the host is known (none if DPI found none), re-decide,
 * feed the buffered bytes to the threat detectors (`d`: the direction of the packet that settled
 * it, or NO_DIRECTION), give the prefix slot back. Returns the decision's PV_FLAGS bits.
 */
function settle(f: usize, app: u32, d: u32, decided: bool): u32 {
  noteOutcome(f, prefixOf(f), app, decided);
  store<u32>(f + FL_APP, app);
  if ((flags(f) & FF_HOST) == 0) {
    const s = prefixOf(f);
    if (s != 0) store<u32>(s + PX_HOST_LEN, 0);
    setFlag(f, FF_HOST);
  }
  setFlag(f, FF_DPI_DONE);
  const out = decide(f, false);
  feedSettled(f, prefixOf(f), d);
  releasePrefix(f);
  return out;
}

/** A flow that will never be inspected (no DPI, no slot left, not TCP/UDP): application unknown. */
export function settleUnknown(f: usize): u32 {
  bump(C_DPI_UNKNOWN);
  return settle(f, APP_UNKNOWN_ID, NO_DIRECTION, true);
}

/** The provisional answer of the last run, or unknown. */
function provisional(): u32 {
  const p = <u32>load<u16>(scratch + RESULT_AT + R_PROVISIONAL);
  return p != 0 ? p : APP_UNKNOWN_ID;
}

/**
 * A payload packet of `n` bytes at `p` in direction `d` (0 client → server); `seq` for TCP.
 * Returns PV_FLAGS bits from any decision it made.
 */
export function dpiPacket(f: usize, d: u32, p: usize, n: u32, seq: u32): u32 {
  const s = ensurePrefix(f);
  if (s == 0) return settleUnknown(f);
  if (<u32>load<u8>(f + FL_PROTO) == TCP) {
    // Offset in the stream from where this direction started (wraps like sequence numbers).
    const start = load<u32>(f + FL_SEQ + (<usize>d << 2));
    addSegment(s, d, <i64>(<i32>(seq - start)), p, n);
  } else {
    addDatagram(s, d, p, n);
  }
  const count = <u32>load<u8>(f + FL_DPI + d) + 1;
  store<u8>(f + FL_DPI + d, <u8>count);
  const r = run(f, s);
  const fresh = takeFindings(f, s);
  if (r != DPI_MORE) {
    if (r > 0) {
      bump(C_DPI_IDENTIFIED);
      return settle(f, <u32>r, d, true);
    }
    bump(C_DPI_UNKNOWN);
    return settle(f, APP_UNKNOWN_ID, d, true);
  }
  if (count >= <u32>DPI_MAX_PACKETS) {
    bump(C_DPI_GAVE_UP);
    return settle(f, provisional(), d, false);
  }
  // The threat detectors need not wait for the settled application (HTTP's slowloris timers).
  feedProvisional(f, s, d, provisional());
  return fresh ? decide(f, false) : 0;
}

/**
 * The flow is closing (FIN or RST; `d` the direction of that packet) or ending (NO_DIRECTION)
 * with its application unsettled: settle it from the bytes seen (the provisional answer, else
 * unknown). Flows that never carried payload keep their verdict: there is nothing to identify.
 */
export function dpiClose(f: usize, d: u32): u32 {
  if ((flags(f) & FF_DPI_DONE) != 0) return 0;
  const s = prefixOf(f);
  if (s == 0) return 0;
  const r = run(f, s);
  takeFindings(f, s);
  bump(C_DPI_GAVE_UP);
  return settle(f, r > 0 ? <u32>r : r == DPI_MORE ? provisional() : APP_UNKNOWN_ID, d, r != DPI_MORE);
}

/**
 * The flow is ending: settle its application (dpiClose), then write a learn or violation report
 * that was waiting for it (a flow without payload has nothing to identify: written as it is).
 */
export function dpiEnd(f: usize): void {
  dpiClose(f, NO_DIRECTION);
  reportDeferred(f);
}

/** Where a direction's stream starts: the first sequence number seen (a SYN's plus one). */
export function noteStreamStart(f: usize, d: u32, seq: u32, syn: bool): void {
  const bit = FF_SEQ_C << d;
  if ((flags(f) & bit) != 0 && !syn) return;
  store<u32>(f + FL_SEQ + (<usize>d << 2), syn ? seq + 1 : seq);
  setFlag(f, bit);
}

/** Compile-time check that the result record fits the scratch after decision.ts's records. */
export const DPI_SCRATCH_END: usize = RESULT_AT + <usize>DPI_RESULT_SIZE;
