// DNS threats (NeuVector dpi_dns.c): zone transfer (a question of type AXFR 252 or IXFR 251),
// NULL type (question type 10), loop pointer (more than 63 compression pointers while reading a
// name) and buffer overflow (a message longer than `dns-overflow.size` that has more than 1024
// bytes left after its last record, or does not parse), plus the per-query tunneling signal
// (stream-dns-names.ts).
//
// A UDP datagram is one message. Over TCP each message has a 2-byte length prefix and may span
// any number of segments, so the message is parsed as a stream: header, then each question and
// record one byte at a time through its name (labels skipped whole, a pointer ends the name) and
// fixed fields, rdata skipped by its length. DNS_DIR_BYTES of state per direction carry the
// position. Following a compression pointer needs the bytes it points to, so pointers are
// followed (the loop check) only when the whole message is in the segment at hand: always for
// UDP, and for the usual TCP message that fits one segment; a loop pointer in a TCP message split
// over segments is not seen. Names reached through a pointer are checked for loops only.
//
// Differs from NeuVector: question types are checked in queries (QR 0) only, where the attempt
// is (the answer repeats the question); the overflow check runs in both directions of a flow the
// DPI stage named DNS, on any port (NeuVector: port 53 only), and a message shorter than the
// size is never reported, also when it does not parse; a TCP message of any length is followed
// (NeuVector gives up on the flow past 4096 bytes unless confirmed on port 53).
import { T_DNS_LOOP_POINTER, T_DNS_NULL_TYPE, T_DNS_OVERFLOW, T_DNS_ZONE_TRANSFER } from "./codes";
import { evidenceNumber, evidenceText, foundText } from "./found";
import { threatParam } from "./params";
import { MAX_POINTERS, pointerLoop } from "./stream-dns-names";
import { get16, get32, get8, set16, set32, set8 } from "./stream-state";

export { dnsEncodedQuery, dnsIsQuery } from "./stream-dns-names";

/** State per direction; the flow's state holds the client's, then the server's. */
export const DNS_DIR_BYTES: u32 = 20;

// ---- layout (offsets into one direction's state) ----------------------------------------------
const PH: u32 = 0;
const FL: u32 = 1;
const PRE: u32 = 2;
const FIX: u32 = 3;
const MLEN: u32 = 4;
const MPOS: u32 = 6;
const QD: u32 = 8;
const RR: u32 = 10;
const ACC: u32 = 14;
const LAB: u32 = 16;
/** Name length so far while in a name; the record type after it. */
const NLEN: u32 = 18;

// PH
const P_PREFIX: u32 = 0;
const P_HDR: u32 = 1;
const P_QNAME: u32 = 2;
const P_QFIX: u32 = 3;
const P_RNAME: u32 = 4;
const P_RFIX: u32 = 5;
const P_RDATA: u32 = 6;
const P_SKIP: u32 = 7;

// FL
const F_RESPONSE: u32 = 1;
const F_POINTER: u32 = 2;
const F_UPDATE: u32 = 4;

const HEADER: u32 = 12;
const MAX_NAME: u32 = 255;
/** NeuVector's DNS_OVERFLOW_THREAT_SIZE: bytes left unparsed that make a long message an attack. */
const OVERFLOW_LEFT: u32 = 1024;
const TYPE_CNAME: u32 = 5;
const TYPE_NULL: u32 = 10;
const TYPE_IXFR: u32 = 251;
const TYPE_AXFR: u32 = 252;

/** Where the message's first byte is in the buffer at hand, when all of it is there (else -1). */
let wholeAt: i64 = -1;
let wholeBuf: usize = 0;

function overflow(d: usize, parsed: u32, bad: bool): void {
  const mlen = get16(d, MLEN);
  if (mlen <= threatParam(T_DNS_OVERFLOW, 0)) return;
  if (!bad && mlen - parsed <= OVERFLOW_LEFT) return;
  foundText(T_DNS_OVERFLOW, bad ? "message does not parse: " : "unparsed bytes: ");
  if (bad) evidenceNumber(mlen);
  else evidenceNumber(mlen - parsed);
  evidenceText(bad ? " bytes" : " of the message");
}

/** The message is malformed: report it if it is long, and skip the rest. */
function fail(d: usize): void {
  overflow(d, 0, true);
  set8(d, PH, P_SKIP);
}

function startName(d: usize, ph: u32): void {
  set8(d, PH, ph);
  set8(d, LAB, 0);
  set16(d, NLEN, 0);
  set8(d, FL, get8(d, FL) & ~F_POINTER);
}

