// HTTP/1.x request threats (NeuVector dpi_http.c), on the client's stream: negative body length
// (a Content-Length below zero, or a chunk size of 2^63 or more: its top bit set as a 64-bit
// number), request smuggling (two Content-Length values that differ in one request, as two headers
// or as one comma list), the Struts XStream RCE in the first 2 KB of each request body
// (stream-struts.ts), and slowloris (headers not complete `http-slowloris.header-timeout` after
// the request's first byte, or the first body byte later than `body-timeout` after the headers
// ended; checked on every call with the packet time and by streamTick).
//
// A byte-at-a-time state machine over request line, header lines (header names matched as they
// come, values parsed as numbers or tokens), and the body: Content-Length bodies and chunked
// bodies are skipped by count, so the next request's headers are parsed too (pipelining), and
// nothing needs to be buffered. It gives up on the flow (never guesses) at a request line that is
// not `token SP target SP HTTP/1.x` or `HTTP/0.x`, a header line without a colon, a chunk size
// that is not hex, after a CONNECT, and after a request with Upgrade and no body (the protocol may
// change), and after any finding that leaves the body's length unknown.
//
// Differs from NeuVector: a request without Content-Length or chunked coding has no body (RFC
// 9112; NeuVector takes the rest of the connection as the body of a non-GET request); the chunk
// check is on 64 bits (NeuVector: top bit of 32); chunked bodies are scanned for Struts too; the
// body timer runs for any request with a body (NeuVector: not GET or HEAD, Content-Length only).
import { T_HTTP_NEGATIVE_LENGTH, T_HTTP_SLOWLORIS, T_HTTP_SMUGGLING } from "./codes";
import { evidenceNumber, evidenceText, foundText } from "./found";
import { threatParam } from "./params";
import { get16, get64, get8, isSpace, lowerByte, set16, set64, set8 } from "./stream-state";
import { STRUTS_STATE_BYTES, strutsBegin, strutsScan } from "./stream-struts";

export const HTTP_STATE_BYTES: u32 = 40;

// ---- layout -------------------------------------------------------------------------------------
const PH: u32 = 0;
const FL: u32 = 1;
const TM: u32 = 2;
const NAME: u32 = 3;
const NPOS: u32 = 4;
const VAL: u32 = 5;
const VPOS: u32 = 6;
const LPOS: u32 = 7;
const STRUTS: u32 = 8;
const SCOUNT: u32 = STRUTS + STRUTS_STATE_BYTES;
/** Content-Length of the request, then the bytes left of the body or the chunk. */
const A: u32 = 16;
/** The number being read (a Content-Length element, a chunk size). */
const B: u32 = 24;
/** Packet time (ns) the running timer started at. */
const T: u32 = 32;

// PH
const H_START: u32 = 0;
const H_METHOD: u32 = 1;
const H_TARGET: u32 = 2;
const H_VERSION: u32 = 3;
const H_LINE_END: u32 = 4;
const H_HLINE: u32 = 5;
const H_HCR: u32 = 6;
const H_NAME: u32 = 7;
const H_VALUE: u32 = 8;
const H_SKIP: u32 = 9;
const H_BODY: u32 = 10;
const H_CSIZE: u32 = 11;
const H_CEXT: u32 = 12;
const H_CDATA: u32 = 13;
const H_CEND: u32 = 14;
const H_TLINE: u32 = 15;
const H_TSKIP: u32 = 16;
const H_DEAD: u32 = 17;

// FL
const F_CL: u32 = 1;
const F_CHUNKED: u32 = 2;
const F_UPGRADE: u32 = 4;
const F_CONNECT: u32 = 8;
const F_NEG: u32 = 16;
const F_DIGITS: u32 = 32;
const F_OVERFLOW: u32 = 64;

// TM
const T_HEADERS: u32 = 1;
const T_BODY: u32 = 2;

// NAME candidates and VAL
const N_CL: u32 = 1;
const N_TE: u32 = 2;
const N_UPGRADE: u32 = 4;
const V_NONE: u32 = 0;
const V_CL: u32 = 1;
const V_TE: u32 = 2;
const V_UPGRADE: u32 = 3;
const NO_MATCH: u32 = 255;

/** Body bytes of each request scanned for the Struts payload (NeuVector buffers 2048). */
const STRUTS_WINDOW: u32 = 2048;
const MAX_METHOD: u32 = 24;
const NS_PER_MS: u64 = 1_000_000;
const TOP_BIT: u64 = 0x8000_0000_0000_0000;

