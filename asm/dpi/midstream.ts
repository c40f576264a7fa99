// Recognisers for a TCP flow the capture joined mid-stream (no SYN seen), tried only after the
// opening-message parsers of identify and the same parsers with the sides swapped said "no": what
// is left of a session there is its steady-state framing, not its handshake. Each one answers from
// a whole frame header whose every field is checked, and says "no" as soon as a side's first bytes
// break it (a capture can also start inside a frame: then nothing lines up and nothing is named).
//
// - SSL: TLS records (RFC 8446 §5.1): content type 20-23, version 3.0-3.4 (TLS 1.3 writes 3.3),
//   length 1 to 2^14 + 2048; the record ends exactly where the side's bytes end or another valid
//   record header follows (or the prefix cap cuts it). Application data has no SNI.
// - RabbitMQ: AMQP 0-9-1 frames (§4.2.3): type 1 method, 2 header, 3 body, 8 heartbeat; channel;
//   size; the frame-end octet 0xCE right after the payload.
// - TDS: TDS packets (MS-TDS §2.2.3.1) of the types a session carries after login: 1 SQL batch,
//   3 RPC, 4 tabular result, 6 attention, 7 bulk load, 14 transaction manager; status bits of the
//   spec only; length 8-32768 and equal to the side's bytes or followed by another packet header.
// - Cassandra: native protocol v5 segments, uncompressed or LZ4 (cassandra-v5.ts), whose header
//   CRC24 and, when the payload is in, payload CRC32 hold.
// - RabbitMQ: AMQP 1.0 frames (OASIS AMQP 1.0 §2.3): size 8 to 16 MiB, data offset 2 or more
//   within the frame, type 0 (AMQP) or 1 (SASL), and a body, when there is one, that opens with
//   a described performative: 0x00, then the descriptor as smallulong (0x53) or ulong (0x80, high
//   word 0) naming open..close (0x10-0x18) or, in SASL frames, mechanisms..outcome (0x40-0x44).
//   An empty frame is a heartbeat.
import { APP_CASSANDRA, APP_RABBITMQ, APP_SSL, APP_TDS } from "./apps";
import { be16at, be32at, u8at } from "./bytes";
import { cqlHeaderSize, cqlSegment } from "./cassandra-v5";
import { DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN } from "./result";

const TLS_MAX: i32 = 18432;
const AMQP10_MAX: i64 = 16777216;
const TDS_MAX: i32 = 32768;
const AMQP_MAX: i64 = 131072;

/** A record header at `i`: its whole length (header included), or -1 when it is none. */
function tlsRecord(p: usize, len: i32, i: i32): i32 {
  const type = u8at(p, len, i);
  const major = u8at(p, len, i + 1);
  const minor = u8at(p, len, i + 2);
  const n = be16at(p, len, i + 3);
  if (type < 20 || type > 23 || major != 3 || minor < 0 || minor > 4 || n < 1 || n > TLS_MAX) return -1;
  return 5 + n;
}

function amqpFrame(p: usize, len: i32, i: i32): i32 {
  const type = u8at(p, len, i);
  const size = be32at(p, len, i + 3);
  if (type != 1 && type != 2 && type != 3 && type != 8) return -1;
  if (size < 0 || size > AMQP_MAX || (type == 8 && size != 0) || (type != 8 && size == 0)) return -1;
  const end = i + 7 + <i32>size;
  // The frame-end octet is the frame's signature; unknown until it has arrived.
  const fe = u8at(p, len, end);
  if (fe >= 0 && fe != 0xce) return -1;
  return 8 + <i32>size;
}

function amqp10Frame(p: usize, len: i32, i: i32): i32 {
  const size = be32at(p, len, i);
  const doff = u8at(p, len, i + 4);
  const type = u8at(p, len, i + 5);
  if (size < 8 || size > AMQP10_MAX || doff < 2 || <i64>doff * 4 > size || (type != 0 && type != 1)) return -1;
  const b = i + doff * 4;
  if (<i64>doff * 4 == size) return <i32>size;
  // The performative, as far as it has arrived.
  const c0 = u8at(p, len, b);
  if (c0 >= 0 && c0 != 0) return -1;
  const c1 = u8at(p, len, b + 1);
  let code = -1;
  if (c1 == 0x53) code = u8at(p, len, b + 2);
  else if (c1 == 0x80) {
    for (let k = 2; k < 9; k++) {
      const x = u8at(p, len, b + k);
      if (x > 0) return -1;
    }
    code = u8at(p, len, b + 9);
  } else if (c1 >= 0) return -1;
  if (code >= 0 && (type == 0 ? code < 0x10 || code > 0x18 : code < 0x40 || code > 0x44)) return -1;
  return <i32>size;
}

