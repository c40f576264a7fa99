// PostgreSQL (NeuVector dpi_postgresql.c): the client's first message is a StartupMessage
// (length 8..10000, protocol 3.0, then NUL-terminated name/value pairs ending in an empty name
// exactly at the length), an SSLRequest or GSSENCRequest (length 8) or a CancelRequest (length
// 16). It is PostgreSQL once the server answers: `R` (authentication) or `E` (error) to a
// startup, `S`/`N` (or `E`) to an SSL/GSS request, `G` (GSS encryption accepted) to a GSS request. A cancel gets no answer: provisional only.
import { APP_POSTGRESQL } from "./apps";
import { be32at, has, isText, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const PROTOCOL_3: i64 = 0x00030000;
const SSL_REQUEST: i64 = 0x04d2162f;
const GSSENC_REQUEST: i64 = 0x04d21630;
const CANCEL_REQUEST: i64 = 0x04d2162e;
const MAX_STARTUP: i64 = 10000;

const KIND_STARTUP: i32 = 1;
const KIND_ENCRYPT: i32 = 2;
const KIND_CANCEL: i32 = 3;

/** name\0value\0...\0 in [i, end): printable strings, the list closed by an empty name at end - 1. */
function params(p: usize, len: i32, i: i32, end: i32): i32 {
  let strings = 0;
  while (i < end) {
    const c = u8at(p, len, i);
    if (c < 0) return DPI_MORE;
    // An empty string where a name is due closes the list; it must be the last byte.
    if (c == 0 && (strings & 1) == 0) return i == end - 1 && strings > 0 ? 1 : DPI_UNKNOWN;
    let j = i;
    while (j < end) {
      const d = u8at(p, len, j);
      if (d < 0) return DPI_MORE;
      if (d == 0) break;
      if (!isText(d) && d < 0x80) return DPI_UNKNOWN;
      j++;
    }
    if (j >= end) return DPI_UNKNOWN;
    strings++;
    i = j + 1;
  }
  return DPI_UNKNOWN;
}

/** The client's first message: its kind, DPI_MORE or DPI_UNKNOWN. */
function clientMessage(p: usize, len: i32): i32 {
  const n = be32at(p, len, 0);
  if (n < 0) {
    // A startup length is below 10000: the first two bytes are zero.
    if (len >= 1 && load<u8>(p) != 0) return DPI_UNKNOWN;
    if (len >= 2 && load<u8>(p + 1) != 0) return DPI_UNKNOWN;
    return DPI_MORE;
  }
  if (n < 8 || n > MAX_STARTUP) return DPI_UNKNOWN;
  const code = be32at(p, len, 4);
  if (code < 0) {
    // The code's first byte is 0x00 (protocol 3.0) or 0x04 (the special requests).
    const c = u8at(p, len, 4);
    return c > 0 && c != 4 ? DPI_UNKNOWN : DPI_MORE;
  }
  if (code == SSL_REQUEST || code == GSSENC_REQUEST) return n == 8 ? KIND_ENCRYPT : DPI_UNKNOWN;
  if (code == CANCEL_REQUEST) return n == 16 ? (has(len, 0, 16) ? KIND_CANCEL : DPI_MORE) : DPI_UNKNOWN;
  if (code != PROTOCOL_3 || n < 9) return DPI_UNKNOWN;
  const r = params(p, len, 8, <i32>n);
  return r == 1 ? KIND_STARTUP : r;
}

/** The server's first reply to that message. */
function serverReply(p: usize, len: i32, kind: i32): i32 {
  const t = u8at(p, len, 0);
  if (kind == KIND_ENCRYPT && (t == 0x53 || t == 0x4e || t == 0x47)) return APP_POSTGRESQL;
  if (t != 0x52 && t != 0x45) return DPI_UNKNOWN;
  const n = be32at(p, len, 1);
  if (n < 0) return DPI_MORE;
  if (t == 0x52) {
    // Authentication: length 8 or more, a known request code.
    if (n < 8 || n > MAX_STARTUP) return DPI_UNKNOWN;
    const code = be32at(p, len, 5);
    if (code < 0) return DPI_MORE;
    return code <= 12 && code != 1 && code != 4 && code != 6 ? APP_POSTGRESQL : DPI_UNKNOWN;
  }
  // ErrorResponse: fields start with a field type letter.
  if (n < 5 || n > MAX_STARTUP) return DPI_UNKNOWN;
  const f = u8at(p, len, 5);
  if (f < 0) return DPI_MORE;
  return f >= 0x41 && f <= 0x7a ? APP_POSTGRESQL : DPI_UNKNOWN;
}

export function postgresql(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  // The server never speaks first.
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const kind = clientMessage(cli, cl);
  if (kind < 0) return kind == DPI_MORE ? clientMore(cl, sl) : kind;
  setProvisional(out, APP_POSTGRESQL);
  if (sl == 0 || kind == KIND_CANCEL) return DPI_MORE;
  return serverReply(srv, sl, kind);
}