@inline function isToken(c: u32): bool {
  // RFC 9110 tchar.
  if (c >= 0x30 && c <= 0x39) return true;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x7a) return true;
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d || c == 0x2e || c == 0x5e || c == 0x5f || c == 0x60 || c == 0x7c || c == 0x7e;
}

@inline function hexValue(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? <i32>(l - 0x61 + 10) : -1;
}

// ---- slowloris ---------------------------------------------------------------------------------

/** The timers against `now`: report a request whose headers or first body byte are late. */
export function httpTick(s: usize, now: u64): void {
  const tm = get8(s, TM);
  if (tm == 0) return;
  const start = get64(s, T);
  if (now <= start) return;
  const headers = (tm & T_HEADERS) != 0;
  const limitMs = <u64>threatParam(T_HTTP_SLOWLORIS, headers ? 0 : 1);
  const waited = now - start;
  if (waited <= limitMs * NS_PER_MS) return;
  foundText(T_HTTP_SLOWLORIS, headers ? "request headers not complete after " : "no request body byte ");
  evidenceNumber(waited / NS_PER_MS);
  evidenceText(headers ? " ms" : " ms after the headers");
  set8(s, TM, 0);
}

function startTimer(s: usize, which: u32, now: u64): void {
  set8(s, TM, which);
  set64(s, T, now);
}

// ---- header values -----------------------------------------------------------------------------

function dead(s: usize): void {
  set8(s, PH, H_DEAD);
  set8(s, TM, 0);
}

/** A Content-Length element ended (end of line or a comma). */
function contentLength(s: usize): void {
  const fl = get8(s, FL);
  set8(s, FL, fl & ~(F_NEG | F_DIGITS | F_OVERFLOW));
  const v = (fl & F_OVERFLOW) != 0 ? 0xffff_ffff_ffff_ffff : get64(s, B);
  set64(s, B, 0);
  if ((fl & F_NEG) != 0) {
    foundText(T_HTTP_NEGATIVE_LENGTH, "Content-Length below zero");
    dead(s);
    return;
  }
  if ((fl & F_DIGITS) == 0) return;
  if ((fl & F_CL) != 0 && get64(s, A) != v) {
    foundText(T_HTTP_SMUGGLING, "Content-Length ");
    evidenceNumber(get64(s, A));
    evidenceText(" and ");
    evidenceNumber(v);
    dead(s);
    return;
  }
  set64(s, A, v);
  set8(s, FL, get8(s, FL) | F_CL);
}

/** Decimal digit d appended to B (saturating, with F_OVERFLOW). */
function decimal(s: usize, d: u32): void {
  const v = get64(s, B);
  if (v > (0xffff_ffff_ffff_ffff - <u64>d) / 10) set8(s, FL, get8(s, FL) | F_OVERFLOW);
  else set64(s, B, v * 10 + <u64>d);
  set8(s, FL, get8(s, FL) | F_DIGITS);
}

/** One byte of a header value (not CR or LF). */
function valueByte(s: usize, c: u32): void {
  const v = get8(s, VAL);
  if (v == V_CL) {
    if (c >= 0x30 && c <= 0x39) decimal(s, c - 0x30);
    else if (c == 0x2d && (get8(s, FL) & F_DIGITS) == 0) set8(s, FL, get8(s, FL) | F_NEG);
    else if (c == 0x2c) contentLength(s);
  } else if (v == V_TE) {
    const k = get8(s, VPOS);
    if (c == 0x2c) {
      if (k == 7) set8(s, FL, get8(s, FL) | F_CHUNKED);
      set8(s, VPOS, 0);
    } else if (isSpace(c)) {
      if (k != 0 && k != 7) set8(s, VPOS, NO_MATCH);
    } else set8(s, VPOS, k < 7 && lowerByte(c) == <u32>"chunked".charCodeAt(<i32>k) ? k + 1 : NO_MATCH);
  } else if (v == V_UPGRADE && !isSpace(c)) set8(s, FL, get8(s, FL) | F_UPGRADE);
}

function valueEnd(s: usize): void {
  const v = get8(s, VAL);
  if (v == V_CL) contentLength(s);
  else if (v == V_TE && get8(s, VPOS) == 7) set8(s, FL, get8(s, FL) | F_CHUNKED);
}

