/**
 * Crafted HTTP, RTSP and SIP: NeuVector's request-line rules, the products named by response
 * headers, and what the result record carries (Host without port, leftmost X-Forwarded-For,
 * server software), with requests and responses delivered byte by byte.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { grow, once } from "./craft.js";
import { appId, codeName, DPI_MORE, DPI_UNKNOWN, loadDpi, TCP, UDP, type Dpi } from "./harness.js";

let dpi: Dpi;
beforeAll(async () => {
  dpi = await loadDpi();
});

const GET = "GET /index.html HTTP/1.1\r\nHost: www.example.com:8080\r\nUser-Agent: curl/8\r\n\r\n";
const ok = (headers: string) => `HTTP/1.1 200 OK\r\n${headers}Content-Length: 0\r\n\r\n`;
const name = (code: number) => codeName(code);

describe("request line (NeuVector dpi_http.c)", () => {
  test.each([
    ["GET / HTTP/1.1", "HTTP"],
    ["POST /api HTTP/1.0", "HTTP"],
    ["FETCH /x HTTP/1.1", "HTTP"],
    ["OPTIONS rtsp://cam/live.sdp RTSP/1.0", "RTSP"],
    ["DESCRIBE rtsp://cam/live.sdp RTSP/1.0", "RTSP"],
    ["INVITE sip:bob@example.com SIP/2.0", "SIP"],
    ["OPTIONS sip:127.0.0.1 SIP/2.0", "SIP"],
  ])("%s -> %s", (line, app) => {
    const r = once(dpi, TCP, 40000, 8080, `${line}\r\nHost: h\r\n\r\n`, "HTTP/1.1 200 OK\r\n\r\n");
    expect(name(r.code)).toBe(app);
  });

  test.each([
    ["a fourth token", "GET /index.html HTTP/1.1 extra"],
    ["an unknown version token", "FETCH /index.html FTP/1.0"],
    ["a lower-case method", "get / HTTP/1.1"],
    ["a 17-letter method", "ABCDEFGHIJKLMNOPQ / HTTP/1.1"],
    ["two spaces", "GET  / HTTP/1.1"],
    ["no target", "GET HTTP/1.1"],
    ["HTTP/2's preface", "PRI * HTTP/2.0"],
    ["HTTP/2.0 as a version", "GET / HTTP/2.0"],
    ["a bad version", "GET / HTTP/1.x"],
  ])("not HTTP: %s", (_what, line) => {
    const r = once(dpi, TCP, 40000, 80, `${line}\r\nHost: h\r\n\r\n`, "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\n\r\n");
    expect(name(r.code)).not.toBe("HTTP");
    expect(name(r.code)).not.toBe("nginx");
    expect(r.code).toBe(DPI_UNKNOWN);
  });

  test("RTSP and SIP are decided on the request line, before any response", () => {
    expect(grow(dpi, TCP, 40000, 554, [[0, "OPTIONS rtsp://cam/x RTSP/1.0\r\nCSeq: 1\r\n\r\n"]]).code).toBe(appId("RTSP"));
    expect(name(once(dpi, UDP, 5060, 5060, "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n").code)).toBe("SIP");
    // Over UDP only SIP: HTTPU (SSDP) is not HTTP.
    expect(once(dpi, UDP, 40000, 1900, "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n").code).toBe(DPI_UNKNOWN);
  });
});

describe("split headers: DPI_MORE until the response headers are complete", () => {
  test("request and response byte by byte", () => {
    const g = grow(dpi, TCP, 40000, 80, [[0, GET], [1, ok("Server: nginx/1.25.3\r\n")]]);
    expect(name(g.code)).toBe("nginx");
    // Not before the blank line that ends the response headers.
    expect(g.at).toBe(GET.length + ok("Server: nginx/1.25.3\r\n").length);
    expect(g.result.host).toBe("www.example.com");
    expect(g.result.server).toBe(appId("nginx"));
  });

  test("waiting for the response is provisionally HTTP", () => {
    const r = once(dpi, TCP, 40000, 80, GET);
    expect(r.code).toBe(DPI_MORE);
    expect(r.provisional).toBe(appId("HTTP"));
  });

  test("interim 100 Continue is skipped", () => {
    const r = once(dpi, TCP, 40000, 80, GET, `HTTP/1.1 100 Continue\r\n\r\n${ok("Server: Apache/2.4.57 (Debian)\r\n")}`);
    expect(name(r.code)).toBe("Apache");
  });

  test("a server answering something else than HTTP leaves the request HTTP", () => {
    expect(name(once(dpi, TCP, 40000, 6379, GET, "-ERR unknown command\r\n").code)).toBe("HTTP");
  });
});

describe("products from the response", () => {
  test.each([
    ["Server: nginx/1.22.1\r\n", "nginx", "nginx"],
    ["Server: nginx\r\n", "nginx", "nginx"],
    ["Server: Apache/2.4.57 (Debian)\r\n", "Apache", "Apache"],
    ["Server: Apache\r\n", "Apache", "Apache"],
    ["Server: Apache-Coyote/1.1\r\n", "HTTP", undefined],
    ["Server: Jetty(9.4.57.v20241219)\r\n", "Jetty", "Jetty"],
    ["Server: Node.js\r\n", "NodeJS", "NodeJS"],
    ["X-Powered-By: Express\r\n", "NodeJS", "NodeJS"],
    ["server: NGINX/1.2\r\n", "nginx", "nginx"],
    ["Server: CouchDB/3.3.3 (Erlang OTP/25)\r\n", "CouchDB", undefined],
    ["X-elastic-product: Elasticsearch\r\n", "ElasticSearch", undefined],
    ["Server: nginx/1.25\r\nX-elastic-product: Elasticsearch\r\n", "ElasticSearch", "nginx"],
    ["X-Consul-Index: 42\r\n", "Consul", undefined],
    ["X-Pingback: https://blog.example.com/xmlrpc.php\r\nServer: Apache\r\n", "Wordpress", "Apache"],
    ['Link: <https://blog.example.com/wp-json/>; rel="https://api.w.org/"\r\n', "Wordpress", undefined],
    ["Server: gws\r\n", "HTTP", undefined],
    ["", "HTTP", undefined],
  ])("%j -> %s", (headers, app, server) => {
    const r = once(dpi, TCP, 40000, 80, GET, ok(headers));
    expect(name(r.code)).toBe(app);
    expect(r.server === undefined ? undefined : name(r.server)).toBe(server);
  });

  test("WordPress from the request path alone, without waiting for the response", () => {
    const r = once(dpi, TCP, 40000, 80, "POST /wp-login.php HTTP/1.1\r\nHost: blog.example.com\r\n\r\n");
    expect(name(r.code)).toBe("Wordpress");
    expect(r.path).toBe("/wp-login.php");
  });

  test("Consul from its API paths", () => {
    const req = "GET /v1/catalog/services HTTP/1.1\r\nHost: consul:8500\r\n\r\n";
    expect(name(once(dpi, TCP, 40000, 8500, req, ok("")).code)).toBe("Consul");
    expect(name(once(dpi, TCP, 40000, 8500, "GET /v1/sys/health HTTP/1.1\r\n\r\n", ok("")).code)).toBe("HTTP");
  });
});

describe("virtual host and X-Forwarded-For", () => {
  const host = (h: string) => once(dpi, TCP, 40000, 80, `GET / HTTP/1.1\r\n${h}\r\n\r\n`, ok("")).host;
  test.each([
    ["Host: www.example.com:8080", "www.example.com"],
    ["Host:example.org", "example.org"],
    ["host:   API.Example.COM  ", "API.Example.COM"],
    ["Host: [2001:db8::1]:8443", "[2001:db8::1]"],
    ["Host: 10.0.0.1", "10.0.0.1"],
    ["Host: bad host", undefined],
    ["Hostname: x", undefined],
    ["X-Host: x", undefined],
  ])("%j -> %s", (line, want) => {
    expect(host(line)).toBe(want);
  });

  const xff = (h: string) => {
    const r = once(dpi, TCP, 40000, 80, `GET / HTTP/1.1\r\nHost: h\r\n${h}\r\n\r\n`, ok(""));
    return r.xff === undefined ? undefined : `${r.xff}/${r.xffFamily}`;
  };
  test.each([
    ["X-Forwarded-For: 203.0.113.7", "203.0.113.7/4"],
    ["X-Forwarded-For: 203.0.113.7, 10.0.0.1, 10.0.0.2", "203.0.113.7/4"],
    ["x-forwarded-for:198.51.100.4,10.0.0.1", "198.51.100.4/4"],
    ["X-Forwarded-For:    2001:db8::1 , 10.0.0.1", "2001:db8::1/6"],
    ["X-Forwarded-For: [2001:db8::2]:443", "2001:db8::2/6"],
    ["X-Forwarded-For: 198.51.100.4:5678", "198.51.100.4/4"],
    ["X-Forwarded-For: ::ffff:192.0.2.1", "192.0.2.1/6"],
    ["X-Forwarded-For: 1::", "1::/6"],
    ["X-Forwarded-For: unknown, 10.0.0.1", undefined],
    ["X-Forwarded-For: 01.2.3.4", undefined],
    ["X-Forwarded-For: 256.1.1.1", undefined],
    ["X-Forwarded-For: 1:2:3:4:5:6:7:8:9", undefined],
    ["X-Forwarded-For: ", undefined],
    ["X-Forwarded-For: 192.0.2.9\r\nX-Forwarded-For: 192.0.2.10", "192.0.2.9/4"],
  ])("%j -> %s", (line, want) => {
    expect(xff(line)).toBe(want);
  });
});
