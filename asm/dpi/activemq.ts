// ActiveMQ, by either of its two wire protocols (NeuVector has no parser: it names ActiveMQ from
// the process).
// - OpenWire: both sides open with a WireFormatInfo command, a 4-byte big-endian size, the data
//   type 1 and the magic `ActiveMQ`, the broker as soon as it accepts: either side's decides.
// - STOMP: the client's CONNECT or STOMP frame, then the server's CONNECTED frame. STOMP also
//   fronts RabbitMQ and Artemis, so only CONNECTED's `server:` header names the broker:
//   `ActiveMQ/...` (classic) and `ActiveMQ-Artemis/...` are ActiveMQ, `RabbitMQ/...` RabbitMQ;
//   any other (or none) is not identified. The header block must be complete (the blank line).
import { APP_ACTIVEMQ, APP_RABBITMQ } from "./apps";
import { findByte, lit, LIT_NO, LIT_PART, LIT_YES, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN } from "./result";

const MAX_WIREFORMAT: i32 = 65536;

/** OpenWire's WireFormatInfo at the start: 1, DPI_MORE or DPI_UNKNOWN. */
function openWire(p: usize, len: i32): i32 {
  for (let k = 0; k < 2; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    if (c != 0) return DPI_UNKNOWN;
  }
  if (u8at(p, len, 2) > (MAX_WIREFORMAT >> 8)) return DPI_UNKNOWN;
  const type = u8at(p, len, 4);
  if (type < 0) return DPI_MORE;
  if (type != 1) return DPI_UNKNOWN;
  const m = lit(p, len, 5, "ActiveMQ");
  return m == LIT_YES ? 1 : m == LIT_PART ? DPI_MORE : DPI_UNKNOWN;
}

/** `CONNECT` or `STOMP` then LF or CR LF: 1, DPI_MORE or DPI_UNKNOWN. */
function stompConnect(p: usize, len: i32): i32 {
  let n = 0;
  let m = lit(p, len, 0, "CONNECT");
  if (m != LIT_NO) n = 7;
  else {
    m = lit(p, len, 0, "STOMP");
    if (m == LIT_NO) return DPI_UNKNOWN;
    n = 5;
  }
  if (m == LIT_PART) return DPI_MORE;
  let c = u8at(p, len, n);
  if (c == 0x0d) c = u8at(p, len, n + 1);
  if (c < 0) return DPI_MORE;
  return c == 0x0a ? 1 : DPI_UNKNOWN;
}

/** The server's CONNECTED frame: the broker its `server:` header names. */
function connected(p: usize, len: i32): i32 {
  const m = lit(p, len, 0, "CONNECTED");
  if (m == LIT_NO) return DPI_UNKNOWN;
  if (m == LIT_PART) return DPI_MORE;
  let i = 9;
  if (u8at(p, len, i) == 0x0d) i++;
  const first = u8at(p, len, i);
  if (first < 0) return DPI_MORE;
  if (first != 0x0a) return DPI_UNKNOWN;
  i++;
  // Header lines up to the blank line; the first `server:` one names the broker.
  while (i < len) {
    const lf = findByte(p, len, i, len, 0x0a);
    if (lf < 0) return len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
    if (lf == i || (lf == i + 1 && load<u8>(p + <usize>i) == 0x0d)) return DPI_UNKNOWN;
    if (lit(p, len, i, "server:") == LIT_YES) {
      if (lit(p, len, i + 7, "ActiveMQ") == LIT_YES) return APP_ACTIVEMQ;
      if (lit(p, len, i + 7, "RabbitMQ/") == LIT_YES) return APP_RABBITMQ;
      return DPI_UNKNOWN;
    }
    i = lf + 1;
  }
  return len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
}

export function activemq(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  const ws = sl == 0 ? DPI_MORE : openWire(srv, sl);
  if (ws == 1) return APP_ACTIVEMQ;
  if (cl == 0) return ws;
  const w = openWire(cli, cl);
  if (w == 1) return APP_ACTIVEMQ;
  const s = stompConnect(cli, cl);
  // The client spoke something else: only a broker that already answered could still decide.
  if (s == DPI_UNKNOWN) return w == DPI_MORE || (ws == DPI_MORE && sl > 0) ? DPI_MORE : DPI_UNKNOWN;
  // A STOMP broker answers a complete CONNECT frame only.
  if (s == DPI_MORE) return clientMore(cl, sl);
  if (sl == 0) return DPI_MORE;
  return connected(srv, sl);
}
