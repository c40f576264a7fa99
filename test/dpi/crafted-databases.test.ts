/**
 * Crafted database and broker sessions: each protocol recognised from hand-built bytes (also on
 * another protocol's port, and byte by byte), and look-alikes that must not be.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { be16, be32, grow, le32, mysqlGreeting, once, pgStartup } from "./craft.js";
import { appId, bytes, cat, codeName, DPI_MORE, DPI_UNKNOWN, loadDpi, TCP, type Dpi } from "./harness.js";

let dpi: Dpi;
beforeAll(async () => {
  dpi = await loadDpi();
});

const name = (code: number) => codeName(code);
const tcp = (cli: Uint8Array | string, srv: Uint8Array | string = "", dport = 40001) => name(once(dpi, TCP, 50000, dport, cli, srv).code);

describe("PostgreSQL", () => {
  const auth = Uint8Array.from([0x52, ...be32(8), ...be32(0)]);
  test("startup answered by AuthenticationOk, byte by byte, on any port", () => {
    const g = grow(dpi, TCP, 50000, 6000, [[0, pgStartup()], [1, auth]]);
    expect(name(g.code)).toBe("PostgreSQL");
    expect(g.at).toBe(pgStartup().length + 9);
  });
  test("a startup waiting for the server is provisionally PostgreSQL", () => {
    const r = once(dpi, TCP, 50000, 5432, pgStartup());
    expect(r.code).toBe(DPI_MORE);
    expect(r.provisional).toBe(appId("PostgreSQL"));
  });
  test("SSLRequest answered S, then TLS", () => {
    expect(tcp(Uint8Array.from([...be32(8), ...be32(0x04d2162f)]), "S\x16\x03\x03")).toBe("PostgreSQL");
  });
  test("ErrorResponse to a startup", () => {
    expect(tcp(pgStartup(), cat([0x45, ...be32(20)], "SFATAL\0C28P01\0\0"))).toBe("PostgreSQL");
  });
  test.each([
    ["protocol 2.0", pgStartup(0x00020000)],
    ["a wrong protocol number", pgStartup(0x00040000)],
    ["a length prefix that does not fit the parameters", Uint8Array.from([...be32(40), ...pgStartup().subarray(4)])],
    ["an SSLRequest of length 16", Uint8Array.from([...be32(16), ...be32(0x04d2162f), ...be32(0), ...be32(0)])],
  ])("not PostgreSQL: %s", (_w, cli) => {
    expect(tcp(cli, cat([0x45, ...be32(20)], "SFATAL\0C0A000\0\0"), 5432)).toBe("unknown");
  });
});

describe("MySQL", () => {
  test("the server greeting decides, byte by byte, also on TDS's port", () => {
    const g = grow(dpi, TCP, 50000, 1433, [[1, mysqlGreeting()]]);
    expect(name(g.code)).toBe("MySQL");
    // Decided once the filler and capability flags are in, before the end of the packet.
    expect(g.at).toBeLessThan(mysqlGreeting().length);
    expect(tcp(Uint8Array.from([60, 0, 0, 1, 0x85, 0xa6, 0xff, 0x01]), mysqlGreeting("10.11.6-MariaDB-0+deb12u1"), 1433)).toBe("MySQL");
  });
  test("not MySQL: protocol 11, sequence 1, a greeting over 512 bytes", () => {
    const g = mysqlGreeting();
    const bad = (i: number, v: number) => Uint8Array.from(g.map((b, k) => (k === i ? v : b)));
    expect(tcp("", bad(4, 11))).toBe("unknown");
    expect(tcp("", bad(3, 1))).toBe("unknown");
    expect(tcp("", bad(1, 3))).toBe("unknown");
  });
});

describe("Redis", () => {
  const ping = "*1\r\n$4\r\nPING\r\n";
  test("RESP array on HTTP's port is Redis, not HTTP", () => {
    expect(tcp("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "+OK\r\n", 80)).toBe("Redis");
    expect(name(grow(dpi, TCP, 50000, 80, [[0, ping], [1, "+PONG\r\n"]]).code)).toBe("Redis");
  });
  test("inline commands answered in RESP", () => {
    expect(tcp("PING\r\n", "+PONG\r\n")).toBe("Redis");
    expect(tcp("set k v\r\n", "+OK\r\n")).toBe("Redis");
    expect(tcp("GET k\r\n", "END\r\n")).toBe("unknown");
    expect(tcp("HELO mail.example.com\r\n", "+OK\r\n")).toBe("unknown");
  });
  test("not Redis: a reply that is not RESP, a RESP array of numbers", () => {
    expect(tcp(ping, "HTTP/1.1 400 Bad Request\r\n\r\n")).toBe("unknown");
    expect(tcp("*1\r\n$2\r\n12\r\n", "+OK\r\n")).toBe("unknown");
  });
  test("port 7 makes an echoed command ECHO; elsewhere the echo looks like a RESP reply", () => {
    expect(name(once(dpi, TCP, 50000, 7, ping, ping).code)).toBe("ECHO");
    expect(name(once(dpi, TCP, 50000, 6379, ping, ping).code)).toBe("Redis");
    expect(name(once(dpi, TCP, 50000, 7, ping, "+PONG\r\n").code)).toBe("Redis");
  });
  test("port 7: two SSH peers of one release send the same identification line, and that is SSH", () => {
    const banner = "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
    expect(name(once(dpi, TCP, 50000, 7, banner, banner).code)).toBe("SSH");
    expect(name(grow(dpi, TCP, 50000, 7, [[0, "SS"], [1, "SS"], [0, banner.slice(2)], [1, banner.slice(2)]]).code)).toBe("SSH");
    expect(name(once(dpi, TCP, 50000, 7, "SSH", "SSH").code)).toBe("more");
  });
});

describe("MongoDB, Kafka, ZooKeeper, Cassandra", () => {
  const msg = (len: number, id: number, to: number, op: number) => [...le32(len), ...le32(id), ...le32(to), ...le32(op)];
  test("MongoDB: the reply's responseTo matches the request", () => {
    // OP_MSG, flags 0, one kind-0 section: the empty document.
    const req = Uint8Array.from([...msg(26, 42, 0, 2013), 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]);
    expect(tcp(req, Uint8Array.from(msg(21, 7, 42, 2013)))).toBe("MongoDB");
    expect(tcp(req, Uint8Array.from(msg(21, 7, 43, 2013)))).toBe("unknown");
    expect(tcp(Uint8Array.from(msg(21, 42, 9, 2013)), Uint8Array.from(msg(21, 7, 42, 2013)))).toBe("unknown");
  });

  const kafkaReq = (key: number, version: number, corr: number) => {
    const body = [...be16(key), ...be16(version), ...be32(corr), ...be16(6), ...bytes("nvp-cl")];
    return Uint8Array.from([...be32(body.length), ...body]);
  };
  test("Kafka: a response with the request's correlation id (ApiVersions v3 too)", () => {
    expect(tcp(kafkaReq(18, 3, 1), Uint8Array.from([...be32(6), ...be32(1), 0, 0]))).toBe("Kafka");
    expect(name(grow(dpi, TCP, 50000, 9092, [[0, kafkaReq(3, 12, 9)], [1, Uint8Array.from([...be32(8), ...be32(9)])]]).code)).toBe("Kafka");
    expect(tcp(kafkaReq(18, 3, 1), Uint8Array.from([...be32(6), ...be32(2), 0, 0]))).toBe("unknown");
    expect(tcp(kafkaReq(0x7f7f, 0, 1), Uint8Array.from([...be32(6), ...be32(1), 0, 0]))).toBe("unknown");
  });

  test("ZooKeeper: ConnectRequest alone; four-letter words with their answer", () => {
    const connect = [...be32(44), ...be32(0), ...new Array<number>(8).fill(0), ...be32(30000), ...new Array<number>(8).fill(0), ...be32(16), ...new Array<number>(16).fill(0)];
    expect(tcp(Uint8Array.from([...connect, 0]).subarray(0, 48))).toBe("ZooKeeper");
    expect(tcp(Uint8Array.from([0, 0, 0, 45, ...connect.slice(4), 0]))).toBe("ZooKeeper");
    expect(tcp("ruok", "imok")).toBe("ZooKeeper");
    expect(tcp("mntr\n", "zk_version\t3.8.0\n")).toBe("ZooKeeper");
    expect(tcp("ruok", "nope")).toBe("unknown");
    expect(tcp("ruok and more", "imok")).toBe("unknown");
  });

  test("Cassandra: OPTIONS v4 answered SUPPORTED, STARTUP v5 answered READY", () => {
    const options = Uint8Array.from([4, 0, 0, 1, 5, ...be32(0)]);
    expect(tcp(options, Uint8Array.from([0x84, 0, 0, 1, 6, ...be32(0)]))).toBe("Cassandra");
    const map = [...be16(1), ...be16(11), ...bytes("CQL_VERSION"), ...be16(5), ...bytes("3.0.0")];
    const startup = Uint8Array.from([5, 0, 0, 1, 1, ...be32(map.length), ...map]);
    expect(tcp(startup, Uint8Array.from([0x85, 0, 0, 1, 2, ...be32(0)]))).toBe("Cassandra");
    expect(tcp(startup, "HTTP/1.1")).toBe("unknown");
    expect(tcp(Uint8Array.from([6, 0, 0, 1, 5, ...be32(0)]), Uint8Array.from([0x86, 0, 0, 1, 6]))).toBe("unknown");
  });
});

describe("SQL Server, Oracle, memcached, Couchbase, Spark, VoltDB, brokers", () => {
  test("TDS: a PRELOGIN packet", () => {
    const opts = [0, ...be16(11), ...be16(6), 1, ...be16(17), ...be16(1), 0xff, 16, 0, 0, 0, 0, 0, 2];
    const pkt = [0x12, 1, ...be16(8 + opts.length), 0, 0, 1, 0, ...opts];
    expect(tcp(Uint8Array.from(pkt), "", 14330)).toBe("TDS");
    expect(tcp(Uint8Array.from([0x12, 1, ...be16(8 + opts.length), 0, 0, 1, 0, ...opts.slice(0, 10), 0x09]), "", 1433)).toBe("unknown");
  });

  test("TNS: CONNECT answered by ACCEPT or REFUSE", () => {
    const data = bytes("(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=db)(PORT=1521)))");
    const hdr = [...be16(318), ...be16(300), 0, 0, ...be16(8192), ...be16(32767), ...be16(0x4f98), 0, 0, ...be16(1), ...be16(data.length), ...be16(58), 0, 0, 0, 0, 0x41, 0x41];
    const body = [...hdr, ...new Array<number>(58 - 8 - hdr.length).fill(0), ...data];
    const connect = Uint8Array.from([...be16(8 + body.length - 0), 0, 0, 1, 0, 0, 0, ...body]);
    expect(tcp(connect, Uint8Array.from([0, 32, 0, 0, 2, 0, 0, 0]))).toBe("TNS");
    expect(tcp(connect, Uint8Array.from([0, 12, 0, 0, 4, 0, 0, 0]))).toBe("TNS");
    expect(tcp(connect, Uint8Array.from([0, 12, 0, 0, 6, 0, 0, 0]))).toBe("unknown");
  });

  test("memcached text and binary; Couchbase opens with SASL", () => {
    expect(tcp("version\r\n", "VERSION 1.6.21\r\n")).toBe("Memcached");
    expect(tcp("set k 0 0 5\r\nhello\r\n", "STORED\r\n")).toBe("Memcached");
    expect(tcp("set k x 0 5\r\nhello\r\n", "STORED\r\n")).toBe("unknown");
    const req = (op: number) => Uint8Array.from([0x80, op, ...be16(1), 0, 0, 0, 0, ...be32(1), ...be32(77), 0, 0, 0, 0, 0, 0, 0, 0, 0x6b]);
    const res = (op: number) => Uint8Array.from([0x81, op, 0, 0, 0, 0, 0, 0, ...be32(0), ...be32(77), 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(tcp(req(0x00), res(0x00))).toBe("Memcached");
    expect(tcp(req(0x20), res(0x20))).toBe("Couchbase");
    expect(tcp(req(0x00), res(0x01))).toBe("unknown");
  });

  test("Spark: an RpcRequest's frame length is 21 + body", () => {
    const rpc = (extra: number) => Uint8Array.from([...be32(0), ...be32(21 + 10 + extra), 3, ...be32(0), ...be32(5), ...be32(10), ...new Array<number>(10).fill(1)]);
    expect(tcp(rpc(0))).toBe("Spark");
    expect(tcp(rpc(1))).toBe("unknown");
  });

  test("VoltDB: a login naming the `database` service", () => {
    const login = (version: number[], hash: number) => {
      const body = [...version, ...be32(8), ...bytes("database"), ...be32(5), ...bytes("admin"), ...new Array<number>(hash).fill(9)];
      return Uint8Array.from([...be32(body.length), ...body]);
    };
    expect(tcp(login([0], 20))).toBe("VoltDB");
    expect(tcp(login([1, 1], 32))).toBe("VoltDB");
    expect(tcp(login([1, 0], 32))).toBe("unknown");
  });

  test("RabbitMQ (AMQP 0-9-1), ActiveMQ (OpenWire, STOMP)", () => {
    expect(tcp("AMQP\x00\x00\x09\x01")).toBe("RabbitMQ");
    expect(tcp("AMQP\x00\x02\x00\x00")).toBe("unknown");
    expect(tcp(Uint8Array.from([0, 0, 1, 0x20, 1, ...bytes("ActiveMQ"), 0, 0, 0, 12]))).toBe("ActiveMQ");
    expect(tcp("", Uint8Array.from([0, 0, 1, 0x20, 1, ...bytes("ActiveMQ")]))).toBe("ActiveMQ");
    const connect = "CONNECT\naccept-version:1.2\nhost:/\n\n\0";
    expect(tcp(connect, "CONNECTED\nversion:1.2\nserver:ActiveMQ/5.18.3\n\n\0")).toBe("ActiveMQ");
    expect(tcp(connect, "CONNECTED\nversion:1.2\nserver:ActiveMQ-Artemis/2.31.2\n\n\0")).toBe("ActiveMQ");
    expect(tcp(connect, "CONNECTED\nserver:RabbitMQ/3.12.10\nversion:1.2\n\n\0")).toBe("RabbitMQ");
    expect(tcp(connect, "CONNECTED\nversion:1.2\nserver:apache-apollo/1.7\n\n\0")).toBe("unknown");
    expect(tcp(connect, "CONNECTED\nversion:1.2\n\n\0")).toBe("unknown");
    expect(once(dpi, TCP, 50000, 61613, connect, "CONNECTED\nversion:1.2\n").code).toBe(DPI_MORE);
    expect(tcp("CONNECT example.com:443 HTTP/1.1\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n")).toBe("HTTP");
    expect(once(dpi, TCP, 50000, 61613, "garbage!", "").code).toBe(DPI_UNKNOWN);
  });
});
