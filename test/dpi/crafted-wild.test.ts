/**
 * Crafted variants that traffic from the wild carries and the Debian/npm fixtures did not (issue
 * 14), each from its specification: NTP control (mode 6, RFC 9327) and private (mode 7, ntpdc's
 * monlist) messages and a lone server reply; MySQL's pre-handshake ERR; mDNS queries with several
 * questions and the top class bit, NetBIOS name service (not DNS), a TCP DNS message longer than
 * the prefix; HTTP/0.9 simple requests. Each one byte by byte (`grow`), and its look-alikes.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { be16, dnsQuery, grow, once } from "./craft.js";
import { appId, bytes, codeName, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN, loadDpi, TCP, UDP, type Dpi } from "./harness.js";

let dpi: Dpi;
beforeAll(async () => {
  dpi = await loadDpi();
});

const name = (code: number) => codeName(code);

/** ntpq's READSTAT request (mode 6, version 2, opcode 1, sequence `seq`) and the reply. */
const readstat = (seq: number) => Uint8Array.from([0x16, 0x01, ...be16(seq), 0, 0, 0, 0, 0, 0, 0, 0]);
const readstatReply = (seq: number) => Uint8Array.from([0x16, 0x81, ...be16(seq), 0x06, 0x15, 0, 0, 0, 0, 0, 4, 0xc1, 0x2a, 0x96, 0x14]);
/** ntpdc's MON_GETLIST_1 (monlist: mode 7, version 2, implementation 3, request 42), 48 bytes as scanners send it. */
const monlist = Uint8Array.from([0x17, 0x00, 0x03, 0x2a, ...new Array<number>(44).fill(0)]);
const monlistReply = Uint8Array.from([0x97, 0x00, 0x03, 0x2a, 0x00, 0x01, 0x00, 0x48, ...new Array<number>(72).fill(1)]);
/** An NTPv4 server reply (mode 4, stratum 2). */
const serverReply = Uint8Array.from([0x24, 0x02, 0x08, 0xec, ...new Array<number>(44).fill(7)]);

describe("NTP control, private and lone replies", () => {
  // UDP: each side is one whole datagram (no byte-by-byte growth).
  test("mode 6 READSTAT answered with the response bit, same opcode and sequence: NTP on any port", () => {
    expect(name(once(dpi, UDP, 40769, 9123, readstat(7), readstatReply(7)).code)).toBe("NTP");
  });

  test("mode 7 monlist answered by the server: NTP", () => {
    expect(name(once(dpi, UDP, 43046, 123, monlist, monlistReply).code)).toBe("NTP");
  });

  test("unanswered control and private requests are provisional NTP on port 123 only", () => {
    for (const req of [readstat(1), monlist]) {
      const on123 = once(dpi, UDP, 40000, 123, req);
      expect([on123.code, on123.provisional]).toEqual([DPI_MORE, appId("NTP")]);
      const elsewhere = once(dpi, UDP, 40000, 9123, req);
      expect(elsewhere.provisional).toBe(0);
    }
  });

  test("a lone server reply (the request went another way) is provisional NTP on port 123", () => {
    const r = once(dpi, UDP, 123, 40000, new Uint8Array(0), serverReply);
    expect([r.code, r.provisional]).toEqual([DPI_MORE, appId("NTP")]);
    expect(once(dpi, UDP, 5000, 40000, new Uint8Array(0), serverReply).provisional).toBe(0);
  });

  test.each([
    ["a mode 6 reply to another opcode", readstat(7), Uint8Array.from([0x16, 0x82, ...be16(7), 0, 0, 0, 0, 0, 0, 0, 0])],
    ["a mode 6 reply with another sequence", readstat(7), readstatReply(8)],
    ["a mode 6 request whose count runs past the datagram", Uint8Array.from([0x16, 0x01, 0, 1, 0, 0, 0, 0, 0, 0, 0, 40]), readstatReply(1)],
    ["a mode 6 request with the response bit", readstatReply(3), readstatReply(3)],
    ["a mode 7 request to implementation 9", Uint8Array.from([0x17, 0x00, 0x09, 0x2a, ...new Array<number>(44).fill(0)]), monlistReply],
    ["a mode 7 reply to another request code", monlist, Uint8Array.from([0x97, 0x00, 0x03, 0x2b, 0, 0, 0, 0])],
    ["a lone reply from stratum 200", new Uint8Array(0), Uint8Array.from([0x24, 200, ...new Array<number>(46).fill(0)])],
  ])("not NTP: %s", (_w, cli, srv) => {
    expect(once(dpi, UDP, 40000, 9123, cli, srv).code).toBe(DPI_UNKNOWN);
  });
});

