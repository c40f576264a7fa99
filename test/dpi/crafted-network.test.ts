/**
 * Crafted TLS, SSH, DNS, gRPC and the UDP services: recognition byte by byte, on other
 * protocols' ports, the SNI, and look-alikes (a TLS record with version 0x0305, `SSH-` inside
 * another stream, DNS with trailing bytes, HTTP/2 that is not gRPC).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { be16, be32, clientHello, dnsQuery, grow, h2Request, hpackIndexedName, hpackLiteral, once } from "./craft.js";
import { appId, bytes, cat, codeName, DPI_MORE, DPI_UNKNOWN, loadDpi, TCP, UDP, type Dpi } from "./harness.js";

let dpi: Dpi;
beforeAll(async () => {
  dpi = await loadDpi();
});

const name = (code: number) => codeName(code);

describe("TLS", () => {
  test("ClientHello byte by byte: DPI_MORE until the extensions are in, then SSL with the virtual host", () => {
    const hello = clientHello({ sni: "api.example.test" });
    const g = grow(dpi, TCP, 50000, 443, [[0, hello]]);
    expect(name(g.code)).toBe("SSL");
    expect(g.result.host).toBe("api.example.test");
    // SSL once the last extension is in (an ALPN entry after the SNI could still name TDS 8):
    // record 5, handshake 4, version 2, random 32, session id 1, suites 2 + 4, compression 2,
    // extensions 2, the SNI extension (type and length 4, list length 2, name type 1, name
    // length 2, the name), supported_groups (4 + 4).
    expect(g.at).toBe(5 + 4 + 2 + 32 + 1 + 6 + 2 + 2 + 4 + 2 + 1 + 2 + "api.example.test".length + 8);
    expect(g.at).toBe(hello.length);
  });

  test("a hello without SNI is SSL once complete; waiting is provisionally SSL", () => {
    const hello = clientHello();
    expect(name(once(dpi, TCP, 50000, 443, hello).code)).toBe("SSL");
    const r = once(dpi, TCP, 50000, 443, hello.subarray(0, hello.length - 1));
    expect(r.code).toBe(DPI_MORE);
    expect(r.provisional).toBe(appId("SSL"));
  });

  test("record versions SSL 3.0 to TLS 1.2, on any port", () => {
    for (const v of [0x0300, 0x0301, 0x0302, 0x0303]) {
      expect(name(once(dpi, TCP, 50000, 5432, clientHello({ recordVersion: v, sni: "db" })).code)).toBe("SSL");
    }
  });

  test("SSLv2 CLIENT-HELLO", () => {
    const body = [1, ...be16(0x0301), ...be16(3), ...be16(0), ...be16(16), 0x01, 0x00, 0x80, ...new Array<number>(16).fill(5)];
    expect(name(once(dpi, TCP, 50000, 443, Uint8Array.from([0x80 | (body.length >> 8), body.length & 255, ...body])).code)).toBe("SSL");
  });

  test.each([
    ["record version 0x0305", clientHello({ recordVersion: 0x0305 })],
    ["record version 0x0203", clientHello({ recordVersion: 0x0203 })],
    ["client_version 0x0305", clientHello({ helloVersion: 0x0305 })],
    ["a ServerHello from the client", Uint8Array.from(clientHello().map((b, i) => (i === 5 ? 2 : b)))],
    ["an alert first", Uint8Array.from([21, 3, 3, 0, 2, 2, 40])],
  ])("not SSL: %s", (_w, hello) => {
    expect(once(dpi, TCP, 50000, 443, hello, "HTTP/1.1 400 Bad Request\r\n\r\n").code).toBe(DPI_UNKNOWN);
  });
});

describe("SSH", () => {
  test("client banner byte by byte, on HTTPS's port: SSH at the line end", () => {
    const g = grow(dpi, TCP, 50000, 443, [[0, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"]]);
    expect(name(g.code)).toBe("SSH");
    expect(g.at).toBe("SSH-2.0-OpenSSH_9.2p1 Debian-2\r".length);
  });

  test("the server's banner alone (nc facing sshd), SSH-1.99", () => {
    expect(name(once(dpi, TCP, 50000, 22, "", "SSH-2.0-OpenSSH_9.2\r\n").code)).toBe("SSH");
    expect(name(once(dpi, TCP, 50000, 22, "SSH-1.99-legacy\n").code)).toBe("SSH");
  });

  test.each([
    ["SSH-3.0", "SSH-3.0-x\r\n"],
    ["no dot", "SSH-2-0-x\r\n"],
    ["a control byte", "SSH-2.0-x\x01y\r\n"],
    ["an overlong line", `SSH-2.0-${"x".repeat(300)}\r\n`],
    ["a lower-case prefix", "ssh-2.0-x\r\n"],
  ])("not SSH: %s", (_w, banner) => {
    expect(once(dpi, TCP, 50000, 22, banner).code).toBe(DPI_UNKNOWN);
  });

  test("a banner inside another stream is not SSH", () => {
    const post = "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 32\r\n\r\nSSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
    expect(name(once(dpi, TCP, 50000, 80, post, "HTTP/1.1 200 OK\r\nServer: nginx\r\n\r\n").code)).toBe("nginx");
    expect(name(once(dpi, TCP, 50000, 22, `xSSH-2.0-x\r\n`).code)).toBe("unknown");
  });
});

describe("DNS", () => {
  test("a query on any port, UDP and TCP (byte by byte)", () => {
    const q = dnsQuery("www.example.com");
    expect(name(once(dpi, UDP, 50000, 53, q).code)).toBe("DNS");
    expect(name(once(dpi, UDP, 50000, 5353, q).code)).toBe("DNS");
    const g = grow(dpi, TCP, 50000, 5353, [[0, cat(be16(q.length), q)]]);
    expect(name(g.code)).toBe("DNS");
    expect(g.at).toBe(q.length + 2);
  });

  test.each([
    ["trailing bytes", cat(dnsQuery("a.example"), [0])],
    ["a missing byte", dnsQuery("a.example").subarray(0, 20)],
    ["two questions in a standard query", Uint8Array.from(dnsQuery("a.example").map((b, i) => (i === 5 ? 2 : b)))],
    ["a label over 63 bytes", dnsQuery(`${"a".repeat(64)}.example`)],
    ["a forward compression pointer", Uint8Array.from([...be16(1), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 40, 0, 1, 0, 1])],
    ["class 9", Uint8Array.from(dnsQuery("a.example").map((b, i, a) => (i === a.length - 1 ? 9 : b)))],
  ])("not DNS: %s", (_w, q) => {
    expect(once(dpi, UDP, 50000, 53, q).code).toBe(DPI_UNKNOWN);
  });
});

describe("gRPC and etcd over HTTP/2", () => {
  const ct = hpackLiteral("content-type", "application/grpc");
  test("a literal content-type (gRPC C-core's encoding), byte by byte", () => {
    const req = h2Request([0x83, 0x86, ...hpackIndexedName(4, "/helloworld.Greeter/SayHello"), ...ct]);
    const g = grow(dpi, TCP, 50000, 50051, [[0, req]]);
    expect(name(g.code)).toBe("gRPC");
    expect(g.at).toBe(req.length);
  });

  test("etcd's service paths", () => {
    for (const path of ["/etcdserverpb.KV/Range", "/v3electionpb.Election/Campaign", "/v3lockpb.Lock/Lock"]) {
      expect(name(once(dpi, TCP, 50000, 2379, h2Request([0x83, ...hpackIndexedName(4, path), ...ct])).code)).toBe("etcd");
    }
    expect(name(once(dpi, TCP, 50000, 2379, h2Request([0x83, ...hpackLiteral(":path", "/etcdserverpb.KV/Put"), ...ct])).code)).toBe("etcd");
  });

  test("the server's SETTINGS may come first", () => {
    const settings = Uint8Array.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    expect(once(dpi, TCP, 50000, 50051, "", settings).code).toBe(DPI_MORE);
    expect(name(once(dpi, TCP, 50000, 50051, h2Request([0x83, ...ct]), settings).code)).toBe("gRPC");
  });

  test.each([
    ["content-type application/json", h2Request([0x83, ...hpackIndexedName(31, "application/json")])],
    ["no content-type", h2Request([0x82, 0x84])],
    ["garbage after the preface", cat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "hello there, not a frame")],
    ["a dynamic-table index in the first block", h2Request([0xbe, ...ct])],
  ])("not gRPC: %s", (_w, req) => {
    expect(once(dpi, TCP, 50000, 50051, req, Uint8Array.from([0, 0, 0, 4, 0, 0, 0, 0, 0])).code).toBe(DPI_UNKNOWN);
  });
});

describe("UDP services", () => {
  test("DHCP discover from 0.0.0.0:68, on its own", () => {
    const bootp = [1, 1, 6, 0, ...be32(0x3903f326), 0, 0, 0, 0, ...new Array<number>(16).fill(0), 0, 0x11, 0x22, 0x33, 0x44, 0x55, ...new Array<number>(10 + 192).fill(0)];
    const discover = Uint8Array.from([...bootp, ...be32(0x63825363), 53, 1, 1, 55, 2, 1, 3, 255]);
    expect(name(once(dpi, UDP, 68, 67, discover).code)).toBe("DHCP");
    expect(once(dpi, UDP, 68, 67, discover.subarray(0, 240)).code).toBe(DPI_UNKNOWN);
  });

  const ntp = (first: number, origin: number[], transmit: number[]) =>
    Uint8Array.from([first, 0, 6, 0xe9, ...new Array<number>(20).fill(0), ...origin, ...new Array<number>(8).fill(0), ...transmit]);
  const t = [1, 2, 3, 4, 5, 6, 7, 8];
  const z = new Array<number>(8).fill(0);
  test("NTP: the reply's originate timestamp is the request's transmit timestamp", () => {
    expect(name(once(dpi, UDP, 50000, 123, ntp(0x23, z, t), ntp(0x24, t, z)).code)).toBe("NTP");
    expect(once(dpi, UDP, 50000, 123, ntp(0x23, z, t), ntp(0x24, z, z)).code).toBe(DPI_UNKNOWN);
    const alone = once(dpi, UDP, 50000, 123, ntp(0x23, z, t));
    expect([alone.code, alone.provisional]).toEqual([DPI_MORE, appId("NTP")]);
    expect(once(dpi, UDP, 50000, 4000, ntp(0x23, z, t)).provisional).toBe(0);
  });

  test("TFTP: requests, a transfer's DATA/ACK, an ERROR", () => {
    expect(name(once(dpi, UDP, 50000, 69, cat([0, 1], "boot.cfg\0octet\0blksize\x001428\0")).code)).toBe("TFTP");
    expect(once(dpi, UDP, 50000, 69, cat([0, 1], "boot.cfg\0binary\0")).code).toBe(DPI_UNKNOWN);
    expect(name(once(dpi, UDP, 40000, 50000, cat([0, 3, 0, 1], "hello"), Uint8Array.from([0, 4, 0, 1])).code)).toBe("TFTP");
    expect(once(dpi, UDP, 40000, 50000, cat([0, 3, 0, 1], "hello"), Uint8Array.from([0, 4, 0, 2])).code).toBe(DPI_UNKNOWN);
    expect(name(once(dpi, UDP, 40000, 50000, cat([0, 5, 0, 1], "File not found\0")).code)).toBe("TFTP");
  });

  test("RADIUS: the length and the attribute chain fill the datagram", () => {
    const attrs = [1, 7, ...bytes("alice"), 4, 6, 127, 0, 0, 1];
    const req = (len: number) => Uint8Array.from([1, 9, ...be16(len), ...new Array<number>(16).fill(3), ...attrs]);
    expect(name(once(dpi, UDP, 50000, 1812, req(20 + attrs.length)).code)).toBe("Radius");
    expect(once(dpi, UDP, 50000, 1812, req(21 + attrs.length)).code).toBe(DPI_UNKNOWN);
  });

  test("syslog: RFC 3164 and 5424, octet counting over TCP", () => {
    expect(name(once(dpi, UDP, 50000, 514, "<34>Oct 11 22:14:15 mymachine su: 'su root' failed").code)).toBe("Syslog");
    expect(name(once(dpi, UDP, 50000, 514, "<165>1 2003-08-24T05:14:15.000003-07:00 host app - - - msg").code)).toBe("Syslog");
    expect(name(once(dpi, TCP, 50000, 6514, "93 <27>1 2026-11-23T11:29:40Z vm app - - - hi").code)).toBe("Syslog");
    for (const bad of ["<192>1 x", "<034>1 x", "<34>Foo 11 22:14:15 x", "<34>Oct 11 22-14-15 x"]) {
      expect(once(dpi, UDP, 50000, 514, bad).code, bad).toBe(DPI_UNKNOWN);
    }
  });

  test("ECHO on port 7 only when the server repeats the client", () => {
    expect(name(once(dpi, UDP, 50000, 7, "hello", "hello").code)).toBe("ECHO");
    expect(name(once(dpi, TCP, 7, 50000, "hello world", "hello").code)).toBe("ECHO");
    expect(once(dpi, UDP, 50000, 7, "hello").code).toBe(DPI_MORE);
    expect(once(dpi, UDP, 50000, 7, "hello", "world").code).toBe(DPI_UNKNOWN);
    expect(once(dpi, UDP, 50000, 9, "hello", "hello").code).toBe(DPI_UNKNOWN);
  });
});
