// The stream feed: what the application-level detectors (stream.ts) see of a flow. A flow is fed
// from the moment the DPI stage names an application that has a parser family whose threats (or,
// for DNS over TCP, the DNS rates) are enabled: its settled application, or earlier its
// provisional one (HTTP after the request line, before the Host or Server header settles it, so
// that the slowloris timers see each header line when it comes). A flow DPI settles as unknown on
// server port 53 is read as DNS, on 443 as SSL: a malformed query or hello is not its protocol to
// DPI, and is what the DNS and SSL detectors look for (NeuVector runs its DNS parser on every
// port-53 flow and its SSL parser on every flow, before they confirm the protocol); each parser
// gives up on bytes that are not its protocol. On such an unconfirmed DNS flow the overflow is
// not reported (NeuVector: "only if DNS has been confirmed"), since any non-DNS bytes on port 53
// would look like one. The feed starts with the bytes DPI buffered (the prefix,
// asm/flow/prefix.ts: the other direction's first, then those of the direction of the packet at
// hand, which came last), so the first request, ClientHello or login is inspected; then every
// packet's payload. If the settled application turns out to be of another family than the one
// fed, the feed stops.
//
// TCP: only in-order bytes, per direction. The feed keeps the next expected sequence number; a
// segment that overlaps what was fed gives only its new bytes, a segment wholly before it
// (a retransmission) nothing, and a segment that starts past it (a gap: a lost or reordered
// segment, or bytes past the prefix's 2 KiB that DPI did not keep) stops that direction for the
// rest of the flow, counted in C_STREAM_GAPS (stats threats.streamGaps): the parsers never see a
// stream with a hole, at the price of missing what follows it. UDP: every datagram, from the
// first after the one DPI named the application on (the prefix holds each direction's first).
//
// HTTP slowloris needs time: its timers are checked on each packet of the flow, and when the flow
// ends (expiry, eviction, flush) unless the client closed it or it was reset. There is no timer of
// its own: a connection that goes quiet is judged at its next packet or when it expires (pktTick
// runs expiry, so an idle enforcer still detects it then). A client stream stopped at a gap is not
// ticked either, since its timer would wait for bytes the feed no longer reads.
//
// Nothing is fed while the flow is denied (its packets are dropped), nor with threat detection off.
//
// State (16 bytes at the threat state's STREAM_FEED, zero when the flow is created):
//   [0, 8)   the next expected sequence number of each direction (u32, client first)
//   [8]      flags: FOLLOW and KNOWN per direction, PARSE, COUNT, TICK, STARTED
//   [9]      UNCONFIRMED: fed by the port's parser, DPI did not name the application
//   [10, 12) the application fed as (u16)
//   [12, 16) DNS-over-TCP framing (dns-rates.ts)
import { ACT_DENY, APP_UNKNOWN_ID } from "../abi";
import { C_STREAM_GAPS, TS_CLOSED } from "../abi-packet";
import { packetAction } from "../flow/decision";
import { bytesOf, lenOf } from "../flow/prefix";
import { APP_DNS, APP_SSL } from "../dpi/apps";
import { FF_FIN_C, FF_SEQ_C, FL_APP, FL_DPI, FL_PROTO, FL_SEQ, FL_SPORT, FL_STATE, flags } from "../flow/table";
import { TCP, UDP } from "../packet/decode";
import { bump, now, threatsOn } from "../packet/region";
import {
  T_DNS_LOOP_POINTER, T_DNS_NULL_TYPE, T_DNS_OVERFLOW, T_DNS_ZONE_TRANSFER, T_HTTP_NEGATIVE_LENGTH, T_HTTP_SLOWLORIS,
  T_HTTP_SMUGGLING, T_MYSQL_ACCESS_DENY, T_SQL_INJECTION, T_SSL_CIPHER_OVERFLOW, T_SSL_HEARTBLEED, T_SSL_V2_V3,
  T_STRUTS_RCE, T_TLS_1_0, T_TLS_1_1,
} from "./codes";
import { dnsRatesOn, dnsTcpQueries } from "./dns-rates";
import { dropFindings, findingCount } from "./found";
import { threatEnabled as on } from "./params";
import { STREAM_FEED, threatState } from "./state";
import { FAMILY_DNS, FAMILY_HTTP, FAMILY_MYSQL, FAMILY_TLS, streamData, streamFamily, streamTick } from "./stream";
import { toWorkload } from "./trackers";

/** settle() was not called for a packet (the flow is ending): no direction came last. */
export const NO_DIRECTION: u32 = 2;

