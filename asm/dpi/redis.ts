// Redis (NeuVector dpi_redis.c): the client sends a RESP array of bulk strings,
// `*<1-9 digits>\r\n$<digits>\r\n<command>\r\n`, where the command is 1-32 letters (PING, SET,
// CLIENT, HELLO ...), and the server's reply starts with a RESP2 type byte (`+ - : $ *`) or a
// RESP3 one (`% _ , # ( ! = ~ > |`, after HELLO 3). Inline commands (`PING\r\n`, telnet style)
// are not identified, as in NeuVector: nothing tells them from any other line protocol.
import { APP_REDIS } from "./apps";
import { digitCount, digitsAt, isAlpha, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const MAX_COMMAND: i64 = 32;

/** CR LF at i: 1 yes, 0 no, -1 not there yet. */
function crlf(p: usize, len: i32, i: i32): i32 {
  const a = u8at(p, len, i);
  if (a < 0) return -1;
  if (a != 0x0d) return 0;
  const b = u8at(p, len, i + 1);
  if (b < 0) return -1;
  return b == 0x0a ? 1 : 0;
}

/** `*N\r\n$L\r\n<command>\r\n` at the start of the client prefix: 1, DPI_MORE or DPI_UNKNOWN. */
function clientArray(p: usize, len: i32): i32 {
  const star = u8at(p, len, 0);
  if (star < 0) return DPI_MORE;
  if (star != 0x2a) return DPI_UNKNOWN;
  const nd = digitCount(p, len, 1, 10);
  if (nd == 0) return len <= 1 ? DPI_MORE : DPI_UNKNOWN;
  if (nd > 9) return DPI_UNKNOWN;
  if (digitsAt(p, len, 1, 9) == 0) return DPI_UNKNOWN;
  let i = 1 + nd;
  let e = crlf(p, len, i);
  if (e != 1) return e < 0 ? DPI_MORE : DPI_UNKNOWN;
  i += 2;
  const dollar = u8at(p, len, i);
  if (dollar < 0) return DPI_MORE;
  if (dollar != 0x24) return DPI_UNKNOWN;
  i++;
  const ld = digitCount(p, len, i, 3);
  if (ld == 0) return i >= len ? DPI_MORE : DPI_UNKNOWN;
  const n = digitsAt(p, len, i, 3);
  i += ld;
  e = crlf(p, len, i);
  if (e != 1) return e < 0 ? DPI_MORE : DPI_UNKNOWN;
  if (n < 1 || n > MAX_COMMAND) return DPI_UNKNOWN;
  i += 2;
  for (let k = 0; k < <i32>n; k++) {
    const c = u8at(p, len, i + k);
    if (c < 0) return DPI_MORE;
    if (!isAlpha(c) && c != 0x2d && c != 0x5f) return DPI_UNKNOWN;
  }
  e = crlf(p, len, i + <i32>n);
  if (e != 1) return e < 0 ? DPI_MORE : DPI_UNKNOWN;
  return 1;
}

/** RESP2 and RESP3 type bytes. */
function replyType(c: i32): bool {
  return (
    c == 0x2b || c == 0x2d || c == 0x3a || c == 0x24 || c == 0x2a || // + - : $ *
    c == 0x25 || c == 0x5f || c == 0x2c || c == 0x23 || c == 0x28 || // % _ , # (
    c == 0x21 || c == 0x3d || c == 0x7e || c == 0x3e || c == 0x7c // ! = ~ > |
  );
}

export function redis(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = clientArray(cli, cl);
  if (c < 0) return c;
  setProvisional(out, APP_REDIS);
  if (sl == 0) return DPI_MORE;
  return replyType(<i32>load<u8>(srv)) ? APP_REDIS : DPI_UNKNOWN;
}
