// HTTP header blocks: the request's Host and leftmost X-Forwarded-For, and the response headers
// that name a product (Server, X-elastic-product, X-Consul-*, X-Pingback, Link, X-Powered-By).
// Only complete lines (ending in LF inside the block) are read; names are matched ignoring case.
import { APP_APACHE, APP_CONSUL, APP_COUCHDB, APP_ELASTICSEARCH, APP_JETTY, APP_NGINX, APP_NODEJS, APP_WORDPRESS } from "./apps";
import { containsCI, findByte, isGraph, lit, litCI, LIT_YES, lower, tokenInListCI } from "./bytes";
import { ipFamily, ipHi, ipLo, parseIpText } from "./ip-text";
import { setHost, setServer, setXff } from "./result";

/** Value bounds of the header found by findHeader: [valStart, valEnd), spaces trimmed. */
let valStart: i32 = 0;
let valEnd: i32 = 0;

@inline function isOws(c: i32): bool {
  return c == 0x20 || c == 0x09;
}

/** Trim spaces and tabs from both ends of [a, b) into valStart/valEnd. */
function trim(p: usize, a: i32, b: i32): void {
  while (a < b && isOws(<i32>load<u8>(p + <usize>a))) a++;
  while (b > a && isOws(<i32>load<u8>(p + <usize>(b - 1)))) b--;
  valStart = a;
  valEnd = b;
}

/**
 * Find the first header `name` (lower case, without the colon) in the lines of [from, to); on
 * success valStart/valEnd bound its trimmed value. With `prefix`, any header whose name starts
 * with `name` counts (X-Consul-*).
 */
function findHeader(p: usize, len: i32, from: i32, to: i32, name: string, prefix: bool): bool {
  const end = min(to, len);
  let ls = from;
  while (ls < end) {
    const lf = findByte(p, len, ls, end, 0x0a);
    if (lf < 0) return false;
    const n = name.length;
    if (litCI(p, len, ls, name) == LIT_YES) {
      let c = ls + n;
      if (prefix) while (c < lf && load<u8>(p + <usize>c) != 0x3a && isGraph(<i32>load<u8>(p + <usize>c))) c++;
      if (c < lf && load<u8>(p + <usize>c) == 0x3a) {
        let b = lf;
        if (b > c + 1 && load<u8>(p + <usize>(b - 1)) == 0x0d) b--;
        trim(p, c + 1, b);
        return true;
      }
    }
    ls = lf + 1;
  }
  return false;
}

/** Host name characters: letters, digits, `-`, `.`, `_`. */
@inline function hostChar(c: i32): bool {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f;
}