const F_NEXT: usize = 0;
const F_FLAGS: usize = 8;
const F_UNCONFIRMED: usize = 9;
const F_APP: usize = 10;
const F_FRAMING: usize = 12;
/** << direction: the direction is fed. */
const FOLLOW: u32 = 1;
/** << direction: F_NEXT holds its next sequence number. */
const KNOWN: u32 = 4;
/** The application's parser runs. */
const PARSE: u32 = 16;
/** DNS over TCP: the client's queries are counted (dns-rates.ts). */
const COUNT: u32 = 32;
/** HTTP: the slowloris timers are checked. */
const TICK: u32 = 64;
/** The feed was started (whatever became of it since). */
const STARTED: u32 = 128;

@inline function feedOf(f: usize): usize {
  return threatState(f) + STREAM_FEED;
}

/** The application whose parser reads a flow of unknown application on server port `port`, or unknown. */
function byPort(port: u32): u32 {
  if (port == 53) return <u32>APP_DNS;
  if (port == 443) return <u32>APP_SSL;
  return APP_UNKNOWN_ID;
}

/** Some threat the parser family reads for is enabled. */
function parsersOn(family: u32): bool {
  if (family == FAMILY_DNS) return on(T_DNS_ZONE_TRANSFER) || on(T_DNS_NULL_TYPE) || on(T_DNS_LOOP_POINTER) || on(T_DNS_OVERFLOW);
  if (family == FAMILY_HTTP) return on(T_HTTP_NEGATIVE_LENGTH) || on(T_HTTP_SMUGGLING) || on(T_HTTP_SLOWLORIS) || on(T_STRUTS_RCE);
  if (family == FAMILY_TLS) return on(T_SSL_HEARTBLEED) || on(T_SSL_CIPHER_OVERFLOW) || on(T_SSL_V2_V3) || on(T_TLS_1_0) || on(T_TLS_1_1);
  if (family == FAMILY_MYSQL) return on(T_MYSQL_ACCESS_DENY) || on(T_SQL_INJECTION);
  // PostgreSQL, TDS, TNS.
  return on(T_SQL_INJECTION);
}

/** In-order bytes [p, p + n) of direction `d` to the parser and, for DNS over TCP, the query rates. */
function deliver(f: usize, fl: u32, d: u32, p: usize, n: u32): void {
  const proto = <u32>load<u8>(f + FL_PROTO);
  if ((fl & PARSE) != 0) {
    const fs = feedOf(f);
    const from = findingCount();
    streamData(threatState(f), <u32>load<u16>(fs + F_APP), proto, d == 0, p, n, now);
    if (load<u8>(fs + F_UNCONFIRMED) != 0) dropFindings(T_DNS_OVERFLOW, from);
  }
  if ((fl & COUNT) != 0 && d == 0) dnsTcpQueries(feedOf(f) + F_FRAMING, f, toWorkload(f, 0), p, n);
}

/** Direction `e`'s prefix bytes at settling; `d`: the direction of the packet that settled it. */
function fromPrefix(f: usize, fs: usize, fl: u32, s: usize, e: u32, d: u32): void {
  const n = lenOf(s, e);
  if (<u32>load<u8>(f + FL_PROTO) != TCP) {
    // Each direction's first datagram; the settling packet's own is fed by feedPacket.
    if (n > 0 && (e != d || <u32>load<u8>(f + FL_DPI + e) > 1)) deliver(f, fl, e, bytesOf(s, e), n);
    return;
  }
  // A direction not seen yet starts where its first segment does (feedPacket).
  if ((flags(f) & (FF_SEQ_C << e)) == 0) return;
  store<u32>(fs + F_NEXT + (<usize>e << 2), load<u32>(f + FL_SEQ + (<usize>e << 2)) + n);
  store<u8>(fs + F_FLAGS, <u8>(load<u8>(fs + F_FLAGS) | (KNOWN << e)));
  if (n > 0) deliver(f, fl, e, bytesOf(s, e), n);
}