/** A MySQL ERR packet (sequence 0) with `code` and `message`. */
function mysqlErr(code: number, message: string): Uint8Array {
  const payload = [0xff, code & 0xff, code >> 8, ...bytes(message)];
  return Uint8Array.from([payload.length & 0xff, payload.length >> 8, 0, 0, ...payload]);
}

describe("MySQL refusing before the handshake", () => {
  test("ER_HOST_NOT_PRIVILEGED (1130) as the server's first packet: MySQL once the packet is whole", () => {
    const err = mysqlErr(1130, "Host '10.1.2.3' is not allowed to connect to this MySQL server");
    const g = grow(dpi, TCP, 55834, 3306, [[1, err]]);
    expect(name(g.code)).toBe("MySQL");
    expect(g.at).toBe(err.length);
  });

  test("Too many connections (1040) and MariaDB's blocked host (1129), on another port", () => {
    expect(name(once(dpi, TCP, 50000, 13306, "", mysqlErr(1040, "Too many connections")).code)).toBe("MySQL");
    expect(name(once(dpi, TCP, 50000, 13306, "", mysqlErr(1129, "Host 'x' is blocked because of many connection errors")).code)).toBe("MySQL");
  });

  test.each([
    ["an error code outside the server's ranges", mysqlErr(77, "Host 'x' is not allowed")],
    ["a protocol-41 SQL state marker (no session yet to have one)", mysqlErr(1045, "#28000Access denied")],
    ["a message with a control byte", mysqlErr(1130, "Host\x01'x'")],
    ["trailing bytes after the packet", Uint8Array.from([...mysqlErr(1130, "Host 'x' is not allowed"), 1, 2, 3])],
    ["sequence 1", Uint8Array.from(mysqlErr(1130, "Host 'x' is not allowed").map((b, i) => (i === 3 ? 1 : b)))],
  ])("not MySQL: %s", (_w, srv) => {
    expect(name(once(dpi, TCP, 50000, 3306, "", srv).code)).not.toBe("MySQL");
  });
});