/** The next question or record, or the end of the counted ones. */
function nextElement(d: usize): void {
  if (get16(d, QD) > 0) startName(d, P_QNAME);
  else if (get32(d, RR) > 0) startName(d, P_RNAME);
  else {
    overflow(d, get16(d, MPOS), false);
    set8(d, PH, P_SKIP);
  }
}

function question(d: usize, type: u32): void {
  if ((get8(d, FL) & F_RESPONSE) != 0) return;
  if (type == TYPE_AXFR) foundText(T_DNS_ZONE_TRANSFER, "question type AXFR (252)");
  else if (type == TYPE_IXFR) foundText(T_DNS_ZONE_TRANSFER, "question type IXFR (251)");
  else if (type == TYPE_NULL) foundText(T_DNS_NULL_TYPE, "question type NULL (10)");
}

function loopFound(): void {
  foundText(T_DNS_LOOP_POINTER, "more than ");
  evidenceNumber(MAX_POINTERS);
  evidenceText(" compression pointers in a name");
}

/** A header byte at index k of the 12. */
function headerByte(d: usize, k: u32, b: u32): void {
  if (k == 2) {
    const opcode = (b >> 3) & 0xf;
    set8(d, FL, ((b & 0x80) != 0 ? F_RESPONSE : 0) | (opcode == 4 || opcode == 5 ? F_UPDATE : 0));
    if (opcode == 3 || opcode > 5) fail(d);
    return;
  }
  if (k < 4) return;
  const acc = ((get16(d, ACC) << 8) | b) & 0xffff;
  set16(d, ACC, acc);
  if ((k & 1) == 0) return;
  if (k == 5) set16(d, QD, acc);
  else if (k == 7) {
    // A query asks at least one question and answers none (NOTIFY and UPDATE aside).
    const fl = get8(d, FL);
    if ((fl & (F_RESPONSE | F_UPDATE)) == 0 && (get16(d, QD) == 0 || acc != 0)) fail(d);
    set32(d, RR, acc);
  } else set32(d, RR, get32(d, RR) + acc);
  set16(d, ACC, 0);
}

/** A byte of a name: a label length or a pointer's halves (label bytes are skipped in bulk). */
function nameByte(d: usize, b: u32): void {
  const fl = get8(d, FL);
  const fixed = get8(d, PH) == P_QNAME ? P_QFIX : P_RFIX;
  if ((fl & F_POINTER) != 0) {
    const target = (get16(d, ACC) << 8) | b;
    if (target >= get16(d, MLEN)) {
      fail(d);
      return;
    }
    if (wholeAt >= 0 && pointerLoop(wholeBuf + <usize>wholeAt, get16(d, MLEN), target, 1)) loopFound();
  } else if ((b & 0xc0) == 0xc0) {
    set16(d, ACC, b & 0x3f);
    set8(d, FL, fl | F_POINTER);
    return;
  } else if ((b & 0xc0) != 0) {
    fail(d);
    return;
  } else if (b != 0) {
    const n = get16(d, NLEN) + b + 1;
    if (n > MAX_NAME) {
      fail(d);
      return;
    }
    set16(d, NLEN, n);
    set8(d, LAB, b);
    return;
  }
  // The root label or a pointer ends the name.
  set8(d, FL, fl & ~F_POINTER);
  set8(d, PH, fixed);
  set8(d, FIX, 0);
  set16(d, ACC, 0);
}

/** Byte k of a question's type and class. */
function qfixByte(d: usize, k: u32, b: u32): void {
  if (k < 2) set16(d, ACC, ((get16(d, ACC) << 8) | b) & 0xffff);
  if (k == 1) question(d, get16(d, ACC));
  if (k < 3) return;
  set16(d, QD, get16(d, QD) - 1);
  nextElement(d);
}

/** The record is complete. */
function recordDone(d: usize): void {
  set32(d, RR, get32(d, RR) - 1);
  nextElement(d);
}

/** Byte k of a record's type, class, TTL and rdata length. */
function rfixByte(d: usize, k: u32, b: u32): void {
  if (k < 2 || k >= 8) set16(d, ACC, ((get16(d, ACC) << 8) | b) & 0xffff);
  if (k == 1) {
    set16(d, NLEN, get16(d, ACC));
    set16(d, ACC, 0);
  }
  if (k < 9) return;
  const rdlen = get16(d, ACC);
  const at = get16(d, MPOS);
  if (at + rdlen > get16(d, MLEN)) {
    fail(d);
    return;
  }
  // A CNAME's target is a name: its pointers are followed too when the message is at hand.
  if (get16(d, NLEN) == TYPE_CNAME && wholeAt >= 0 && rdlen > 0) {
    if (pointerLoop(wholeBuf + <usize>wholeAt, get16(d, MLEN), at, 0)) loopFound();
  }
  if (rdlen == 0) recordDone(d);
  else set8(d, PH, P_RDATA);
}

