// Cassandra's native protocol (CQL). The client's first frame is OPTIONS (opcode 5, empty body) or
// STARTUP (opcode 1, a [string map] that names CQL_VERSION and fills the body exactly), with a
// request version 1-5 or DSE's 0x41/0x42 (drivers try their newest version first: cassandra-driver
// opens with 0x42 and falls back when the server refuses). Headers are 8 bytes in v1/v2 (one-byte
// stream id) and 9 bytes from v3. It is Cassandra when the server answers with a response frame
// (version bit 0x80) carrying ERROR, READY, AUTHENTICATE or SUPPORTED: a refusal of the version
// counts, it is still Cassandra talking. NeuVector's dpi_cassandra.c gives up above version 4.
// v5 moves every frame after STARTUP into checksummed segments: cassandra-v5.ts, mid-stream.
//
// The inter-node protocol (storage port 7000, 7001 with TLS) opens with the connecting node's
// handshake (org.apache.cassandra.net.HandshakeProtocol): PROTOCOL_MAGIC 0xCA552DFA, then an
// int32 of flags: QoS category (bits 0-1), framing (bits 2 and 4), streaming (bit 3), bits 5-7
// zero, the requested messaging version (bits 8-15: 6 for 1.2 up to 12 for 4.0, 13 and 14
// since), and from 4.0 the lowest and highest accepted versions (bits 16-23, 24-31, 0 before).
// The 32-bit magic and a consistent flags word decide: nothing else opens with them.
import { APP_CASSANDRA } from "./apps";
import { be16at, be32at, lit, LIT_YES, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN, setProvisional } from "./result";

const OP_ERROR: i32 = 0;
const OP_STARTUP: i32 = 1;
const OP_READY: i32 = 2;
const OP_AUTHENTICATE: i32 = 3;
const OP_OPTIONS: i32 = 5;
const OP_SUPPORTED: i32 = 6;
const MAX_STARTUP: i64 = 65536;
const MAX_ENTRIES: i32 = 32;

@inline function knownVersion(v: i32): bool {
  return (v >= 1 && v <= 5) || v == 0x41 || v == 0x42;
}

@inline function headerSize(v: i32): i32 {
  return v <= 2 ? 8 : 9;
}

/** STARTUP's [string map] in [i, end): n entries of two [string]s, one key CQL_VERSION, filling it. */
function startupBody(p: usize, len: i32, i: i32, end: i32): i32 {
  const n = be16at(p, len, i);
  if (n < 0) return DPI_MORE;
  if (n < 1 || n > MAX_ENTRIES) return DPI_UNKNOWN;
  i += 2;
  let cqlVersion = false;
  for (let e = 0; e < n * 2; e++) {
    const s = be16at(p, len, i);
    if (s < 0) return DPI_MORE;
    if (i + 2 + s > end) return DPI_UNKNOWN;
    if ((e & 1) == 0 && s == 11 && lit(p, len, i + 2, "CQL_VERSION") == LIT_YES) cqlVersion = true;
    i += 2 + s;
  }
  return i == end && cqlVersion ? 1 : DPI_UNKNOWN;
}

/** The client's first frame: 1, DPI_MORE or DPI_UNKNOWN. */
function request(p: usize, len: i32): i32 {
  const v = u8at(p, len, 0);
  if (v < 0) return DPI_MORE;
  if (!knownVersion(v)) return DPI_UNKNOWN;
  const flags = u8at(p, len, 1);
  if (flags < 0) return DPI_MORE;
  if (flags > 0x1f) return DPI_UNKNOWN;
  const h = headerSize(v);
  const op = u8at(p, len, h - 5);
  const bodyLen = be32at(p, len, h - 4);
  if (bodyLen < 0) return op < 0 || op == OP_STARTUP || op == OP_OPTIONS ? DPI_MORE : DPI_UNKNOWN;
  if (op == OP_OPTIONS) return bodyLen == 0 ? 1 : DPI_UNKNOWN;
  if (op != OP_STARTUP || bodyLen < 2 || bodyLen > MAX_STARTUP) return DPI_UNKNOWN;
  const r = startupBody(p, len, h, h + <i32>bodyLen);
  return r == DPI_MORE && len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : r;
}

/** The server's first frame header: APP_CASSANDRA, DPI_MORE or DPI_UNKNOWN. */
function response(p: usize, len: i32): i32 {
  const b = u8at(p, len, 0);
  if ((b & 0x80) == 0 || !knownVersion(b & 0x7f)) return DPI_UNKNOWN;
  const h = headerSize(b & 0x7f);
  const op = u8at(p, len, h - 5);
  if (op < 0) return DPI_MORE;
  return op == OP_ERROR || op == OP_READY || op == OP_AUTHENTICATE || op == OP_SUPPORTED ? APP_CASSANDRA : DPI_UNKNOWN;
}

const PROTOCOL_MAGIC: i64 = 0xca552dfa;
const MIN_MESSAGING: i64 = 6;
const MAX_MESSAGING: i64 = 20;

/** The inter-node Initiate: APP_CASSANDRA, DPI_MORE or DPI_UNKNOWN. */
function internode(p: usize, len: i32, sl: i32): i32 {
  const m = be32at(p, len, 0);
  if (m < 0) {
    for (let k = 0; k < len; k++) {
      if (<i64>load<u8>(p + <usize>k) != ((PROTOCOL_MAGIC >> (24 - 8 * k)) & 0xff)) return DPI_UNKNOWN;
    }
    return clientMore(len, sl);
  }
  if (m != PROTOCOL_MAGIC) return DPI_UNKNOWN;
  const flags = be32at(p, len, 4);
  if (flags < 0) return clientMore(len, sl);
  const request = (flags >> 8) & 0xff;
  const lo = (flags >> 16) & 0xff;
  const hi = (flags >> 24) & 0xff;
  if ((flags & 0xe0) != 0 || request < MIN_MESSAGING || request > MAX_MESSAGING) return DPI_UNKNOWN;
  if (lo == 0 && hi == 0) return APP_CASSANDRA;
  return lo >= MIN_MESSAGING && lo <= hi && hi <= MAX_MESSAGING ? APP_CASSANDRA : DPI_UNKNOWN;
}

export function cassandra(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  if (load<u8>(cli) == 0xca) return internode(cli, cl, sl);
  const c = request(cli, cl);
  if (c != 1) return c == DPI_MORE ? clientMore(cl, sl) : c;
  setProvisional(out, APP_CASSANDRA);
  if (sl == 0) return DPI_MORE;
  return response(srv, sl);
}
