// MySQL / MariaDB (NeuVector dpi_mysql.c): the server speaks first with the initial handshake
// packet: a 3-byte little-endian length, sequence 0, protocol version 10 (or 9), a printable
// NUL-terminated server version, then (v10) the connection id, 8 bytes of scramble and a 0x00
// filler. NeuVector caps the greeting at 128 bytes; MariaDB's version strings and plugin names
// make real greetings longer, so the cap here is 512. The client's first packet, when already
// there, must carry sequence 1 (a handshake response or SSL request).
//
// A server that refuses the client before any handshake (`Host '…' is not allowed to connect`,
// `Too many connections`, a blocked host) sends an ERR packet instead of the greeting: sequence 0,
// 0xFF, a server error code (1000-1999 or 3000-4999) and a printable message filling the packet
// exactly, with no SQL-state marker (there is no protocol-41 session yet). The client then says
// nothing more, so the packet is all there is to decide on.
import { APP_MYSQL } from "./apps";
import { isText, le24at, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

const MAX_GREETING: i32 = 512;
const MAX_VERSION: i32 = 64;

/** The greeting at the start of the server prefix: APP_MYSQL, DPI_MORE or DPI_UNKNOWN. */
function greeting(p: usize, len: i32): i32 {
  const n = le24at(p, len, 0);
  if (n < 0) {
    // A greeting is short: the length's high byte is zero.
    return u8at(p, len, 2) > 0 ? DPI_UNKNOWN : DPI_MORE;
  }
  if (n < 18 || n > MAX_GREETING) return DPI_UNKNOWN;
  const seq = u8at(p, len, 3);
  if (seq < 0) return DPI_MORE;
  if (seq != 0) return DPI_UNKNOWN;
  const proto = u8at(p, len, 4);
  if (proto < 0) return DPI_MORE;
  if (proto != 10 && proto != 9) return DPI_UNKNOWN;
  // Server version: printable, NUL-terminated, inside the packet.
  let i = 5;
  for (;;) {
    const c = u8at(p, len, i);
    if (c < 0) return DPI_MORE;
    if (c == 0) break;
    if (!isText(c) || i - 5 >= MAX_VERSION) return DPI_UNKNOWN;
    i++;
  }
  if (i == 5) return DPI_UNKNOWN;
  const end = 4 + n;
  if (proto == 9) return i + 1 + 4 + 9 <= end ? APP_MYSQL : DPI_UNKNOWN;
  // v10: connection id (4), scramble part 1 (8), filler 0, capability flags (2).
  const filler = i + 1 + 4 + 8;
  if (filler + 3 > end) return DPI_UNKNOWN;
  const f = u8at(p, len, filler);
  if (f < 0) return DPI_MORE;
  if (f != 0) return DPI_UNKNOWN;
  // CLIENT_PROTOCOL_41 is set by every server since 4.1.
  const caps = u8at(p, len, filler + 2);
  if (caps < 0) return DPI_MORE;
  return (caps & 0x02) != 0 ? APP_MYSQL : DPI_UNKNOWN;
}

/** A pre-handshake ERR packet filling the server prefix exactly: APP_MYSQL, DPI_MORE or DPI_UNKNOWN. */
function refusal(p: usize, len: i32): i32 {
  const n = le24at(p, len, 0);
  if (n < 4 || n > MAX_GREETING || u8at(p, len, 3) != 0 || u8at(p, len, 4) != 0xff) return DPI_UNKNOWN;
  if (len < 7) return DPI_MORE;
  const code = <i32>u8at(p, len, 5) | (u8at(p, len, 6) << 8);
  if (!((code >= 1000 && code < 2000) || (code >= 3000 && code < 5000))) return DPI_UNKNOWN;
  if (len < 4 + n) return DPI_MORE;
  if (len != 4 + n || u8at(p, len, 7) == 0x23) return DPI_UNKNOWN;
  for (let i = 7; i < len; i++) if (!isText(<i32>load<u8>(p + <usize>i))) return DPI_UNKNOWN;
  return APP_MYSQL;
}

/** The client's first packet header, if any: sequence 1 and a plausible length. */
function clientOk(p: usize, len: i32): i32 {
  if (len == 0) return 1;
  const n = le24at(p, len, 0);
  if (n < 0) return u8at(p, len, 2) > 0 ? DPI_UNKNOWN : DPI_MORE;
  if (n < 4 || n > 0xffff) return DPI_UNKNOWN;
  const seq = u8at(p, len, 3);
  if (seq < 0) return DPI_MORE;
  return seq == 1 ? 1 : DPI_UNKNOWN;
}

export function mysql(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  const c = clientOk(cli, cl);
  if (c == DPI_UNKNOWN) return DPI_UNKNOWN;
  if (sl == 0) return DPI_MORE;
  if (u8at(srv, sl, 4) == 0xff) return refusal(srv, sl);
  const g = greeting(srv, sl);
  if (g == APP_MYSQL && c == DPI_MORE) return DPI_MORE;
  return g;
}
