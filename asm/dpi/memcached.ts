// Memcached, text and binary, and Couchbase (which speaks memcached's binary protocol).
// - Text: the client's first line is a memcached command (lower case, as the server requires)
//   with the arguments that command takes; the server's first line is one of memcached's replies.
// - Binary: 24-byte request header (magic 0x80, key and extras lengths that fit the body length,
//   data type 0) answered by a response header (magic 0x81) with the same opcode and opaque.
//   Couchbase when the first request is HELLO, SASL list-mechanisms / auth, select-bucket or
//   get-error-map (what Couchbase SDKs open with; NeuVector's dpi_couchbase.c keys on the SASL
//   request), Memcached otherwise. A memcached built with SASL would be called Couchbase: the
//   packets do not tell the two apart.
import { APP_COUCHBASE, APP_MEMCACHED } from "./apps";
import { be16at, be32at, digitCount, findByte, isGraph, litList, u8at } from "./bytes";
import { clientMore, cutShort, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN } from "./result";
import { textCommand } from "./memcached-text";

const BIN_HEADER: i32 = 24;
/** Longer words before their prefixes (NOT_STORED before NOT_FOUND is fine: they differ early). */
const REPLIES = "STORED|NOT_STORED|EXISTS|NOT_FOUND|VALUE |END|DELETED|TOUCHED|OK|ERROR|CLIENT_ERROR |SERVER_ERROR |VERSION |STAT |HD|VA |EN|NF|NS|EX|MN|ME |RESET";
const MAX_BODY: i64 = 20 * 1024 * 1024;

function couchbaseOpcode(op: i32): bool {
  return op == 0x1f || op == 0x20 || op == 0x21 || op == 0x89 || op == 0xfe;
}

/** A binary header at p with the given magic: 1, DPI_MORE or DPI_UNKNOWN. */
function binHeader(p: usize, len: i32, magic: i32): i32 {
  const m = u8at(p, len, 0);
  if (m < 0) return DPI_MORE;
  if (m != magic) return DPI_UNKNOWN;
  const keyLen = be16at(p, len, 2);
  const extLen = u8at(p, len, 4);
  const dataType = u8at(p, len, 5);
  if (dataType < 0) return DPI_MORE;
  if (magic == 0x80 && dataType != 0) return DPI_UNKNOWN;
  const body = be32at(p, len, 8);
  if (body < 0) return DPI_MORE;
  if (body > MAX_BODY || body < <i64>(keyLen + extLen)) return DPI_UNKNOWN;
  return len >= BIN_HEADER ? 1 : DPI_MORE;
}

function binary(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  const c = binHeader(cli, cl, 0x80);
  if (c != 1) return c == DPI_MORE ? clientMore(cl, sl) : c;
  if (sl == 0) return DPI_MORE;
  if (cutShort(cl, sl, BIN_HEADER + be32at(cli, cl, 8))) return DPI_UNKNOWN;
  const s = binHeader(srv, sl, 0x81);
  if (s != 1) return s;
  const op = <i32>load<u8>(cli + 1);
  if (load<u8>(srv + 1) != <u8>op || be32at(cli, cl, 12) != be32at(srv, sl, 12)) return DPI_UNKNOWN;
  return couchbaseOpcode(op) ? APP_COUCHBASE : APP_MEMCACHED;
}

/** A reply line memcached sends first: 1, DPI_MORE or DPI_UNKNOWN. */
function textReply(p: usize, len: i32): i32 {
  const lf = findByte(p, len, 0, 64, 0x0a);
  if (lf < 0) return len >= 64 || len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
  // A number (incr/decr) alone on the line.
  const d = digitCount(p, len, 0, 20);
  if (d > 0 && (d == lf || (d == lf - 1 && load<u8>(p + <usize>d) == 0x0d))) return 1;
  // Words ending in a space take arguments; the others end the line.
  const w = litList(p, len, 0, REPLIES);
  if (w == 0) return DPI_UNKNOWN;
  const last = u8at(p, len, w - 1);
  const next = u8at(p, len, w);
  return last == 0x20 || next == 0x0d || next == 0x0a || next == 0x20 ? 1 : DPI_UNKNOWN;
}

function text(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  const c = textCommand(cli, cl);
  if (c != 1) return c == DPI_MORE ? clientMore(cl, sl) : c;
  if (sl == 0) return DPI_MORE;
  const s = textReply(srv, sl);
  return s == 1 ? APP_MEMCACHED : s;
}

export function memcached(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const b0 = <i32>load<u8>(cli);
  if (b0 == 0x80) return binary(cli, cl, srv, sl);
  return isGraph(b0) ? text(cli, cl, srv, sl) : DPI_UNKNOWN;
}