/** Start feeding flow `f` as application `app` (prefix slot `s`, packet direction `d`). */
function start(f: usize, s: usize, d: u32, app: u32): void {
  const fs = feedOf(f);
  if ((<u32>load<u8>(fs + F_FLAGS) & STARTED) != 0 || packetAction(f) == ACT_DENY) return;
  const proto = <u32>load<u8>(f + FL_PROTO);
  if (proto != TCP && proto != UDP) return;
  const family = streamFamily(app);
  if (family == 0) return;
  let fl: u32 = 0;
  if (parsersOn(family)) fl |= PARSE;
  if (family == FAMILY_DNS && proto == TCP && dnsRatesOn()) fl |= COUNT;
  if (fl == 0) return;
  if (family == FAMILY_HTTP && proto == TCP && on(T_HTTP_SLOWLORIS)) fl |= TICK;
  fl |= STARTED | FOLLOW | (FOLLOW << 1);
  store<u8>(fs + F_FLAGS, <u8>fl);
  store<u16>(fs + F_APP, <u16>app);
  if (s == 0) return;
  const first: u32 = d == 0 ? 1 : 0;
  fromPrefix(f, fs, fl, s, first, d);
  fromPrefix(f, fs, fl, s, first ^ 1, d);
}

/**
 * DPI has a provisional answer `app` for flow `f` (asm/flow/dpi-stage.ts, prefix slot `s`, after
 * a packet of direction `d`): start feeding if it names a parser family.
 */
export function feedProvisional(f: usize, s: usize, d: u32, app: u32): void {
  if (threatsOn) start(f, s, d, app);
}

/**
 * The DPI stage settled flow `f`'s application (before the prefix slot `s` is released; 0 if it
 * has none); `d`: the direction of the packet that settled it, or NO_DIRECTION. Starts the feed
 * when the application's detectors are wanted, or stops one started as another family.
 */
export function feedSettled(f: usize, s: usize, d: u32): void {
  if (!threatsOn) return;
  let app = load<u32>(f + FL_APP);
  const fs = feedOf(f);
  const fl = <u32>load<u8>(fs + F_FLAGS);
  if ((fl & STARTED) == 0 && app == APP_UNKNOWN_ID) {
    app = byPort(<u32>load<u16>(f + FL_SPORT));
    store<u8>(fs + F_UNCONFIRMED, 1);
  }
  if ((fl & STARTED) == 0) start(f, s, d, app);
  else if (streamFamily(app) != streamFamily(<u32>load<u16>(fs + F_APP))) store<u8>(fs + F_FLAGS, <u8>(fl & ~(FOLLOW | (FOLLOW << 1))));
}

/** A TCP segment of direction `d`: its bytes past what was fed, or a gap. */
function segment(f: usize, fs: usize, fl: u32, d: u32, p: usize, len: u32, seq: u32): void {
  const at = fs + F_NEXT + (<usize>d << 2);
  let next: u32;
  if ((fl & (KNOWN << d)) != 0) next = load<u32>(at);
  else {
    next = load<u32>(f + FL_SEQ + (<usize>d << 2));
    fl |= KNOWN << d;
  }
  const rel = <i32>(seq - next);
  if (rel > 0) {
    store<u8>(fs + F_FLAGS, <u8>(fl & ~(FOLLOW << d)));
    bump(C_STREAM_GAPS);
    return;
  }
  store<u8>(fs + F_FLAGS, <u8>fl);
  const skip = <u32>(next - seq);
  if (skip >= len) return;
  store<u32>(at, seq + len);
  deliver(f, fl, d, p + <usize>skip, len - skip);
}

/** Payload [p, p + len) of a packet of flow `f` in direction `d` (`seq`: its first byte's, TCP). */
export function feedPacket(f: usize, d: u32, p: usize, len: u32, seq: u32): void {
  const fs = feedOf(f);
  const fl = <u32>load<u8>(fs + F_FLAGS);
  if ((fl & (FOLLOW | (FOLLOW << 1))) == 0 || packetAction(f) == ACT_DENY) return;
  if (len > 0 && (fl & (FOLLOW << d)) != 0) {
    if (<u32>load<u8>(f + FL_PROTO) == TCP) segment(f, fs, fl, d, p, len, seq);
    else deliver(f, fl, d, p, len);
  }
  if ((fl & TICK) != 0 && (load<u8>(fs + F_FLAGS) & FOLLOW) != 0) streamTick(threatState(f), <u32>load<u16>(fs + F_APP), now);
}

/** Flow `f` ends: a last check of the slowloris timers, unless the client closed or it was reset. */
export function feedEnd(f: usize): void {
  const fs = feedOf(f);
  const fl = <u32>load<u8>(fs + F_FLAGS);
  if ((fl & TICK) == 0 || (fl & FOLLOW) == 0 || packetAction(f) == ACT_DENY) return;
  if ((flags(f) & FF_FIN_C) != 0 || <u32>load<u8>(f + FL_STATE) == TS_CLOSED) return;
  streamTick(threatState(f), <u32>load<u16>(fs + F_APP), now);
}