describe("DNS from the wild", () => {
  /** An mDNS query with PTR questions for `names`, the unicast-response bit on the last. */
  function mdnsQuery(names: string[]): Uint8Array {
    const qs = names.flatMap((n, i) => [...n.split(".").flatMap((l) => [l.length, ...bytes(l)]), 0, ...be16(12), ...be16(i === names.length - 1 ? 0x8001 : 1)]);
    return Uint8Array.from([0, 0, 0, 0, ...be16(names.length), 0, 0, 0, 0, 0, 0, ...qs]);
  }

  test("an mDNS query with two questions and the QU bit (RFC 6762 §5.3, §5.4): DNS", () => {
    expect(name(once(dpi, UDP, 5353, 5353, mdnsQuery(["_ipp._tcp.local", "_ipps._tcp.local"])).code)).toBe("DNS");
  });

  test("NetBIOS name service shares the format but not the names: a NetBIOS-encoded name is not DNS", () => {
    const nb = "FHEPFCELEHFCEPFFFACACACACACACAAA";
    const nbns = Uint8Array.from([0x80, 0x01, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 32, ...bytes(nb), 0, 0, 0x20, 0, 1]);
    expect(once(dpi, UDP, 137, 137, nbns).code).toBe(DPI_UNKNOWN);
    // The same layout with an ordinary 32-letter label (not only A-P) stays DNS.
    const dns = Uint8Array.from([0x80, 0x01, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 32, ...bytes("averyveryverylonglabelnamezzzzzz"), 0, 0, 1, 0, 1]);
    expect(name(once(dpi, UDP, 40000, 53, dns).code)).toBe("DNS");
  });

  test("a TCP message longer than the prefix (a TKEY exchange): DNS once the cap is reached with header and question whole", () => {
    const q = dnsQuery("1068-ms-7.example.test");
    // One question, one additional record whose data runs far past the 2 KiB prefix.
    const rr = [0, ...be16(249), ...be16(255), 0, 0, 0, 0, ...be16(3000)];
    const msg = Uint8Array.from([...q.subarray(0, 10), ...be16(1), ...q.subarray(12), ...rr, ...new Array<number>(3000).fill(0x41)]);
    const framed = Uint8Array.from([...be16(msg.length), ...msg]);
    const g = grow(dpi, TCP, 50138, 53, [[0, framed]]);
    expect(name(g.code)).toBe("DNS");
    expect(g.at).toBe(DPI_PREFIX_CAP);
    // Cut inside the question: nothing to decide on.
    const bad = Uint8Array.from([...be16(4000), 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, ...new Array<number>(2100).fill(0x61)]);
    expect(once(dpi, TCP, 50000, 53, bad.subarray(0, DPI_PREFIX_CAP)).code).toBe(DPI_UNKNOWN);
  });
});

describe("HTTP/0.9", () => {
  test("`GET /` CRLF answered by the document itself: HTTP, with the path", () => {
    const g = grow(dpi, TCP, 50343, 80, [[0, "GET /\r\n\r\n"], [1, "<!DOCTYPE HTML PUBLIC"]]);
    expect(name(g.code)).toBe("HTTP");
    expect(g.result.path).toBe("/");
    const r = once(dpi, TCP, 50343, 80, "GET /index.html\n");
    expect([r.code, r.provisional]).toEqual([DPI_MORE, appId("HTTP")]);
  });

  test.each([
    ["a method other than GET", "POST /\r\n", "x"],
    ["a target that is not a path (Redis's inline GET)", "GET mykey\r\n", "$-1\r\n"],
    ["lower case (memcached's get)", "get /x\r\n", "END\r\n"],
    ["a tab before the line end", "GET /\t\r\n", "x"],
  ])("not HTTP/0.9: %s", (_w, cli, srv) => {
    expect(once(dpi, TCP, 50000, 80, cli, srv).code === appId("HTTP")).toBe(false);
  });
});

describe("syslog as network gear sends it", () => {
  test.each([
    ["Cisco IOS: sequence number, `*` unsynchronised clock, milliseconds, mnemonic", "<189>123: *Mar  1 00:00:01.123: %SYS-5-CONFIG_I: Configured from console by vty0\n"],
    ["Cisco IOS with `.` (clock once synchronised)", "<187>45: .Jun 12 10:11:12: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down"],
    ["Cisco ASA: the mnemonic right after PRI", "<166>%ASA-6-302013: Built outbound TCP connection 1 for outside:1.2.3.4/443"],
    ["a timestamp with milliseconds and no sequence", "<30>Oct  9 22:33:20.123: dhcpd[12]: DHCPACK"],
    ["BSD without timestamp: hostname and program[pid]", "<13>router1 sshd[7781]: Accepted publickey for admin"],
    ["a program tag alone", "<14>kernel: eth0: link up"],
    ["key=value body (FortiGate)", "<189>date=2024-01-05 time=10:01:02 devname=fw1 type=traffic"],
    ["RFC 5424 with structured data", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"] An application event"],
  ])("%s: Syslog over UDP, and octet-counted over TCP", (_w, msg) => {
    expect(name(once(dpi, UDP, 514, 514, msg).code)).toBe("Syslog");
    expect(name(grow(dpi, TCP, 40000, 6514, [[0, `${msg.length} ${msg}`]]).code)).toBe("Syslog");
  });

  test.each([
    ["free text without PRI (zeek's syslog-missing-pri)", "This is not really a syslog message #173538"],
    ["PRI then a space", "<13> hello"],
    ["PRI then an over-long token", `<13>${"a".repeat(60)}: x`],
    ["a mnemonic without severity", "<166>%ASA-x-302013: Built"],
    ["two tokens, the second not a tag", "<13>router1 sshd hello"],
    ["HTML", "<b>bold</b>"],
  ])("not Syslog: %s", (_w, msg) => {
    expect(name(once(dpi, UDP, 40000, 514, msg).code)).not.toBe("Syslog");
  });
});