/** One lower-cased header name byte against the names still possible. */
function nameByte(s: usize, c: u32): void {
  const k = get8(s, NPOS);
  let alive = get8(s, NAME);
  if (k >= 17) alive = 0;
  if ((alive & N_CL) != 0 && <u32>"content-length".charCodeAt(<i32>k) != c) alive &= ~N_CL;
  if ((alive & N_TE) != 0 && <u32>"transfer-encoding".charCodeAt(<i32>k) != c) alive &= ~N_TE;
  if ((alive & N_UPGRADE) != 0 && <u32>"upgrade".charCodeAt(<i32>k) != c) alive &= ~N_UPGRADE;
  set8(s, NAME, alive);
  set8(s, NPOS, min<u32>(k + 1, 255));
}

/** The colon: which header the value belongs to. */
function nameEnd(s: usize): void {
  const k = get8(s, NPOS);
  const alive = get8(s, NAME);
  let v = V_NONE;
  if ((alive & N_CL) != 0 && k == 14) v = V_CL;
  else if ((alive & N_TE) != 0 && k == 17) v = V_TE;
  else if ((alive & N_UPGRADE) != 0 && k == 7) v = V_UPGRADE;
  set8(s, VAL, v);
  set8(s, VPOS, 0);
  set64(s, B, 0);
}

// ---- request boundaries ------------------------------------------------------------------------

function requestStart(s: usize, now: u64): void {
  set8(s, FL, 0);
  set64(s, A, 0);
  set64(s, B, 0);
  set8(s, LPOS, 0);
  set16(s, NPOS, 0);
  startTimer(s, T_HEADERS, now);
  set8(s, PH, H_METHOD);
}

function headersEnd(s: usize, now: u64): void {
  set8(s, TM, 0);
  if (get8(s, PH) == H_DEAD) return;
  const fl = get8(s, FL);
  const chunked = (fl & F_CHUNKED) != 0;
  const body = chunked || ((fl & F_CL) != 0 && get64(s, A) > 0);
  // A tunnel, or a protocol switch the server may accept: the rest is not HTTP/1.
  if ((fl & F_CONNECT) != 0 || ((fl & F_UPGRADE) != 0 && !body)) {
    dead(s);
    return;
  }
  if (!body) {
    set8(s, PH, H_START);
    return;
  }
  startTimer(s, T_BODY, now);
  strutsBegin(s + STRUTS);
  set16(s, SCOUNT, 0);
  set64(s, B, 0);
  set8(s, FL, fl & ~(F_DIGITS | F_OVERFLOW));
  set8(s, PH, chunked ? H_CSIZE : H_BODY);
}

/** Body bytes [i, i + n): the first one stops the body timer; the first 2 KB go to the Struts scan. */
function bodyBytes(s: usize, p: usize, i: u32, n: u32): void {
  set8(s, TM, 0);
  const seen = get16(s, SCOUNT);
  if (seen >= STRUTS_WINDOW) return;
  const m = min<u32>(n, STRUTS_WINDOW - seen);
  set16(s, SCOUNT, seen + m);
  strutsScan(s + STRUTS, p, i, i + m);
}

/** The chunk-size line ended. */
function chunkSize(s: usize): void {
  const fl = get8(s, FL);
  if ((fl & F_DIGITS) == 0) {
    dead(s);
    return;
  }
  const v = get64(s, B);
  if ((fl & F_OVERFLOW) != 0 || v >= TOP_BIT) {
    foundText(T_HTTP_NEGATIVE_LENGTH, "chunk size with its top bit set (2^63 or more)");
    dead(s);
    return;
  }
  set8(s, FL, fl & ~(F_DIGITS | F_OVERFLOW));
  set64(s, B, 0);
  if (v == 0) set8(s, PH, H_TLINE);
  else {
    set64(s, A, v);
    set8(s, PH, H_CDATA);
  }
}

function chunkDigit(s: usize, c: u32): void {
  const h = hexValue(c);
  if (h < 0) {
    dead(s);
    return;
  }
  const v = get64(s, B);
  if ((v >> 60) != 0) set8(s, FL, get8(s, FL) | F_OVERFLOW);
  else set64(s, B, (v << 4) | <u64>h);
  set8(s, FL, get8(s, FL) | F_DIGITS);
}

// ---- the byte machine --------------------------------------------------------------------------

