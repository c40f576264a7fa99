// The request line HTTP, RTSP and SIP share, read as NeuVector's dpi_http.c reads it:
// `METHOD SP target SP VERSION CRLF` (or LF), exactly three tokens separated by single spaces, the
// method 1-16 upper-case letters (any method: an unknown one with a right version still counts),
// the target visible characters, the version `HTTP/d.d`, `RTSP/d.d` or `SIP/d.d`. HTTP/2's
// preface `PRI * HTTP/2.0` is not an HTTP/1 request (NeuVector has no PRI method): grpc.ts.
// HTTP/0.9's simple request (RFC 1945 §4.1: `GET SP abs_path CRLF`, no version, no headers),
// which old clients, scanners and health checks still send, is HTTP too (`simple` is then set).
import { APP_HTTP, APP_RTSP, APP_SIP } from "./apps";
import { isDigit, isGraph, isUpper, lit, LIT_NO, LIT_PART, LIT_YES, u8at } from "./bytes";
import { DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN } from "./result";

/** Set by requestLine: the target's bounds and the index just past the line's LF. */
export let targetStart: i32 = 0;
export let targetEnd: i32 = 0;
export let lineEnd: i32 = 0;
/** The last request line was an HTTP/0.9 simple request. */
export let simple = false;

const MAX_METHOD: i32 = 16;

/** `d.d` at i (the version digits after the slash): LIT_YES, LIT_PART or LIT_NO. */
export function versionDigits(p: usize, len: i32, i: i32): i32 {
  for (let k = 0; k < 3; k++) {
    const c = u8at(p, len, i + k);
    if (c < 0) return LIT_PART;
    if (k == 1 ? c != 0x2e : !isDigit(c)) return LIT_NO;
  }
  return LIT_YES;
}

/** `GET /path` ended at i by CR LF or LF: an HTTP/0.9 simple request, DPI_MORE or DPI_UNKNOWN. */
function simpleRequest(p: usize, len: i32, method: i32, i: i32): i32 {
  if (method != 3 || lit(p, len, 0, "GET /") != LIT_YES) return DPI_UNKNOWN;
  targetEnd = i;
  let c = u8at(p, len, i);
  if (c == 0x0d) c = u8at(p, len, ++i);
  if (c < 0) return DPI_MORE;
  if (c != 0x0a) return DPI_UNKNOWN;
  lineEnd = i + 1;
  simple = true;
  return APP_HTTP;
}

/**
 * The request line at the start of the client prefix: APP_HTTP / APP_RTSP / APP_SIP, DPI_MORE
 * while the prefix agrees but ends first, or DPI_UNKNOWN.
 */
export function requestLine(p: usize, len: i32): i32 {
  let i = 0;
  simple = false;
  while (i < len && isUpper(<i32>load<u8>(p + <usize>i))) i++;
  if (i == len) return i <= MAX_METHOD ? DPI_MORE : DPI_UNKNOWN;
  if (i == 0 || i > MAX_METHOD || load<u8>(p + <usize>i) != 0x20) return DPI_UNKNOWN;
  const method = i;
  i++;
  targetStart = i;
  while (i < len && isGraph(<i32>load<u8>(p + <usize>i))) i++;
  if (i == len) return len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
  if (i == targetStart) return DPI_UNKNOWN;
  if (load<u8>(p + <usize>i) != 0x20) return simpleRequest(p, len, method, i);
  targetEnd = i;
  i++;
  let app: i32 = 0;
  let vlen: i32 = 0;
  let m = lit(p, len, i, "HTTP/");
  if (m != LIT_NO) { app = APP_HTTP; vlen = 5; }
  else {
    m = lit(p, len, i, "RTSP/");
    if (m != LIT_NO) { app = APP_RTSP; vlen = 5; }
    else {
      m = lit(p, len, i, "SIP/");
      if (m == LIT_NO) return DPI_UNKNOWN;
      app = APP_SIP;
      vlen = 4;
    }
  }
  if (m == LIT_PART) return DPI_MORE;
  i += vlen;
  const d = versionDigits(p, len, i);
  if (d != LIT_YES) return d == LIT_PART ? DPI_MORE : DPI_UNKNOWN;
  // HTTP/2's connection preface is not an HTTP/1 request (NeuVector has no PRI method either).
  if (app == APP_HTTP && load<u8>(p + <usize>i) != 0x30 && load<u8>(p + <usize>i) != 0x31) return DPI_UNKNOWN;
  if (method == 3 && lit(p, len, 0, "PRI ") == LIT_YES) return DPI_UNKNOWN;
  i += 3;
  let c = u8at(p, len, i);
  if (c == 0x0d) {
    i++;
    c = u8at(p, len, i);
  }
  if (c < 0) return DPI_MORE;
  if (c != 0x0a) return DPI_UNKNOWN;
  lineEnd = i + 1;
  return app;
}
