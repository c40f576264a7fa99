/**
 * Flows as captures from the wild give them, through the whole packet path (asm/flow/dpi-stage.ts,
 * asm/dpi/midstream.ts, docs/protocols.md "Mid-stream and one-sided flows"): joined mid-stream,
 * server first, one side only; the flow-end record's confidence, or why nothing was named.
 */
import { describe, expect, test } from "vitest";
import type { PacketEvent, PacketInput } from "../../runtime/packets.js";
import { ACK, PSH, SYN, bytesOf, input, ipv4, tcp, udp } from "./craft.js";
import { engineFor } from "./engine.js";
import { amqp10Frame, cqlEnvelope, cqlSegment } from "../dpi/craft-variants.js";

const ALLOW = "policy p\nrule 10 allow any -> any\n";
const C = "10.0.0.1";
const S = "10.0.0.2";

/** Mid-stream TCP: each [dir, bytes] as one segment with ACK|PSH, sequence numbers continuing, no SYN. */
function midTcp(parts: [0 | 1, Uint8Array | string][], syn = false): PacketInput[] {
  const seq = [5000, 90000];
  const out: PacketInput[] = [];
  let t = 0;
  if (syn) {
    out.push(input(ipv4(C, S, 6, tcp(40000, 9999, SYN, "", { seq: seq[0]! - 1 })), t++));
    out.push(input(ipv4(S, C, 6, tcp(9999, 40000, SYN | ACK, "", { seq: seq[1]! - 1, ack: seq[0] })), t++));
  }
  for (const [d, data] of parts) {
    const b = bytesOf(data);
    const pkt = d === 0 ? ipv4(C, S, 6, tcp(40000, 9999, ACK | PSH, b, { seq: seq[0] })) : ipv4(S, C, 6, tcp(9999, 40000, ACK | PSH, b, { seq: seq[1] }));
    seq[d] = seq[d]! + b.length;
    out.push(input(pkt, t++));
  }
  return out;
}

function end(packets: PacketInput[]): PacketEvent {
  const e = engineFor(ALLOW);
  e.process(packets);
  e.flush();
  const ends = e.drainEvents().filter((x) => x.type === "flow-end");
  expect(ends).toHaveLength(1);
  return ends[0]!;
}

const tlsRecord = (type: number, n: number, fill = 0x5a) => Uint8Array.from([type, 3, 3, n >> 8, n & 0xff, ...new Array<number>(n).fill(fill)]);
/** An AMQP 0-9-1 frame: type, channel 1, payload, frame end 0xCE. */
const amqpFrame = (type: number, payload: number[]) => Uint8Array.from([type, 0, 1, 0, 0, payload.length >> 8, payload.length & 0xff, ...payload, 0xce]);
/** A TDS packet: type, status end-of-message, length, SPID, packet id, window 0, body. */
const tdsPacket = (type: number, body: number[]) => Uint8Array.from([type, 1, (body.length + 8) >> 8, (body.length + 8) & 0xff, 0, 0x34, 1, 0, ...body]);
const utf16 = (s: string) => [...s].flatMap((c) => [c.charCodeAt(0), 0]);

