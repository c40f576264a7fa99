// Redis (NeuVector dpi_redis.c): the client sends a RESP array of bulk strings,
// `*<1-9 digits>\r\n$<digits>\r\n<command>\r\n`, where the command is 1-32 letters (PING, SET,
// CLIENT, HELLO ...), and the server's reply starts with a RESP2 type byte (`+ - : $ *`) or a
// RESP3 one (`% _ , # ( ! = ~ > |`, after HELLO 3). Redis also takes inline commands, a text
// line (`PING\r\n`, `SET k v\r\n`: telnet or nc style), which NeuVector does not identify: here
// the line's first word must be a Redis command (case ignored) and the server's first reply a
// complete RESP line (type byte, text, CR LF), which is what tells Redis from other line protocols
// (memcached answers `get k` with `END`).
import { APP_REDIS } from "./apps";
import { digitCount, digitsAt, findByte, isAlpha, isText, tokenInListCI, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const MAX_COMMAND: i64 = 32;
/** Longest inline line or reply line looked at. */
const MAX_LINE: i32 = 512;
/** Commands people type first; an inline session opening with another one is not identified. */
// One literal, not a concatenation: a concatenation would be computed (allocated) at start-up.
const INLINE = "ping|set|get|quit|auth|info|echo|select|del|exists|keys|hello|client|command|config|incr|decr|incrby|decrby|lpush|rpush|lpop|rpop|llen|lrange|hset|hget|hgetall|hdel|hkeys|sadd|srem|smembers|zadd|zrange|zrem|expire|ttl|pttl|persist|type|scan|mget|mset|setex|setnx|getset|append|strlen|flushall|flushdb|dbsize|subscribe|psubscribe|publish|multi|monitor|save|bgsave|role|time|lastsave|debug|cluster|memory|slowlog|xadd|xrange|xread|eval|evalsha|script|watch|unwatch|discard|exec";

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

/** An inline command line: 1, DPI_MORE or DPI_UNKNOWN. */
function inlineCommand(p: usize, len: i32): i32 {
  let w = 0;
  while (w < len && isAlpha(<i32>load<u8>(p + <usize>w))) w++;
  if (w == len) return w <= 16 ? DPI_MORE : DPI_UNKNOWN;
  const d = <i32>load<u8>(p + <usize>w);
  if ((d != 0x20 && d != 0x0d && d != 0x0a) || !tokenInListCI(p, len, 0, w, INLINE)) return DPI_UNKNOWN;
  const lf = findByte(p, len, w, MAX_LINE, 0x0a);
  for (let i = w; i < (lf < 0 ? min(len, MAX_LINE) : lf); i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (!isText(c) && !(c == 0x0d && (i == lf - 1 || (lf < 0 && i == len - 1)))) return DPI_UNKNOWN;
  }
  if (lf < 0) return len >= MAX_LINE ? DPI_UNKNOWN : DPI_MORE;
  return 1;
}

/** A whole RESP reply line: type byte, text, CR LF. */
function replyLine(p: usize, len: i32): i32 {
  if (!replyType(<i32>load<u8>(p))) return DPI_UNKNOWN;
  for (let i = 1; i < MAX_LINE; i++) {
    const c = u8at(p, len, i);
    if (c < 0) return DPI_MORE;
    if (c == 0x0d) {
      const n = u8at(p, len, i + 1);
      return n < 0 ? DPI_MORE : n == 0x0a ? APP_REDIS : DPI_UNKNOWN;
    }
    if (!isText(c)) return DPI_UNKNOWN;
  }
  return DPI_UNKNOWN;
}

export function redis(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  // Whatever the client sent so far, a server reply that is not RESP rules Redis out.
  if (sl > 0 && !replyType(<i32>load<u8>(srv))) return DPI_UNKNOWN;
  if (<i32>load<u8>(cli) != 0x2a) {
    const i = inlineCommand(cli, cl);
    if (i != 1) return i == DPI_MORE ? clientMore(cl, sl) : i;
    return sl == 0 ? DPI_MORE : replyLine(srv, sl);
  }
  const c = clientArray(cli, cl);
  if (c < 0) return c == DPI_MORE ? clientMore(cl, sl) : c;
  setProvisional(out, APP_REDIS);
  if (sl == 0) return DPI_MORE;
  return replyType(<i32>load<u8>(srv)) ? APP_REDIS : DPI_UNKNOWN;
}