/**
 * Message bytes [i, end) of the buffer at p (end is at most the message's end). Returns where it
 * stopped: end, or earlier once the state is P_SKIP (the caller skips the rest).
 */
function messageBytes(d: usize, p: usize, i: u32, end: u32): u32 {
  // Every turn consumes at least one byte or leaves P_RDATA, so the loop ends.
  while (i < end) {
    const ph = get8(d, PH);
    if (ph == P_SKIP) return i;
    if (ph == P_RDATA || ((ph == P_QNAME || ph == P_RNAME) && get8(d, LAB) > 0)) {
      // Label bytes and rdata are skipped in bulk.
      const left = ph == P_RDATA ? get16(d, ACC) : get8(d, LAB);
      const take = min<u32>(left, end - i);
      set16(d, MPOS, get16(d, MPOS) + take);
      i += take;
      if (ph == P_RDATA) {
        set16(d, ACC, left - take);
        if (left == take) recordDone(d);
      } else set8(d, LAB, left - take);
      continue;
    }
    const b = <u32>load<u8>(p + <usize>i);
    const k = get8(d, FIX);
    set16(d, MPOS, get16(d, MPOS) + 1);
    i++;
    if (ph == P_QNAME || ph == P_RNAME) {
      nameByte(d, b);
      continue;
    }
    set8(d, FIX, k + 1);
    if (ph == P_HDR) {
      headerByte(d, k, b);
      if (k + 1 == HEADER && get8(d, PH) == P_HDR) nextElement(d);
    } else if (ph == P_QFIX) qfixByte(d, k, b);
    else rfixByte(d, k, b);
  }
  return i;
}

/** The message ended: a parse still waiting for bytes means it was cut short. */
function messageEnd(d: usize): void {
  if (get8(d, PH) != P_SKIP) fail(d);
}

/** Start a message of `mlen` bytes whose first byte is at `at` in the buffer of `len` bytes at p. */
function startMessage(d: usize, mlen: u32, at: u32, p: usize, len: u32): void {
  set8(d, PH, P_HDR);
  set8(d, FL, 0);
  set8(d, FIX, 0);
  set16(d, MLEN, mlen);
  set16(d, MPOS, 0);
  set16(d, QD, 0);
  set32(d, RR, 0);
  set16(d, ACC, 0);
  wholeAt = <u64>at + <u64>mlen <= <u64>len ? <i64>at : -1;
  wholeBuf = p;
  if (mlen < HEADER) fail(d);
}

/** One UDP datagram: a whole message. */
function datagram(d: usize, p: usize, len: u32): void {
  const mlen = min<u32>(len, 0xffff);
  startMessage(d, mlen, 0, p, len);
  messageBytes(d, p, 0, mlen);
  messageEnd(d);
}

/** TCP stream bytes: 2-byte length prefixes and the messages they announce. */
function stream(d: usize, p: usize, len: u32): void {
  let i: u32 = 0;
  wholeAt = -1;
  // Every turn consumes at least one byte or returns to P_PREFIX, which consumes one.
  while (i < len) {
    if (get8(d, PH) == P_PREFIX) {
      set16(d, ACC, ((get16(d, ACC) << 8) | <u32>load<u8>(p + <usize>i)) & 0xffff);
      i++;
      if (get8(d, PRE) == 0) {
        set8(d, PRE, 1);
        continue;
      }
      set8(d, PRE, 0);
      const mlen = get16(d, ACC);
      startMessage(d, mlen, i, p, len);
      if (mlen == 0) set8(d, PH, P_PREFIX);
      continue;
    }
    const left = get16(d, MLEN) - get16(d, MPOS);
    const end = i + min<u32>(left, len - i);
    const at = messageBytes(d, p, i, end);
    set16(d, MPOS, get16(d, MPOS) + (end - at));
    i = end;
    if (get16(d, MPOS) >= get16(d, MLEN)) {
      messageEnd(d);
      set8(d, PH, P_PREFIX);
      set16(d, ACC, 0);
      wholeAt = -1;
    }
  }
}

/** DNS payload of one direction: `d` is that direction's DNS_DIR_BYTES of state. */
export function dnsData(d: usize, udp: bool, p: usize, len: u32): void {
  if (udp) datagram(d, p, len);
  else stream(d, p, len);
  wholeAt = -1;
}
