// HTTP/1.x over TCP: the client's first request line (request-line.ts) with an `HTTP/0.x` or
// `HTTP/1.x` version. It then waits for the response headers, which may name the product
// (http-products.ts): WordPress, Elasticsearch, Consul, CouchDB, or the server software. The Host,
// the leftmost X-Forwarded-For and the path come from the request (http-headers.ts). RTSP and SIP
// request lines are left to rtsp-sip.ts.
import { APP_APACHE, APP_CONSUL, APP_HTTP, APP_JETTY, APP_NGINX, APP_NODEJS, APP_WORDPRESS } from "./apps";
import { findHeaderEnd, isDigit, lit, LIT_NO, LIT_PART, LIT_YES, u8at } from "./bytes";
import { extractHost, extractXff } from "./http-headers";
import { consulPath, responseProduct, wordpressPath } from "./http-products";
import { lineEnd, requestLine, simple, targetEnd, targetStart, versionDigits } from "./request-line";
import { clientMore, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN, setPath, setProvisional } from "./result";

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
  if (app < 0) return app == DPI_MORE ? clientMore(cl, sl) : app;
  if (app != APP_HTTP) return DPI_UNKNOWN;
  setProvisional(out, APP_HTTP);
  // HTTP/0.9: no headers either way; the server's answer is the document itself.
  if (simple) {
    setPath(out, targetStart, targetEnd - targetStart);
    return sl > 0 ? APP_HTTP : DPI_MORE;
  }
  // The request headers come before any response (unless they overflow the prefix).
  const reqDone = findHeaderEnd(cli, cl, lineEnd - 2) >= 0 || cl >= DPI_PREFIX_CAP || sl > 0;
  if (!reqDone) return DPI_MORE;
  requestDetails(cli, cl, out);
  if (wordpressPath(cli, cl, targetStart)) return APP_WORDPRESS;
  if (sl == 0) return DPI_MORE;
  return response(srv, sl, consulPath(cli, cl, targetStart, targetEnd), out);
}
