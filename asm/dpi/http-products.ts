// HTTP products, from the first response's headers and the request path. Applications beat
// server software (Elasticsearch behind nginx is ElasticSearch; nginx goes to R_SERVER):
// - WordPress: a request path only WordPress serves, an X-Pingback header, or a Link to api.w.org;
// - ElasticSearch: `X-elastic-product: Elasticsearch` (every response of Elasticsearch >= 7.14);
// - Consul: any `X-Consul-*` header, or a request to Consul's HTTP API (`/v1/kv/...`);
// - CouchDB: `Server: CouchDB/...` (NeuVector dpi_http.c does the same);
// - server software from `Server:` (nginx, Apache, Jetty, Node.js) or `X-Powered-By: Express`.
import { APP_APACHE, APP_CONSUL, APP_COUCHDB, APP_ELASTICSEARCH, APP_JETTY, APP_NGINX, APP_NODEJS, APP_WORDPRESS } from "./apps";
import { containsCI, lit, litCI, LIT_YES, lower, tokenInListCI } from "./bytes";
import { findHeader, valEnd, valStart } from "./http-headers";
import { setServer } from "./result";

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
