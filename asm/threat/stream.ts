// The application-level threat detectors, as the packet path calls them: per flow, the in-order
// payload of each direction goes to the parser of the flow's application, which keeps what it
// needs between packets in the flow's first STREAM_STATE_BYTES of threat state and reports
// through found() (asm/threat/found.ts). The parsers (docs/threats-parsers.md):
//   DNS           dns.ts      zone transfer, NULL type, loop pointer, overflow (UDP and TCP)
//   HTTP family   http.ts     negative length, smuggling, Struts RCE, slowloris
//   SSL           tls.ts      heartbleed, SSLv2 cipher overflow, SSL v2/v3, TLS 1.0/1.1
//   MySQL         mysql.ts    access deny, SQL injection (sql.ts)
//   PostgreSQL    pgsql.ts    SQL injection
//   TDS, TNS      tds.ts, tns.ts   SQL injection
// Each keeps its own layout of the state; the last byte names the parser that owns it, so a flow
// whose application changes family midway (it should not) is left alone rather than misread.
// SSH is checked by the SSH parser elsewhere, not here.
//
// Every parser reads a byte only below the length it is given, keeps every loop bounded by the
// bytes it consumes, and allocates nothing.
import { APP_APACHE, APP_CONSUL, APP_COUCHDB, APP_DNS, APP_ELASTICSEARCH, APP_HTTP, APP_JETTY, APP_MYSQL, APP_NGINX, APP_NODEJS, APP_POSTGRESQL, APP_SSL, APP_TDS, APP_TNS, APP_WORDPRESS } from "../dpi/apps";
import { DNS_DIR_BYTES, dnsData } from "./dns";
import { httpData, httpTick } from "./http";
import { mysqlData } from "./mysql";
import { pgsqlData } from "./pgsql";
import { get8, set8 } from "./stream-state";
import { tdsData } from "./tds";
import { tlsData } from "./tls";
import { tnsData } from "./tns";

/** Per-flow parser state the packet path gives: bytes [0, STREAM_STATE_BYTES) of the flow's threat state, zeroed when the flow is created. */
export const STREAM_STATE_BYTES: u32 = 48;
/** The byte naming the parser family that owns the state; the parsers use the bytes below it. */
export const STREAM_OWNER: u32 = STREAM_STATE_BYTES - 1;

export const FAMILY_DNS: u32 = 1;
export const FAMILY_HTTP: u32 = 2;
export const FAMILY_TLS: u32 = 3;
export const FAMILY_MYSQL: u32 = 4;
export const FAMILY_PGSQL: u32 = 5;
export const FAMILY_TDS: u32 = 6;
export const FAMILY_TNS: u32 = 7;

const PROTO_TCP: u32 = 6;
const PROTO_UDP: u32 = 17;

/** The parser family of an application id (common/apps.ts), 0 for none. */
export function streamFamily(app: u32): u32 {
  const a = <i32>app;
  if (a == APP_DNS) return FAMILY_DNS;
  if (a == APP_SSL) return FAMILY_TLS;
  if (a == APP_MYSQL) return FAMILY_MYSQL;
  if (a == APP_POSTGRESQL) return FAMILY_PGSQL;
  if (a == APP_TDS) return FAMILY_TDS;
  if (a == APP_TNS) return FAMILY_TNS;
  // HTTP, and what the DPI stage names from HTTP headers: servers (their parent is HTTP) and
  // HTTP APIs (WordPress, CouchDB, Elasticsearch, Consul).
  if (a == APP_HTTP || a == APP_APACHE || a == APP_NGINX || a == APP_JETTY || a == APP_NODEJS) return FAMILY_HTTP;
  if (a == APP_WORDPRESS || a == APP_COUCHDB || a == APP_ELASTICSEARCH || a == APP_CONSUL) return FAMILY_HTTP;
  return 0;
}

/** Whether streamData has anything to do for this application (the packet path skips the call otherwise). */
export function streamWanted(app: u32): bool {
  return streamFamily(app) != 0;
}

/** The state's family for `app`, claiming the state on first use; 0 when another family owns it. */
function owner(state: usize, app: u32): u32 {
  const f = streamFamily(app);
  if (f == 0) return 0;
  const o = get8(state, STREAM_OWNER);
  if (o == 0) set8(state, STREAM_OWNER, f);
  else if (o != f) return 0;
  return f;
}

/**
 * In-order TCP payload of a flow whose application is `app`, or one UDP datagram's payload.
 * `toServer`: client to server. `now`: packet time in ns. Reports threats through found().
 */
export function streamData(state: usize, app: u32, proto: u32, toServer: bool, p: usize, len: u32, now: u64): void {
  const f = owner(state, app);
  if (f == 0) return;
  if (proto == PROTO_UDP) {
    // Only DNS is read over UDP: each datagram is one message.
    if (f == FAMILY_DNS && len > 0) dnsData(state + (toServer ? 0 : DNS_DIR_BYTES), true, p, len);
    return;
  }
  if (proto != PROTO_TCP) return;
  if (f == FAMILY_HTTP) {
    httpData(state, toServer, p, len, now);
    return;
  }
  if (len == 0) return;
  if (f == FAMILY_DNS) dnsData(state + (toServer ? 0 : DNS_DIR_BYTES), false, p, len);
  else if (f == FAMILY_TLS) tlsData(state, toServer, p, len);
  else if (f == FAMILY_MYSQL) mysqlData(state, toServer, p, len);
  else if (f == FAMILY_PGSQL) pgsqlData(state, toServer, p, len);
  else if (f == FAMILY_TDS) tdsData(state, toServer, p, len);
  else tnsData(state, toServer, p, len);
}

/** Time passes for the flow (called on each of its packets and when it ends): the slowloris timeouts. */
export function streamTick(state: usize, app: u32, now: u64): void {
  if (owner(state, app) == FAMILY_HTTP) httpTick(state, now);
}