describe("methods with `_` and `-`", () => {
  test.each([
    ["GET_PARAMETER rtsp://cam/live RTSP/1.0\r\n", "RTSP"],
    ["SET_PARAMETER rtsp://cam/live RTSP/1.0\r\n", "RTSP"],
    ["VERSION-CONTROL /repo/file HTTP/1.1\r\nHost: dav\r\n\r\n", "HTTP"],
    ["BASELINE-CONTROL /repo HTTP/1.1\r\nHost: dav\r\n\r\n", "HTTP"],
  ])("%s", (line, app) => {
    const srv = app === "RTSP" ? "" : "HTTP/1.1 200 OK\r\n\r\n";
    expect(name(once(dpi, TCP, 40000, 8554, line, srv).code)).toBe(app);
  });

  test("a method may not start with `_` or `-`", () => {
    expect(once(dpi, TCP, 40000, 80, "_GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n").code === appId("HTTP")).toBe(false);
    expect(once(dpi, TCP, 40000, 80, "-GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n").code === appId("HTTP")).toBe(false);
  });
});

describe("databases as other clients send them", () => {
  test("PostgreSQL GSSENCRequest (80877104) answered `G` (GSS encryption accepted) or `N`", () => {
    const gss = Uint8Array.from([...be16(0), ...be16(8), ...be16(0x04d2), ...be16(0x1630)]);
    expect(name(once(dpi, TCP, 40000, 5432, gss, "G").code)).toBe("PostgreSQL");
    expect(name(once(dpi, TCP, 40000, 5432, gss, "N").code)).toBe("PostgreSQL");
    expect(name(once(dpi, TCP, 40000, 5432, gss, "X").code)).not.toBe("PostgreSQL");
  });

  test("TNS CONNECT from a little-endian client: the value of 1 in hardware reads 0x0100", () => {
    const data = bytes("(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521)))");
    const connect = (one: number) => {
      const hdr = [...be16(318), ...be16(300), 0, 0, ...be16(8192), ...be16(32767), ...be16(0x4f98), 0, 0, ...be16(one), ...be16(data.length), ...be16(58), 0, 0, 0, 0, 0x41, 0x41];
      const body = [...hdr, ...new Array<number>(58 - 8 - hdr.length).fill(0), ...data];
      return Uint8Array.from([...be16(8 + body.length), 0, 0, 1, 0, 0, 0, ...body]);
    };
    const accept = Uint8Array.from([0, 32, 0, 0, 2, 0, 0, 0]);
    expect(name(once(dpi, TCP, 40000, 1521, connect(0x0100), accept).code)).toBe("TNS");
    expect(name(once(dpi, TCP, 40000, 1521, connect(0x0001), accept).code)).toBe("TNS");
    expect(name(once(dpi, TCP, 40000, 1521, connect(0x0002), accept).code)).not.toBe("TNS");
  });
});
