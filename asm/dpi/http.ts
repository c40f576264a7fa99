// HTTP/1.x, RTSP and SIP over TCP, recognised from the client's first request line the way
// NeuVector's dpi_http.c does: `METHOD SP target SP VERSION CRLF`, exactly three tokens, the
// method 1-16 upper-case letters (any method, as long as the version is right), the version
// `HTTP/d.d`, `RTSP/d.d` or `SIP/d.d`. `PRI * HTTP/2.0` is HTTP/2's preface, not HTTP/1 (grpc.ts).
// RTSP and SIP are decided on the request line. HTTP waits for the response headers, which may
// name the product (http-headers.ts); the Host and X-Forwarded-For come from the request headers.
import { APP_APACHE, APP_CONSUL, APP_HTTP, APP_JETTY, APP_NGINX, APP_NODEJS, APP_RTSP, APP_SIP, APP_WORDPRESS } from "./apps";
import { findHeaderEnd, isDigit, isGraph, isUpper, lit, LIT_NO, LIT_PART, LIT_YES, u8at } from "./bytes";
import { consulPath, extractHost, extractXff, responseProduct, wordpressPath } from "./http-headers";
import { DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN, setPath, setProvisional } from "./result";

/** Set by requestLine: the target's bounds and the index just past the line's LF. */
let targetStart: i32 = 0;
let targetEnd: i32 = 0;
let lineEnd: i32 = 0;

const MAX_METHOD: i32 = 16;

/** `d.d` at i (the version digits after the slash): LIT_YES, LIT_PART or LIT_NO. */
function versionDigits(p: usize, len: i32, i: i32): i32 {
  for (let k = 0; k < 3; k++) {
    const c = u8at(p, len, i + k);
    if (c < 0) return LIT_PART;
    if (k == 1 ? c != 0x2e : !isDigit(c)) return LIT_NO;
  }
  return LIT_YES;
}

/**
 * The request line at the start of the client prefix: APP_HTTP / APP_RTSP / APP_SIP, DPI_MORE
 * while the prefix agrees but ends first, or DPI_UNKNOWN.
 */
export function requestLine(p: usize, len: i32): i32 {
  let i = 0;
  while (i < len && isUpper(<i32>load<u8>(p + <usize>i))) i++;
  if (i == len) return i <= MAX_METHOD ? DPI_MORE : DPI_UNKNOWN;
  if (i == 0 || i > MAX_METHOD || load<u8>(p + <usize>i) != 0x20) return DPI_UNKNOWN;
  const method = i;
  i++;
  targetStart = i;
  while (i < len && isGraph(<i32>load<u8>(p + <usize>i))) i++;
  if (i == len) return len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
  if (i == targetStart || load<u8>(p + <usize>i) != 0x20) return DPI_UNKNOWN;
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

/** `HTTP/d.d SP ddd` at i of the server prefix: LIT_YES, LIT_PART or LIT_NO. */
function statusLine(p: usize, len: i32, i: i32): i32 {
  const m = lit(p, len, i, "HTTP/");
  if (m != LIT_YES) return m;
  const d = versionDigits(p, len, i + 5);
  if (d != LIT_YES) return d;
  if (lit(p, len, i + 8, " ") != LIT_YES) return len <= i + 8 ? LIT_PART : LIT_NO;
  for (let k = 9; k < 12; k++) {
    const c = u8at(p, len, i + k);
    if (c < 0) return LIT_PART;
    if (!isDigit(c)) return LIT_NO;
  }
  return LIT_YES;
}

/** Host, X-Forwarded-For and path from the request's header block (complete lines only). */
function requestDetails(cli: usize, cl: i32, out: usize): void {
  const end = findHeaderEnd(cli, cl, lineEnd - 2);
  const to = end < 0 ? cl : end + 2;
  extractHost(cli, cl, lineEnd, to, out);
  extractXff(cli, cl, lineEnd, to, out);
  setPath(out, targetStart, targetEnd - targetStart);
}

/** The product the response headers name; a Consul API path beats mere server software. */
function product(srv: usize, sl: i32, from: i32, to: i32, consul: bool, out: usize): i32 {
  const p = responseProduct(srv, sl, from, to, out);
  const serverOnly = p == 0 || p == APP_NGINX || p == APP_APACHE || p == APP_JETTY || p == APP_NODEJS;
  if (consul && serverOnly) return APP_CONSUL;
  return p != 0 ? p : APP_HTTP;
}

/**
 * The response's product, skipping interim 1xx responses: DPI_MORE until a final response's
 * header block is complete (or the prefix is full), then a product id or APP_HTTP.
 */
function response(srv: usize, sl: i32, consul: bool, out: usize): i32 {
  const fallback = consul ? APP_CONSUL : APP_HTTP;
  let at = 0;
  for (let n = 0; n < 4; n++) {
    const s = statusLine(srv, sl, at);
    if (s == LIT_PART) return sl >= DPI_PREFIX_CAP ? fallback : DPI_MORE;
    // A server that does not answer in HTTP does not make the client's request anything else.
    if (s == LIT_NO) return fallback;
    const end = findHeaderEnd(srv, sl, at);
    if (end < 0) return sl < DPI_PREFIX_CAP ? DPI_MORE : product(srv, sl, at, sl, consul, out);
    // 1xx are interim (100 Continue, 103 Early Hints) except 101, after which HTTP ends.
    if (u8at(srv, sl, at + 9) != 0x31 || (u8at(srv, sl, at + 10) == 0x30 && u8at(srv, sl, at + 11) == 0x31)) {
      return product(srv, sl, at, end + 2, consul, out);
    }
    at = end + 4;
  }
  return fallback;
}

export function http(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  // The server never speaks first.
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const app = requestLine(cli, cl);
  if (app < 0) return app;
  if (app != APP_HTTP) return app;
  setProvisional(out, APP_HTTP);
  // The request headers come before any response (unless they overflow the prefix).
  const reqDone = findHeaderEnd(cli, cl, lineEnd - 2) >= 0 || cl >= DPI_PREFIX_CAP || sl > 0;
  if (!reqDone) return DPI_MORE;
  requestDetails(cli, cl, out);
  if (wordpressPath(cli, cl, targetStart)) return APP_WORDPRESS;
  if (sl == 0) return DPI_MORE;
  return response(srv, sl, consulPath(cli, cl, targetStart, targetEnd), out);
}

/**
 * SIP over UDP: the datagram opens with a SIP request line (`OPTIONS sip:... SIP/2.0`). NeuVector
 * only sees SIP in its TCP HTTP parser; UDP is where most SIP runs. HTTP and RTSP over UDP are not
 * identified (SSDP's `M-SEARCH * HTTP/1.1` is not HTTP).
 */
export function sipDatagram(cli: usize, cl: i32, sl: i32): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  return requestLine(cli, cl) == APP_SIP ? APP_SIP : DPI_UNKNOWN;
}