/** The Host header's name without `:port` into the result record (an IPv6 literal keeps its brackets). */
export function extractHost(p: usize, len: i32, from: i32, to: i32, out: usize): void {
  if (!findHeader(p, len, from, to, "host", false)) return;
  const a = valStart;
  let b = valEnd;
  if (a >= b) return;
  if (load<u8>(p + <usize>a) == 0x5b) {
    const rb = findByte(p, len, a, b, 0x5d);
    if (rb < 0) return;
    for (let i = a + 1; i < rb; i++) {
      const c = <i32>load<u8>(p + <usize>i);
      if (!(c == 0x3a || c == 0x2e || (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) return;
    }
    b = rb + 1;
  } else {
    const colon = findByte(p, len, a, b, 0x3a);
    if (colon >= 0) b = colon;
    for (let i = a; i < b; i++) if (!hostChar(<i32>load<u8>(p + <usize>i))) return;
  }
  if (b > a) setHost(out, a, b - a);
}

/**
 * The leftmost entry of the first X-Forwarded-For header: an IPv4 or IPv6 address, optionally
 * bracketed and/or with a `:port` (IPv4 or bracketed IPv6 only). Anything else is ignored.
 */
export function extractXff(p: usize, len: i32, from: i32, to: i32, out: usize): void {
  if (!findHeader(p, len, from, to, "x-forwarded-for", false)) return;
  const comma = findByte(p, len, valStart, valEnd, 0x2c);
  trim(p, valStart, comma < 0 ? valEnd : comma);
  let a = valStart;
  let b = valEnd;
  if (a >= b) return;
  if (load<u8>(p + <usize>a) == 0x5b) {
    const rb = findByte(p, len, a, b, 0x5d);
    if (rb < 0) return;
    if (rb + 1 < b && load<u8>(p + <usize>(rb + 1)) != 0x3a) return;
    a++;
    b = rb;
  } else {
    // IPv4 with a port: exactly one colon and a dot before it.
    const colon = findByte(p, len, a, b, 0x3a);
    if (colon >= 0 && findByte(p, len, colon + 1, b, 0x3a) < 0 && findByte(p, len, a, colon, 0x2e) >= 0) b = colon;
  }
  if (parseIpText(p, a, b)) setXff(out, ipLo, ipHi, ipFamily);
}

/** Server software named by a `Server:` value: nginx, Apache (not Apache-Coyote, Tomcat), Jetty, Node.js. */
function serverSoftware(p: usize, len: i32, a: i32, b: i32): i32 {
  if (litCI(p, len, a, "nginx") == LIT_YES) return APP_NGINX;
  if (litCI(p, len, a, "jetty") == LIT_YES) return APP_JETTY;
  if (litCI(p, len, a, "apache") == LIT_YES) {
    const c = a + 6 < b ? <i32>load<u8>(p + <usize>(a + 6)) : 0x2f;
    return c == 0x2f || c == 0x20 || c == 0x28 ? APP_APACHE : 0;
  }
  if (litCI(p, len, a, "node") == LIT_YES) {
    const c = a + 4 < b ? lower(<i32>load<u8>(p + <usize>(a + 4))) : 0x2f;
    if (c == 0x2f || c == 0x20 || c == 0x2e || c == 0x6a) return APP_NODEJS;
  }
  return 0;
}

/**
 * The product a response header block [from, to) names, 0 for none. Applications beat server
 * software (Elasticsearch behind nginx is ElasticSearch): WordPress (X-Pingback, or a Link to
 * api.w.org), then ElasticSearch (X-elastic-product), Consul (any X-Consul-* header), CouchDB
 * (Server: CouchDB/...), then the server software, which is also written to R_SERVER.
 */
export function responseProduct(p: usize, len: i32, from: i32, to: i32, out: usize): i32 {
  let server: i32 = 0;
  let couch = false;
  if (findHeader(p, len, from, to, "server", false)) {
    server = serverSoftware(p, len, valStart, valEnd);
    couch = litCI(p, len, valStart, "couchdb") == LIT_YES;
  }
  if (server == 0 && findHeader(p, len, from, to, "x-powered-by", false) && litCI(p, len, valStart, "express") == LIT_YES) {
    server = APP_NODEJS;
  }
  if (server != 0) setServer(out, server);
  if (findHeader(p, len, from, to, "x-pingback", false)) return APP_WORDPRESS;
  if (findHeader(p, len, from, to, "link", false) && containsCI(p, len, valStart, valEnd, "api.w.org")) return APP_WORDPRESS;
  if (findHeader(p, len, from, to, "x-elastic-product", false) && litCI(p, len, valStart, "elasticsearch") == LIT_YES) {
    return APP_ELASTICSEARCH;
  }
  if (findHeader(p, len, from, to, "x-consul-", true)) return APP_CONSUL;
  if (couch) return APP_COUCHDB;
  return server;
}

/** A request path that only WordPress serves: /wp-content/, /wp-includes/, /wp-admin, /wp-login.php, /wp-json/, /xmlrpc.php. */
export function wordpressPath(p: usize, len: i32, a: i32): bool {
  if (litCI(p, len, a, "/wp-") == LIT_YES) {
    const b = a + 4;
    return (
      litCI(p, len, b, "content/") == LIT_YES ||
      litCI(p, len, b, "includes/") == LIT_YES ||
      litCI(p, len, b, "admin") == LIT_YES ||
      litCI(p, len, b, "login.php") == LIT_YES ||
      litCI(p, len, b, "json/") == LIT_YES ||
      litCI(p, len, b, "cron.php") == LIT_YES
    );
  }
  return litCI(p, len, a, "/xmlrpc.php") == LIT_YES;
}

/**
 * Consul's HTTP API: `/v1/` and one of its endpoints (agent, catalog, health, kv, ...). Nomad
 * shares a few of these roots (agent, acl, event, operator, status); Nomad is not an application
 * NeuVector names, so such a request is taken for Consul.
 */
const CONSUL_ROOTS =
  "agent|catalog|health|kv|acl|session|coordinate|connect|txn|query|snapshot|event|operator|status|config|discovery-chain|internal|peering";

export function consulPath(p: usize, len: i32, a: i32, b: i32): bool {
  if (lit(p, len, a, "/v1/") != LIT_YES) return false;
  let e = a + 4;
  while (e < b && load<u8>(p + <usize>e) != 0x2f && load<u8>(p + <usize>e) != 0x3f) e++;
  return tokenInListCI(p, len, a + 4, e, CONSUL_ROOTS);
}
