/**
 * Hand-built messages for the protocol variants of issue 14 item 2, each from its specification
 * (cited per builder): Kafka requests of every header version, Cassandra's inter-node handshake
 * and native protocol v5 segments (with their CRC24 / CRC32), Elasticsearch transport headers,
 * AMQP 1.0 frames, a TDS 8 ClientHello offering ALPN `tds/8.0`, MongoDB's legacy opcodes.
 */
import { crc32 } from "node:zlib";
import { be16, be32, le32 } from "./craft.js";
import { bytes } from "./harness.js";

/** A Kafka request (request header v1, or v2 with an empty tagged-field section) and its response header. */
export function kafkaRequest(key: number, version: number, corr: number, opts: { clientId?: string | null; flexible?: boolean; body?: number[] } = {}): Uint8Array {
  const id = opts.clientId === undefined ? "rdkafka" : opts.clientId;
  const cid = id === null ? be16(0xffff) : [...be16(id.length), ...bytes(id)];
  const h = [...be16(key), ...be16(version), ...be32(corr), ...cid, ...(opts.flexible ? [0] : [])];
  const payload = [...h, ...(opts.body ?? [])];
  return Uint8Array.from([...be32(payload.length), ...payload]);
}

export function kafkaResponse(corr: number): Uint8Array {
  return Uint8Array.from([...be32(8), ...be32(corr), 0, 0, 0, 0]);
}

/** Cassandra's HandshakeProtocol.Initiate: magic, flags (request/min/max versions), and for 4.0+ an address and a CRC32. */
export function cassandraInitiate(request: number, min = 0, max = 0): Uint8Array {
  const flags = ((max & 0xff) << 24) | ((min & 0xff) << 16) | ((request & 0xff) << 8) | 0x01;
  const head = [...be32(0xca552dfa), ...be32(flags >>> 0)];
  if (request < 12) return Uint8Array.from(head);
  // InetAddressAndPort: size 4, 10.0.0.7, port 7000; then crc32 over everything before.
  const body = [...head, 4, 10, 0, 0, 7, ...be16(7000)];
  return Uint8Array.from([...body, ...be32(cassandraCrc32(Uint8Array.from(body)))]);
}

/** Cassandra's CRC24 (org.apache.cassandra.net.Crc): polynomial 0x1974F0B, initial 0x875060, bytes least significant first. */
export function crc24(b: number[]): number {
  let crc = 0x875060;
  for (const x of b) {
    crc ^= x << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1974f0b;
    }
  }
  return crc & 0xffffff;
}

/** zlib CRC32 over FA 2D 55 CA and then the bytes, as Crc.crc32() starts. */
export function cassandraCrc32(b: Uint8Array): number {
  return crc32(Uint8Array.from([0xfa, 0x2d, 0x55, 0xca, ...b])) >>> 0;
}

const le24 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255];

/** A native protocol v5 segment (§2.2 uncompressed, §2.3 LZ4 when `uncompressed` length is given) around `payload`. */
export function cqlSegment(payload: Uint8Array, o: { selfContained?: boolean; uncompressed?: number; badCrc32?: boolean } = {}): Uint8Array {
  const flag = o.selfContained === false ? 0 : 1;
  let header: number[];
  if (o.uncompressed === undefined) {
    header = le24(payload.length | (flag << 17));
  } else {
    const v = BigInt(payload.length) | (BigInt(o.uncompressed) << 17n) | (BigInt(flag) << 34n);
    header = [0, 1, 2, 3, 4].map((k) => Number((v >> BigInt(8 * k)) & 255n));
  }
  const crc = cassandraCrc32(payload) ^ (o.badCrc32 ? 1 : 0);
  return Uint8Array.from([...header, ...le24(crc24(header)), ...payload, ...le32(crc)]);
}

/** A v5 envelope (the legacy 9-byte frame header) for `opcode` with a body of `n` bytes. */
export function cqlEnvelope(response: boolean, stream: number, opcode: number, body: number[]): Uint8Array {
  return Uint8Array.from([response ? 0x85 : 5, 0, ...be16(stream), opcode, ...be32(body.length), ...body]);
}

/** An Elasticsearch transport message header (TcpHeader.writeHeader) followed by `content` bytes. */
export function esMessage(requestId: bigint, status: number, version: number, content: number[], variableHeader = 0): Uint8Array {
  const modern = version >= 7060099;
  const rest = [
    ...[7, 6, 5, 4, 3, 2, 1, 0].map((k) => Number((requestId >> BigInt(8 * k)) & 255n)),
    status, ...be32(version), ...(modern ? be32(variableHeader) : []), ...content,
  ];
  return Uint8Array.from([0x45, 0x53, ...be32(rest.length), ...rest]);
}

/** An AMQP 1.0 frame (OASIS AMQP 1.0 §2.3): size, doff 2, type, channel, then a described performative. */
export function amqp10Frame(type: number, code: number, fields: number[] = [0x45]): Uint8Array {
  const body = [0x00, 0x53, code, ...fields];
  return Uint8Array.from([...be32(8 + body.length), 2, type, 0, 0, ...body]);
}

/** A TLS 1.2/1.3 ClientHello with SNI and an ALPN extension listing `protocols`. */
export function helloWithAlpn(sni: string, protocols: string[], alpnFirst = false): Uint8Array {
  const name = [...bytes(sni)];
  const sniExt = [...be16(0), ...be16(name.length + 5), ...be16(name.length + 3), 0, ...be16(name.length), ...name];
  const list = protocols.flatMap((p) => [p.length, ...bytes(p)]);
  const alpn = [...be16(16), ...be16(list.length + 2), ...be16(list.length), ...list];
  const ext = alpnFirst ? [...alpn, ...sniExt] : [...sniExt, ...be16(10), ...be16(4), ...be16(2), ...be16(29), ...alpn];
  const body = [...be16(0x0303), ...new Array<number>(32).fill(9), 0, ...be16(2), 0x13, 0x01, 1, 0, ...be16(ext.length), ...ext];
  const hs = [1, 0, ...be16(body.length), ...body];
  return Uint8Array.from([22, 3, 1, ...be16(hs.length), ...hs]);
}

/** A BSON document {k: int32 1} (k a key of 1-10 characters). */
export function bsonInt(k: string): number[] {
  const e = [0x10, ...bytes(k), 0, 1, 0, 0, 0];
  return [...le32(e.length + 5), ...e, 0];
}

/** A MongoDB message: header (length, requestID, responseTo, opCode) then `body`. */
export function mongoMessage(id: number, to: number, op: number, body: number[]): number[] {
  return [...le32(16 + body.length), ...le32(id), ...le32(to), ...le32(op), ...body];
}

export const cstr = (s: string) => [...bytes(s), 0];

/** An OP_REPLY to `to` with one document. */
export function opReply(id: number, to: number): number[] {
  return mongoMessage(id, to, 1, [...le32(8), 0, 0, 0, 0, 0, 0, 0, 0, ...le32(0), ...le32(1), ...bsonInt("ok")]);
}