describe("joined mid-stream: steady-state framing", () => {
  test("TLS application data both ways, no ClientHello: SSL by the record layer, likely, no virtual host", () => {
    const f = end(midTcp([[1, tlsRecord(23, 120)], [0, Uint8Array.from([...tlsRecord(23, 40), ...tlsRecord(21, 2)])]]));
    expect([f.app, f.confidence]).toEqual(["SSL", "likely"]);
  });

  test("AMQP 0-9-1 method, header and body frames without the protocol header: RabbitMQ", () => {
    // Basic.Publish (class 60, method 40), then the content header and body.
    const publish = amqpFrame(1, [0, 60, 0, 40, 0, 0, 0, 5, ...bytesOf("queue"), 0]);
    const header = amqpFrame(2, [0, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0]);
    const body = amqpFrame(3, [...bytesOf("hello")]);
    const f = end(midTcp([[0, Uint8Array.from([...publish, ...header, ...body])]]));
    expect([f.app, f.confidence]).toEqual(["RabbitMQ", "likely"]);
  });

  test("a TDS SQL batch without PRELOGIN, and its tabular result: TDS", () => {
    const batch = tdsPacket(1, [22, 0, 0, 0, 18, 0, 0, 0, 2, 0, ...new Array<number>(10).fill(0), ...utf16("select 1")]);
    const result = tdsPacket(4, [0x81, 1, 0, 0, 0, 0, 0, 0x20, 0, 0x38, 0, 0xd1, 1, 0, 0, 0, 0xfd, 0x10, 0, 0xc1, 0, 1, 0, 0, 0]);
    const f = end(midTcp([[0, batch], [1, result]]));
    expect([f.app, f.confidence]).toEqual(["TDS", "likely"]);
  });

  test("the same TLS records after a SYN are not SSL: a client always opens with a ClientHello", () => {
    const f = end(midTcp([[0, tlsRecord(23, 40)], [1, tlsRecord(23, 120)]], true));
    expect(f.app).toBe("unknown");
    // Every parser had ruled the client's record out before the server answered.
    expect(f.unidentified?.reason).toBe("one-sided");
  });

  test.each([
    ["a capture starting inside a TLS record", [[1, Uint8Array.from([0x9a, 0x11, ...tlsRecord(23, 30)])], [0, tlsRecord(23, 40)]]],
    ["a record with version 3.9", [[1, Uint8Array.from([23, 3, 9, 0, 4, 1, 2, 3, 4])], [0, tlsRecord(23, 4)]]],
    ["a frame end that is not 0xCE", [[0, Uint8Array.from([...amqpFrame(3, [1, 2, 3]).subarray(0, 10), 0xcf])]]],
    ["a TDS packet with a window byte", [[0, Uint8Array.from([1, 1, 0, 10, 0, 0, 1, 7, 0, 0])]]],
    ["binary noise", [[0, Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)], [1, Uint8Array.from({ length: 64 }, (_, i) => (i * 91 + 3) & 0xff)]]],
  ] as [string, [0 | 1, Uint8Array][]][])("not named: %s", (_w, parts) => {
    const f = end(midTcp(parts));
    expect(f.app).toBe("unknown");
  });
});

describe("Cassandra native protocol v5: checksummed segments after STARTUP", () => {
  // A QUERY envelope (opcode 7) and its RESULT (opcode 8), each in a self-contained segment.
  const query = cqlEnvelope(false, 3, 7, [0, 0, 0, 8, ...bytesOf("SELECT 1"), 0, 1, 0]);
  const result = cqlEnvelope(true, 3, 8, [0, 0, 0, 1]);
  const options = cqlEnvelope(false, 0, 5, []);
  const supported = cqlEnvelope(true, 0, 6, [0, 0]);

  test("a whole v5 session (OPTIONS, SUPPORTED, then segments): certain from the opening", () => {
    const f = end(midTcp([[0, options], [1, supported], [0, cqlSegment(query)], [1, cqlSegment(result)]], true));
    expect([f.app, f.confidence]).toEqual(["Cassandra", "certain"]);
  });

  test.each([
    ["uncompressed segments both ways", [[0, cqlSegment(query)], [1, cqlSegment(result)]]],
    ["two segments back to back, the first not self-contained", [[0, Uint8Array.from([...cqlSegment(query.subarray(0, 9), { selfContained: false }), ...cqlSegment(query.subarray(9), { selfContained: false })])]]],
    ["LZ4 segments (compressed and uncompressed lengths in a 5-byte header)", [[0, cqlSegment(Uint8Array.from([0xf0, 1, 2, 3, 4]), { uncompressed: 40 })], [1, cqlSegment(Uint8Array.from([0x90, 9]), { uncompressed: 13 })]]],
  ] as [string, [0 | 1, Uint8Array][]][])("joined mid-stream, %s: Cassandra, likely", (_w, parts) => {
    const f = end(midTcp(parts));
    expect([f.app, f.confidence]).toEqual(["Cassandra", "likely"]);
  });

  test.each([
    ["a header whose CRC24 is off by one bit", (() => { const s = cqlSegment(query); s[3]! ^= 1; return s; })()],
    ["a payload whose CRC32 fails", cqlSegment(query, { badCrc32: true })],
    ["a capture starting inside a segment", cqlSegment(query).subarray(2)],
  ])("not named: %s", (_w, seg) => {
    expect(end(midTcp([[0, seg], [1, cqlSegment(result)]])).app).toBe("unknown");
  });
});