/** One byte of the request line or headers, or of a chunk's framing. */
function lineByte(s: usize, ph: u32, c: u32, now: u64): void {
  const lf = c == 0x0a;
  switch (ph) {
    case H_START:
      if (c != 0x0d && !lf) {
        requestStart(s, now);
        lineByte(s, H_METHOD, c, now);
      }
      break;
    case H_METHOD: {
      const k = get8(s, LPOS);
      if (c == 0x20) {
        if (k == 7) set8(s, FL, get8(s, FL) | F_CONNECT);
        set8(s, PH, H_TARGET);
      } else if (!isToken(c) || get8(s, NPOS) >= MAX_METHOD) dead(s);
      else {
        set8(s, LPOS, k < 7 && lowerByte(c) == <u32>"connect".charCodeAt(<i32>k) ? k + 1 : NO_MATCH);
        set8(s, NPOS, get8(s, NPOS) + 1);
      }
      break;
    }
    case H_TARGET:
      if (c == 0x20) {
        set8(s, LPOS, 0);
        set8(s, PH, H_VERSION);
      } else if (c <= 0x20 || c == 0x7f) dead(s);
      break;
    case H_VERSION: {
      // HTTP/1.x or HTTP/0.x: HTTP/2 and anything else is not this parser's.
      const k = get8(s, LPOS);
      const want = k < 5 ? <u32>"http/".charCodeAt(<i32>k) : 0;
      if (k < 5 ? lowerByte(c) == want : c == 0x30 || c == 0x31) {
        set8(s, LPOS, k + 1);
        if (k == 5) set8(s, PH, H_LINE_END);
      } else dead(s);
      break;
    }
    case H_LINE_END:
      if (lf) set8(s, PH, H_HLINE);
      break;
    case H_HLINE:
      if (c == 0x0d) set8(s, PH, H_HCR);
      else if (lf) headersEnd(s, now);
      else if (c == 0x20 || c == 0x09) set8(s, PH, H_SKIP);
      else {
        set8(s, NAME, N_CL | N_TE | N_UPGRADE);
        set8(s, NPOS, 0);
        set8(s, PH, H_NAME);
        lineByte(s, H_NAME, c, now);
      }
      break;
    case H_HCR:
      if (lf) headersEnd(s, now);
      else dead(s);
      break;
    case H_NAME:
      if (c == 0x3a) {
        nameEnd(s);
        set8(s, PH, H_VALUE);
      } else if (!isToken(c)) dead(s);
      else nameByte(s, lowerByte(c));
      break;
    case H_VALUE:
      if (lf) {
        valueEnd(s);
        if (get8(s, PH) != H_DEAD) set8(s, PH, H_HLINE);
      } else if (c != 0x0d) valueByte(s, c);
      break;
    case H_SKIP:
      if (lf) set8(s, PH, H_HLINE);
      break;
    case H_CSIZE:
      if (lf) chunkSize(s);
      else if (c == 0x3b || c == 0x20 || c == 0x09) set8(s, PH, H_CEXT);
      else if (c != 0x0d) chunkDigit(s, c);
      break;
    case H_CEXT:
      if (lf) chunkSize(s);
      break;
    case H_CEND:
      if (lf) set8(s, PH, H_CSIZE);
      break;
    case H_TLINE:
      if (lf) set8(s, PH, H_START);
      else if (c != 0x0d) set8(s, PH, H_TSKIP);
      break;
    case H_TSKIP:
      if (lf) set8(s, PH, H_TLINE);
      break;
    default:
      break;
  }
}

/** HTTP payload of one direction at packet time `now` (ns); only requests are parsed. */
export function httpData(s: usize, toServer: bool, p: usize, len: u32, now: u64): void {
  httpTick(s, now);
  if (!toServer) return;
  let i: u32 = 0;
  // Every turn consumes at least one byte, or ends a body (the next turn then consumes one).
  while (i < len) {
    const ph = get8(s, PH);
    if (ph == H_DEAD) return;
    if (ph == H_BODY || ph == H_CDATA) {
      const left = get64(s, A);
      const n = <u32>min<u64>(left, <u64>(len - i));
      if (n > 0) bodyBytes(s, p, i, n);
      set64(s, A, left - <u64>n);
      if (left == <u64>n) set8(s, PH, ph == H_BODY ? H_START : H_CEND);
      i += n;
      continue;
    }
    if (ph >= H_CSIZE && (get8(s, TM) & T_BODY) != 0) set8(s, TM, 0);
    lineByte(s, ph, <u32>load<u8>(p + <usize>i), now);
    i++;
  }
}
