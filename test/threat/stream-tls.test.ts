/**
 * SSL/TLS detectors (asm/threat/tls.ts) on crafted records: the version the ServerHello
 * negotiates (TLS 1.2 and 1.3 handshakes are clean, TLS 1.0/1.1 and SSLv3 are not, whatever the
 * ClientHello's record version), heartbeats that overrun their record, SSLv2 hellos and the
 * cipher-spec overflow, records split across segments and several records per segment.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { APP, cat, feedSplit, loadStream, threats, type Stream } from "./harness.js";

let s: Stream;
beforeAll(async () => {
  s = await loadStream();
});

const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const u24 = (v: number) => [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
const record = (type: number, version: number, payload: number[] | Uint8Array) => cat([type, ...u16(version), ...u16(payload.length)], Uint8Array.from(payload));
const handshake = (type: number, body: number[]) => [type, ...u24(body.length), ...body];
const ext = (type: number, data: number[]) => [...u16(type), ...u16(data.length), ...data];

function clientHello(version = 0x0303): Uint8Array {
  const body = [...u16(version), ...new Array(32).fill(7), 0, ...u16(4), 0x13, 0x01, 0xc0, 0x2f, 1, 0, ...u16(9), ...ext(0, [0, 5, 0, 0, 2, 0x61, 0x62])];
  return record(22, 0x0301, handshake(1, body));
}

function serverHelloBody(version: number, exts: number[][] = [], sid = 32): number[] {
  const e = exts.flat();
  return [...u16(version), ...new Array(32).fill(9), sid, ...new Array(sid).fill(3), 0x13, 0x01, 0, ...(exts.length ? [...u16(e.length), ...e] : [])];
}
const serverHello = (version: number, exts: number[][] = [], recordVersion = 0x0303) => record(22, recordVersion, handshake(2, serverHelloBody(version, exts)));
const certificateAndDone = () => record(22, 0x0303, [...handshake(11, [...u24(6), ...u24(3), 1, 2, 3]), ...handshake(14, [])]);
const ccs = (v = 0x0303) => record(20, v, [1]);
const appData = (n: number) => record(23, 0x0303, new Array(n).fill(0xaa));
const heartbeat = (type: number, declared: number, payload: number, padding: number, v = 0x0302) => record(24, v, [type, ...u16(declared), ...new Array(payload + padding).fill(0x41)]);

const tls = () => s.flow(APP.SSL);
function session(server: Uint8Array, client = clientHello()): string[] {
  const f = tls();
  return [...threats(f.data("c", client)), ...threats(f.data("s", server))];
}

describe("negotiated version", () => {
  test("TLS 1.2: a ClientHello in a 0x0301 record and a 0x0303 ServerHello", () => {
    expect(session(cat(serverHello(0x0303), certificateAndDone(), ccs(), appData(40)))).toEqual([]);
  });

  test("TLS 1.3: ServerHello 0x0303 with supported_versions 0x0304", () => {
    expect(session(cat(serverHello(0x0303, [ext(51, [0, 29, 0, 2, 1, 2]), ext(43, [3, 4])]), ccs(), appData(100)))).toEqual([]);
  });

  test("TLS 1.0, TLS 1.1 and SSLv3 ServerHellos", () => {
    const one = (v: number) => {
      const f = tls();
      f.data("c", clientHello(v));
      return f.data("s", cat(serverHello(v, [], v), certificateAndDone()));
    };
    const t10 = one(0x0301);
    expect(threats(t10)).toEqual(["tls-1.0"]);
    expect(t10[0]!.evidence).toBe("ServerHello negotiates TLS 1.0 (0x0301)");
    expect(threats(one(0x0302))).toEqual(["tls-1.1"]);
    expect(threats(one(0x0300))).toEqual(["ssl-v2-v3"]);
  });

  test("supported_versions decides over server_version", () => {
    expect(session(serverHello(0x0303, [ext(43, [3, 1])]))).toEqual(["tls-1.0"]);
    expect(session(serverHello(0x0301, [ext(43, [3, 4])]))).toEqual([]);
  });

  test("a ServerHello with an empty session id and no extensions", () => {
    expect(session(record(22, 0x0301, handshake(2, serverHelloBody(0x0301, [], 0))))).toEqual(["tls-1.0"]);
  });

  test("split at every byte, and fragmented over two records, the same", () => {
    const hs = handshake(2, serverHelloBody(0x0302, [ext(0xff01, [0]), ext(11, [1, 0])]));
    const stream = cat(record(22, 0x0302, hs.slice(0, 30)), record(22, 0x0302, [...hs.slice(30), ...handshake(14, [])]), ccs(0x0302), appData(30));
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = tls();
      f.data("c", clientHello(0x0302));
      expect(threats(feedSplit(f, "s", stream, [cut])), `cut ${cut}`).toEqual(["tls-1.1"]);
    }
  });

  test("only the first handshake message, and only the server's, is read", () => {
    // A client sending a ServerHello-shaped message is not a negotiation.
    const f = tls();
    expect(f.data("c", serverHello(0x0301))).toEqual([]);
    // A server whose first message is not a ServerHello.
    expect(session(cat(certificateAndDone(), serverHello(0x0301)))).toEqual([]);
  });
});

describe("heartbleed", () => {
  test("a request declaring more than its record holds", () => {
    const f = tls();
    f.data("c", clientHello());
    f.data("s", serverHello(0x0302));
    const hb = f.data("c", heartbeat(1, 16384, 0, 0));
    expect(threats(hb)).toEqual(["ssl-heartbleed"]);
    expect(hb[0]!.evidence).toBe("heartbeat payload length 16384 in a record of 3");
  });

  test("the classic bound: payload + 3 + 16 bytes of padding", () => {
    expect(threats(tls().data("c", heartbeat(1, 16, 16, 16)))).toEqual([]);
    expect(threats(tls().data("c", heartbeat(1, 17, 16, 16)))).toEqual(["ssl-heartbleed"]);
  });

  test("from a malicious server too; responses are not requests", () => {
    expect(threats(tls().data("s", heartbeat(1, 65535, 0, 16)))).toEqual(["ssl-heartbleed"]);
    expect(threats(tls().data("s", heartbeat(2, 65535, 0, 16)))).toEqual([]);
  });

  test("split at every byte, among other records", () => {
    const stream = cat(clientHello(), heartbeat(1, 4000, 1, 16), appData(5));
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(threats(feedSplit(tls(), "c", stream, [cut, cut + 2])), `cut ${cut}`).toEqual(["ssl-heartbleed"]);
    }
  });

  test("after ChangeCipherSpec heartbeats are encrypted and not read", () => {
    expect(threats(tls().data("c", cat(ccs(), heartbeat(1, 16384, 0, 0))))).toEqual([]);
  });
});

describe("SSLv2", () => {
  function v2Hello(version: number, ciphers: number, sid: number, challenge: number, cipherField = ciphers): Uint8Array {
    const body = [1, ...u16(version), ...u16(cipherField), ...u16(sid), ...u16(challenge), ...new Array(ciphers + sid + challenge).fill(5)];
    return Uint8Array.from([0x80 | (body.length >> 8), body.length & 0xff, ...body]);
  }

  test("an SSLv2 CLIENT-HELLO", () => {
    const f = tls().data("c", v2Hello(0x0002, 9, 0, 16));
    expect(threats(f)).toEqual(["ssl-v2-v3"]);
    expect(f[0]!.evidence).toBe("SSLv2 CLIENT-HELLO");
  });

  test("a cipher-spec length that overruns the record", () => {
    const f = tls().data("c", v2Hello(0x0002, 9, 0, 16, 300));
    expect(threats(f)).toEqual(["ssl-v2-v3", "ssl-cipher-overflow"]);
    expect(f[1]!.evidence).toBe("SSLv2 cipher-spec length 300 in a record of 34");
    // Session id and challenge lengths that alone overrun the record (NeuVector's 16-bit arithmetic misses this).
    expect(threats(tls().data("c", v2Hello(0x0002, 3, 0, 16).map((b, i) => (i === 7 ? 0x70 : b))))).toEqual(["ssl-v2-v3", "ssl-cipher-overflow"]);
  });

  test("a v2-format hello answered in TLS 1.0, split at every byte", () => {
    const hello = v2Hello(0x0301, 30, 0, 32);
    for (let cut = 0; cut <= hello.length; cut++) {
      const f = tls();
      const c = feedSplit(f, "c", hello, [cut]);
      const sv = f.data("s", serverHello(0x0301, [], 0x0301));
      expect([...threats(c), ...threats(sv)], `cut ${cut}`).toEqual(["ssl-v2-v3", "tls-1.0"]);
    }
    // The client goes on in TLS records after its v2-format hello.
    const f = tls();
    f.data("c", hello);
    expect(threats(f.data("c", heartbeat(1, 9999, 0, 0)))).toEqual(["ssl-heartbleed"]);
  });

  test("an SSLv2 SERVER-HELLO", () => {
    const sv = Uint8Array.from([0x80, 20, 4, 0, 1, 0, 2, 0, 3, 0, 3, 0, 16, ...new Array(7).fill(0)]);
    expect(threats(tls().data("s", sv))).toEqual(["ssl-v2-v3"]);
  });
});

describe("what the parser leaves alone", () => {
  test("bytes that are not SSL 3.x records", () => {
    const f = tls();
    expect(f.data("c", "GET / HTTP/1.1\r\n\r\n")).toEqual([]);
    expect(f.data("c", heartbeat(1, 16384, 0, 0))).toEqual([]);
    expect(threats(tls().data("s", cat(record(22, 0x0203, [1]), heartbeat(1, 16384, 0, 0))))).toEqual([]);
  });
});
