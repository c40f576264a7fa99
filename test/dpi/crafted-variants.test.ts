/**
 * Protocol variants real implementations send (issue 14, item 2), each crafted from its
 * specification (test/dpi/craft-variants.ts), delivered byte by byte where the answer depends on
 * arrival (`grow`), with look-alikes that must stay unidentified: Kafka request versions 0-12 and
 * every header version, Cassandra's inter-node handshake, Elasticsearch's transport protocol (old
 * and current header), AMQP 1.0, TDS 8 (TLS first, ALPN `tds/8.0`), MongoDB's legacy opcodes,
 * a TFTP OACK alone. Cassandra v5 segments mid-stream: crafted-midstream.test.ts.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { be16, be32, clientHello, grow, le32, once } from "./craft.js";
import {
  amqp10Frame, bsonInt, cassandraInitiate, cstr, esMessage, helloWithAlpn, kafkaRequest, kafkaResponse, mongoMessage, opReply,
} from "./craft-variants.js";
import { appId, bytes, codeName, DPI_MORE, DPI_UNKNOWN, loadDpi, TCP, UDP, type Dpi } from "./harness.js";

let dpi: Dpi;
beforeAll(async () => {
  dpi = await loadDpi();
});

const name = (code: number) => codeName(code);
const tcp = (cli: Uint8Array | string, srv: Uint8Array | string = "", dport = 40001) => name(once(dpi, TCP, 50000, dport, cli, srv).code);

describe("Kafka: api versions per api key (the protocol's own message definitions)", () => {
  test.each([...Array(13).keys()])("Produce v%i answered with its correlation id, byte by byte", (v) => {
    const g = grow(dpi, TCP, 50000, 9092, [[0, kafkaRequest(0, v, 100 + v, { flexible: v >= 9 })], [1, kafkaResponse(100 + v)]]);
    expect(name(g.code)).toBe("Kafka");
  });

  test.each([
    ["Fetch v17 (KIP-951), flexible header", 1, 17, true],
    ["Metadata v12", 3, 12, true],
    ["ApiVersions v0 with a null client id", 18, 0, false],
    ["ApiVersions v4", 18, 4, true],
    ["DescribeTopicPartitions v0 (api key 75)", 75, 0, true],
    ["ReadShareGroupStateSummary v0 (api key 87)", 87, 0, true],
    ["a share-group API after the table (api key 90)", 90, 1, true],
  ])("%s", (_w, key, version, flexible) => {
    const req = kafkaRequest(key, version, 7, { flexible, clientId: key === 18 && version === 0 ? null : "kafkajs" });
    expect(tcp(req, kafkaResponse(7), 9093)).toBe("Kafka");
  });

  test("ControlledShutdown v0: request header v0 (no client id), the broker id alone", () => {
    const req = Uint8Array.from([...be32(12), ...be16(7), ...be16(0), ...be32(3), ...be32(1)]);
    expect(tcp(req, kafkaResponse(3))).toBe("Kafka");
  });

  test("a request alone is provisionally Kafka when it names a client; a null client id is not enough", () => {
    const r = once(dpi, TCP, 50000, 9092, kafkaRequest(18, 3, 1, { flexible: true }));
    expect([r.code, r.provisional]).toEqual([DPI_MORE, appId("Kafka")]);
    expect(once(dpi, TCP, 50000, 9092, kafkaRequest(18, 0, 1, { clientId: null })).provisional).toBe(0);
  });

  test.each([
    ["Produce v15: three past the highest version the protocol defines (11)", 0, 15],
    ["ApiVersions v8", 18, 8],
    ["api key 96", 96, 0],
    ["DescribeTopicPartitions v4", 75, 4],
    ["ControlledShutdown v0 with a body", 7, 0],
  ])("not Kafka: %s", (_w, key, version) => {
    expect(tcp(kafkaRequest(key, version, 5), kafkaResponse(5), 9092)).toBe("unknown");
    expect(once(dpi, TCP, 50000, 9092, kafkaRequest(key, version, 5)).provisional).toBe(0);
  });
});

describe("Cassandra inter-node protocol (storage port 7000)", () => {
  test.each([
    ["a 3.11 node (messaging version 11, legacy handshake)", cassandraInitiate(11)],
    ["a 4.0 node (request 12, accepting 10-12, address and CRC)", cassandraInitiate(12, 10, 12)],
    ["a 5.0 node (request 13, accepting 12-13)", cassandraInitiate(13, 12, 13)],
  ])("%s: the magic and flags decide, byte by byte", (_w, init) => {
    const g = grow(dpi, TCP, 51000, 7000, [[0, init]]);
    expect(name(g.code)).toBe("Cassandra");
    expect(g.at).toBe(8);
  });

  test.each([
    ["messaging version 40", Uint8Array.from([...be32(0xca552dfa), 0, 0, 40, 1])],
    ["reserved flag bits", Uint8Array.from([...be32(0xca552dfa), 0, 0, 12, 0x21])],
    ["min above max", Uint8Array.from([...be32(0xca552dfa), 11, 12, 12, 1])],
    ["a magic one bit off", Uint8Array.from([...be32(0xca552dfb), 0, 0, 12, 1])],
  ])("not Cassandra: %s", (_w, init) => {
    expect(tcp(init, "", 7000)).toBe("unknown");
  });
});

describe("Elasticsearch transport protocol (port 9300)", () => {
  // A handshake request: status 8 (handshake, request); the response: status 9.
  test.each([
    ["current header (7.17: variable header size)", 7170099],
    ["8.x transport version", 8841000],
    ["old header (6.8: no variable header size)", 6080099],
  ])("%s: a response with the request id, byte by byte", (_w, version) => {
    const req = esMessage(5n, 8, version, [0, 0, 0, 0, 1, 2, 3]);
    const res = esMessage(5n, 9, version, [0, 0, 0, 0]);
    const g = grow(dpi, TCP, 52000, 9300, [[0, req], [1, res]]);
    expect(name(g.code)).toBe("ElasticSearch");
  });

  test("a request alone is provisionally ElasticSearch", () => {
    const r = once(dpi, TCP, 52000, 9300, esMessage(1n, 0, 7170099, [0, 0, 0, 0]));
    expect([r.code, r.provisional]).toEqual([DPI_MORE, appId("ElasticSearch")]);
  });

  test.each([
    ["a response with another request id", esMessage(5n, 8, 7170099, [1]), esMessage(6n, 9, 7170099, [])],
    ["a reply that is a request", esMessage(5n, 8, 7170099, [1]), esMessage(5n, 8, 7170099, [])],
    ["a first message that is a response", esMessage(5n, 1, 7170099, [1]), esMessage(5n, 1, 7170099, [])],
    ["version 0.0.1", esMessage(5n, 0, 199, [1]), esMessage(5n, 1, 199, [])],
    ["undefined status bits", esMessage(5n, 0x20, 7170099, [1]), esMessage(5n, 1, 7170099, [])],
    ["a variable header larger than the message", esMessage(5n, 0, 7170099, [1], 99), esMessage(5n, 1, 7170099, [])],
    ["text that starts with ES", bytes("ESMTP ready\r\n"), bytes("250 ok\r\n")],
  ])("not ElasticSearch: %s", (_w, req, res) => {
    expect(tcp(req, res, 9300)).toBe("unknown");
  });
});

describe("AMQP 1.0", () => {
  const header = (id: number) => bytes(`AMQP${String.fromCharCode(id)}\x01\x00\x00`);
  test.each([
    ["AMQP", 0],
    ["SASL", 3],
    ["TLS", 2],
  ])("the %s protocol header, then frames: RabbitMQ (the AMQP application)", (_w, id) => {
    const open = amqp10Frame(id === 3 ? 1 : 0, id === 3 ? 0x41 : 0x10);
    const g = grow(dpi, TCP, 53000, 5672, [[0, Uint8Array.from([...header(id), ...open])], [1, header(id)]]);
    expect(name(g.code)).toBe("RabbitMQ");
    expect(g.at).toBe(8);
  });

  test.each([["AMQP 2.0", "AMQP\x00\x02\x00\x00"], ["protocol id 1", "AMQP\x01\x01\x00\x00"], ["1.1", "AMQP\x00\x01\x01\x00"]])(
    "not AMQP: %s",
    (_w, h) => expect(tcp(h, "AMQP\x00\x00\x09\x01")).toBe("unknown"),
  );
});

describe("TDS 8: TLS first", () => {
  test("a ClientHello offering ALPN tds/8.0 is TDS (strict encryption), with its SNI, byte by byte", () => {
    const hello = helloWithAlpn("sql.example.test", ["tds/8.0"]);
    const g = grow(dpi, TCP, 54000, 1433, [[0, hello]]);
    expect(name(g.code)).toBe("TDS");
    expect(g.result.host).toBe("sql.example.test");
    expect(g.at).toBe(hello.length);
    expect(tcp(helloWithAlpn("sql", ["h2", "tds/8.0"], true), "", 14330)).toBe("TDS");
  });

  test("TLS to 1433 without tds/8.0 is SSL: ports never decide", () => {
    expect(tcp(helloWithAlpn("sql.example.test", ["h2", "http/1.1"]), "", 1433)).toBe("SSL");
    expect(tcp(clientHello({ sni: "sql.example.test" }), "", 1433)).toBe("SSL");
    expect(tcp(helloWithAlpn("x", ["tds/8.1"]), "", 1433)).toBe("SSL");
  });
});

describe("MongoDB legacy opcodes", () => {
  const ns = cstr("shop.orders");
  const zero = le32(0);
  const opQuery = mongoMessage(11, 0, 2004, [...le32(4), ...cstr("admin.$cmd"), ...zero, ...le32(-1 >>> 0), ...bsonInt("isMaster")]);
  const getLastError = mongoMessage(13, 0, 2004, [...zero, ...cstr("shop.$cmd"), ...zero, ...le32(1), ...bsonInt("getlasterror")]);
  const fireAndForget: [string, number[]][] = [
    ["OP_INSERT", mongoMessage(12, 0, 2002, [...zero, ...ns, ...bsonInt("a"), ...bsonInt("b")])],
    ["OP_UPDATE", mongoMessage(12, 0, 2001, [...zero, ...ns, ...le32(1), ...bsonInt("a"), ...bsonInt("b")])],
    ["OP_DELETE", mongoMessage(12, 0, 2006, [...zero, ...ns, ...le32(1), ...bsonInt("a")])],
    ["OP_KILL_CURSORS", mongoMessage(12, 0, 2007, [...zero, ...le32(2), ...new Array<number>(16).fill(3)])],
  ];

  test("OP_QUERY answered by OP_REPLY, byte by byte", () => {
    expect(name(grow(dpi, TCP, 55000, 27017, [[0, Uint8Array.from(opQuery)], [1, Uint8Array.from(opReply(99, 11))]]).code)).toBe("MongoDB");
  });

  test("OP_GET_MORE answered; OP_COMPRESSED (zlib) answered by OP_COMPRESSED", () => {
    const getMore = mongoMessage(21, 0, 2005, [...zero, ...ns, ...le32(10), ...new Array<number>(8).fill(1)]);
    expect(tcp(Uint8Array.from(getMore), Uint8Array.from(opReply(5, 21)))).toBe("MongoDB");
    const compressed = mongoMessage(22, 0, 2012, [...le32(2013), ...le32(40), 2, 0x78, 0x9c, 1, 2, 3]);
    const reply = mongoMessage(6, 22, 2012, [...le32(1), ...le32(60), 2, 0x78, 0x9c, 4]);
    expect(tcp(Uint8Array.from(compressed), Uint8Array.from(reply))).toBe("MongoDB");
  });

  test.each(fireAndForget)("%s gets no reply: the getLastError query after it is answered", (_w, first) => {
    const g = grow(dpi, TCP, 55000, 27017, [[0, Uint8Array.from([...first, ...getLastError])], [1, Uint8Array.from(opReply(7, 13))]]);
    expect(name(g.code)).toBe("MongoDB");
  });

  test.each([["OP_QUERY", opQuery] as [string, number[]], ...fireAndForget])("%s alone, whole and well formed: provisionally MongoDB", (_w, m) => {
    const r = once(dpi, TCP, 55000, 27017, Uint8Array.from(m));
    expect([r.code, r.provisional]).toEqual([DPI_MORE, appId("MongoDB")]);
  });

  test.each([
    ["an OP_QUERY whose namespace has no dot", mongoMessage(11, 0, 2004, [...zero, ...cstr("admin"), ...zero, ...zero, ...bsonInt("x")])],
    ["an OP_QUERY with the reserved flag bit", mongoMessage(11, 0, 2004, [...le32(1), ...cstr("a.b"), ...zero, ...zero, ...bsonInt("x")])],
    ["an OP_INSERT whose document overruns the message", mongoMessage(11, 0, 2002, [...zero, ...ns, ...le32(400), 0x10])],
    ["an OP_KILL_CURSORS whose count does not fit", mongoMessage(11, 0, 2007, [...zero, ...le32(3), ...new Array<number>(16).fill(3)])],
    ["an OP_MSG with two body sections", mongoMessage(11, 0, 2013, [...zero, 0, ...bsonInt("a"), 0, ...bsonInt("b")])],
    ["an OP_COMPRESSED of an OP_REPLY", mongoMessage(11, 0, 2012, [...le32(1), ...le32(40), 2, 1])],
  ])("not MongoDB: %s, even answered", (_w, m) => {
    expect(tcp(Uint8Array.from(m), Uint8Array.from(opReply(5, 11)), 27017)).toBe("unknown");
  });

  test("a reply to a message the client never sent is not MongoDB", () => {
    expect(tcp(Uint8Array.from([...fireAndForget[0]![1], ...getLastError]), Uint8Array.from(opReply(7, 14)))).toBe("unknown");
  });
});

describe("TFTP option acknowledgement", () => {
  const oack = (pairs: string[]) => Uint8Array.from([0, 6, ...pairs.flatMap((s) => cstr(s))]);
  test("an OACK alone (the request went another way) is provisionally TFTP; answered by ACK 0 it is TFTP", () => {
    const o = oack(["blksize", "1428", "tsize", "2048", "windowsize", "4"]);
    const r = once(dpi, UDP, 40000, 51000, o);
    expect([r.code, r.provisional]).toEqual([DPI_MORE, appId("TFTP")]);
    expect(name(once(dpi, UDP, 40000, 51000, o, Uint8Array.from([0, 4, 0, 0])).code)).toBe("TFTP");
    expect(once(dpi, UDP, 40000, 51000, oack(["multicast", "224.1.1.1,1758,1"])).provisional).toBe(appId("TFTP"));
  });

  test("an OACK of unknown options, or a non-numeric value, is no provisional TFTP", () => {
    expect(once(dpi, UDP, 40000, 51000, oack(["colour", "blue"])).provisional).toBe(0);
    expect(once(dpi, UDP, 40000, 51000, oack(["blksize", "big"])).provisional).toBe(0);
    expect(once(dpi, UDP, 40000, 51000, oack(["blksize", "512"]), Uint8Array.from([0, 4, 0, 9])).code).toBe(DPI_UNKNOWN);
  });
});
