// ZooKeeper's client protocol (NeuVector dpi_zookeeper.c): the session opens with a
// ConnectRequest, a length-prefixed (big-endian) record: protocolVersion 0, lastZxidSeen (8),
// timeOut (4, positive), sessionId (8), passwd (4-byte length, at most 16 bytes), and since 3.4 a
// readOnly byte (0 or 1). Its length must be exactly that record's, which four-letter words
// (`ruok`, `srvr`: admin commands on the same port) never are. The request alone decides: the
// client sends it before the server says anything, so the answer never has to wait for the server.
import { APP_ZOOKEEPER } from "./apps";
import { be32at, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

const MAX_PASSWD: i64 = 16;
/** ConnectRequest fields before the passwd: version (4), zxid (8), timeOut (4), sessionId (8). */
const FIXED: i64 = 24;
const TIMEOUT_AT: i32 = 4 + 12;

/** The ConnectRequest at the start of p: 1, DPI_MORE or DPI_UNKNOWN. */
function connectRequest(p: usize, len: i32): i32 {
  // The length prefix is small: its first three bytes are 0.
  for (let k = 0; k < 3; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    if (c != 0) return DPI_UNKNOWN;
  }
  const n = be32at(p, len, 0);
  if (n < 0) return DPI_MORE;
  if (n < FIXED + 4 || n > FIXED + 4 + MAX_PASSWD + 1) return DPI_UNKNOWN;
  const version = be32at(p, len, 4);
  if (version < 0) return DPI_MORE;
  if (version != 0) return DPI_UNKNOWN;
  const timeout = be32at(p, len, TIMEOUT_AT);
  if (timeout < 0) return DPI_MORE;
  if (timeout == 0 || timeout > 0x7fffffff) return DPI_UNKNOWN;
  const pw = be32at(p, len, 4 + <i32>FIXED);
  if (pw < 0) return DPI_MORE;
  if (pw > MAX_PASSWD) return DPI_UNKNOWN;
  const body = FIXED + 4 + pw;
  if (n != body && n != body + 1) return DPI_UNKNOWN;
  if (n == body + 1) {
    const ro = u8at(p, len, 4 + <i32>body);
    if (ro < 0) return DPI_MORE;
    if (ro > 1) return DPI_UNKNOWN;
  }
  return 1;
}

export function zookeeper(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = connectRequest(cli, cl);
  return c == 1 ? APP_ZOOKEEPER : c;
}