function tdsPacket(p: usize, len: i32, i: i32): i32 {
  const type = u8at(p, len, i);
  const status = u8at(p, len, i + 1);
  const n = be16at(p, len, i + 2);
  const ok = type == 1 || type == 3 || type == 4 || type == 6 || type == 7 || type == 14;
  // Status: end of message 1, ignore 2, reset connection 8, reset keeping the transaction 16.
  if (!ok || status < 0 || (status & ~0x1b) != 0 || n < 8 || n > TDS_MAX) return -1;
  // The window byte is 0 in every packet a client or server sends (MS-TDS §2.2.3.1.6).
  if (u8at(p, len, i + 7) != 0) return -1;
  return n;
}

const K_TLS: i32 = 0;
const K_AMQP: i32 = 1;
const K_TDS: i32 = 2;
const K_CQL: i32 = 3;
const K_CQL_LZ4: i32 = 4;
const K_AMQP10: i32 = 5;

/** A frame of `kind` at i: its whole length, or -1. */
function frameAt(kind: i32, p: usize, len: i32, i: i32): i32 {
  if (kind == K_TLS) return tlsRecord(p, len, i);
  if (kind == K_AMQP) return amqpFrame(p, len, i);
  if (kind == K_TDS) return tdsPacket(p, len, i);
  if (kind == K_AMQP10) return amqp10Frame(p, len, i);
  return cqlSegment(p, len, i, kind == K_CQL_LZ4);
}

/**
 * One side's bytes as frames of `kind` (K_*): DPI_UNKNOWN when the first header is none or what
 * follows the first frame is not a header; DPI_MORE while a header is incomplete; else 1 (frames
 * line up).
 */
function frames(kind: i32, p: usize, len: i32): i32 {
  const hdr = kind == K_TLS ? 5 : kind == K_CQL || kind == K_CQL_LZ4 ? cqlHeaderSize(kind == K_CQL_LZ4) : 8;
  if (len < hdr) return len == 0 ? DPI_UNKNOWN : DPI_MORE;
  const n = frameAt(kind, p, len, 0);
  if (n < 0) return DPI_UNKNOWN;
  if (n == len) return 1;
  if (n > len) return len >= DPI_PREFIX_CAP ? 1 : DPI_MORE;
  if (len - n < hdr) return len >= DPI_PREFIX_CAP ? 1 : DPI_MORE;
  return frameAt(kind, p, len, n) < 0 ? DPI_UNKNOWN : 1;
}

/** One framing on both sides: a side whose frames line up names it unless the other side breaks it. */
function framing(kind: i32, app: i32, cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  const a = frames(kind, cli, cl);
  const b = frames(kind, srv, sl);
  // A side that has spoken and is not this framing rules it out (both sides of a session share it).
  if ((cl > 0 && a == DPI_UNKNOWN) || (sl > 0 && b == DPI_UNKNOWN)) return DPI_UNKNOWN;
  if (a == 1 || b == 1) return app;
  return DPI_MORE;
}

/** Mid-stream identification over both sides' bytes (either may be the client's). */
export function midstream(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  let r = framing(K_TLS, APP_SSL, cli, cl, srv, sl);
  if (r != DPI_UNKNOWN) return r;
  r = framing(K_AMQP, APP_RABBITMQ, cli, cl, srv, sl);
  if (r != DPI_UNKNOWN) return r;
  r = framing(K_TDS, APP_TDS, cli, cl, srv, sl);
  if (r != DPI_UNKNOWN) return r;
  r = framing(K_AMQP10, APP_RABBITMQ, cli, cl, srv, sl);
  if (r != DPI_UNKNOWN) return r;
  r = framing(K_CQL, APP_CASSANDRA, cli, cl, srv, sl);
  if (r != DPI_UNKNOWN) return r;
  return framing(K_CQL_LZ4, APP_CASSANDRA, cli, cl, srv, sl);
}