describe("AMQP 1.0 frames without the protocol header", () => {
  // transfer (0x14) with a payload, disposition (0x15) back; flow (0x13) with a ulong descriptor.
  const transfer = Uint8Array.from([...amqp10Frame(0, 0x14, [0x45]), 0x00, 0x53, 0x75, 0xa0, 2, 0x68, 0x69].map((b, i) => (i === 3 ? b + 7 : b)));
  const disposition = amqp10Frame(0, 0x15);
  const flowUlong = Uint8Array.from([0, 0, 0, 20, 2, 0, 0, 0, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x13, 0xc0, 0]);
  const heartbeat = Uint8Array.from([0, 0, 0, 8, 2, 0, 0, 0]);

  test("transfer and disposition frames, a ulong descriptor, heartbeats: RabbitMQ (the AMQP application), likely", () => {
    const f = end(midTcp([[0, Uint8Array.from([...transfer, ...flowUlong])], [1, Uint8Array.from([...disposition, ...heartbeat])]]));
    expect([f.app, f.confidence]).toEqual(["RabbitMQ", "likely"]);
  });

  test.each([
    ["a performative code outside open..close", amqp10Frame(0, 0x30)],
    ["an AMQP performative in a SASL frame", amqp10Frame(1, 0x10)],
    ["a data offset past the frame", Uint8Array.from([0, 0, 0, 8, 3, 0, 0, 0])],
    ["a ulong descriptor with a domain", Uint8Array.from([0, 0, 0, 20, 2, 0, 0, 0, 0x00, 0x80, 0, 0, 0x01, 0x37, 0, 0, 0, 0x13, 0xc0, 0])],
  ])("not named: %s", (_w, frame) => {
    expect(end(midTcp([[0, frame], [1, disposition]])).app).toBe("unknown");
  });
});

describe("the server's bytes first", () => {
  test("Redis joined at a reply: the sides swapped name it, likely", () => {
    const f = end(midTcp([[1, "+OK\r\n"], [0, "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nthere\r\n"], [1, "+OK\r\n"]]));
    // The first sender is taken as the client: the record's src is the Redis server.
    expect([f.src.port, f.app, f.confidence]).toEqual([9999, "Redis", "likely"]);
  });

  test("an NTP reply before its request (misordered): NTP", () => {
    const req = Uint8Array.from([0xe3, 0, 6, 0xec, ...new Array<number>(36).fill(0), 1, 2, 3, 4, 5, 6, 7, 8]);
    const reply = Uint8Array.from([0x24, 1, 6, 0xe9, ...new Array<number>(20).fill(0), 1, 2, 3, 4, 5, 6, 7, 8, ...new Array<number>(16).fill(9)]);
    const f = end([input(ipv4(S, C, 17, udp(123, 123, reply)), 0), input(ipv4(C, S, 17, udp(123, 123, req)), 1)]);
    expect([f.app, f.confidence]).toEqual(["NTP", "likely"]);
  });
});

describe("confidence and why not", () => {
  test("a DNS exchange as opened: certain", () => {
    const q = Uint8Array.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]);
    const f = end([input(ipv4(C, S, 17, udp(40000, 53, q)), 0)]);
    expect([f.app, f.confidence, f.unidentified]).toEqual(["DNS", "certain", undefined]);
  });

  test("SIP after a NAT keep-alive of four NULs: the REGISTER decides", () => {
    const f = end([
      input(ipv4(C, S, 17, udp(31000, 5060, new Uint8Array(4))), 0),
      input(ipv4(C, S, 17, udp(31000, 5060, "REGISTER sip:1.1.1.1:5060 SIP/2.0\r\nExpires: 3600\r\n\r\n")), 1),
    ]);
    expect(f.app).toBe("SIP");
  });

  test("no payload, one side only, gave up: each says why, with the bytes looked at", () => {
    const syn = end([input(ipv4(C, S, 6, tcp(40000, 80, SYN)), 0)]);
    expect([syn.app, syn.unidentified]).toEqual([undefined, { reason: "no-payload", bytes: 0 }]);
    const oneSided = end([input(ipv4(C, S, 17, udp(40000, 7777, "hello?")), 0)]);
    expect([oneSided.app, oneSided.unidentified]).toEqual(["unknown", { reason: "one-sided", bytes: 6 }]);
    // A request line that never ends: undecided after 8 payload packets.
    const slow = end(midTcp(Array.from({ length: 8 }, (_, i): [0, string] => [0, i === 0 ? "GET /aaaa" : "aaaa"]), true));
    expect([slow.app, slow.unidentified]).toEqual(["unknown", { reason: "gave-up", bytes: 9 + 7 * 4 }]);
  });
});
