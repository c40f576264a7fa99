// Apache Spark's RPC (network-common's MessageEncoder; NeuVector dpi_spark.c). Every message is
// framed by an 8-byte big-endian frame length that counts itself, then a type byte. The client's
// first message is an RpcRequest (type 3: request id (8), body length (4), body), whose frame
// length is exactly 21 + body length, or a OneWayMessage (type 9: body length (4), body), 13 +
// body length. That equation over the first 21 bytes decides (frames are below 2^32 bytes), as
// in dpi_spark.c; the client sends it before the server says anything.
import { APP_SPARK } from "./apps";
import { be32at, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_UNKNOWN } from "./result";

const T_RPC_REQUEST: i32 = 3;
const T_ONE_WAY: i32 = 9;

/** The frame length's first four bytes are zero (frames are far below 4 GiB). */
function highZero(p: usize, len: i32): i32 {
  for (let k = 0; k < 4; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    if (c != 0) return DPI_UNKNOWN;
  }
  return 1;
}

/** The client's first frame: 1, DPI_MORE or DPI_UNKNOWN. */
function request(p: usize, len: i32): i32 {
  const z = highZero(p, len);
  if (z != 1) return z;
  const type = u8at(p, len, 8);
  if (type < 0) return DPI_MORE;
  if (type == T_RPC_REQUEST) {
    const body = be32at(p, len, 17);
    if (body < 0) return DPI_MORE;
    return be32at(p, len, 4) == body + 21 ? 1 : DPI_UNKNOWN;
  }
  if (type == T_ONE_WAY) {
    const body = be32at(p, len, 9);
    if (body < 0) return DPI_MORE;
    return be32at(p, len, 4) == body + 13 ? 1 : DPI_UNKNOWN;
  }
  return DPI_UNKNOWN;
}

export function spark(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = request(cli, cl);
  return c == 1 ? APP_SPARK : c == DPI_MORE ? clientMore(cl, sl) : c;
}
