// Apache Kafka (NeuVector dpi_kafka.c). The client's first request: 4-byte big-endian size
// (at most 10 MB, and at least the header), api_key, api_version, correlation_id, then the
// client_id as a nullable int16-length string of printable characters. It is Kafka when the
// server's first response (size, then correlation_id) carries the same correlation id.
// NeuVector stops at api_key 16 and api_version 4, which misses every modern client: kafkajs
// and librdkafka open with ApiVersions (18) and use versions above 4. Here api_key may be any of
// today's keys (0-74) and api_version up to 20.
import { APP_KAFKA } from "./apps";
import { be16at, be32at, has, isText, u8at } from "./bytes";
import { clientMore, cutShort, DPI_MORE, DPI_UNKNOWN } from "./result";

const MAX_SIZE: i64 = 10 * 1024 * 1024;
const MAX_API_KEY: i32 = 74;
const MAX_API_VERSION: i32 = 20;
/** api_key, api_version, correlation_id, client_id length. */
const MIN_REQUEST: i64 = 10;
const MAX_CLIENT_ID: i32 = 255;

/** The size field: -1 cut (but its first byte fits), 0 bad, else the size. */
function size(p: usize, len: i32, min: i64): i64 {
  const n = be32at(p, len, 0);
  if (n < 0) return u8at(p, len, 0) > 0 ? 0 : -1;
  return n >= min && n <= MAX_SIZE ? n : 0;
}

/** The client's first request header: 1, DPI_MORE or DPI_UNKNOWN. */
function request(p: usize, len: i32): i32 {
  const n = size(p, len, MIN_REQUEST);
  if (n == 0) return DPI_UNKNOWN;
  if (n < 0) return DPI_MORE;
  const key = be16at(p, len, 4);
  if (key < 0) return DPI_MORE;
  if (key > MAX_API_KEY) return DPI_UNKNOWN;
  const version = be16at(p, len, 6);
  if (version < 0) return DPI_MORE;
  if (version > MAX_API_VERSION) return DPI_UNKNOWN;
  const idLen = be16at(p, len, 12);
  if (idLen < 0) return DPI_MORE;
  if (idLen == 0xffff) return 1;
  if (idLen > MAX_CLIENT_ID || <i64>idLen + MIN_REQUEST > n) return DPI_UNKNOWN;
  for (let k = 0; k < idLen; k++) {
    const c = u8at(p, len, 14 + k);
    if (c < 0) return DPI_MORE;
    if (!isText(c)) return DPI_UNKNOWN;
  }
  return 1;
}

export function kafka(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = request(cli, cl);
  if (c != 1) return c == DPI_MORE ? clientMore(cl, sl) : c;
  if (sl == 0) return DPI_MORE;
  if (cutShort(cl, sl, 4 + be32at(cli, cl, 0))) return DPI_UNKNOWN;
  const n = size(srv, sl, 4);
  if (n == 0) return DPI_UNKNOWN;
  if (!has(sl, 4, 4)) return DPI_MORE;
  return be32at(srv, sl, 4) == be32at(cli, cl, 8) ? APP_KAFKA : DPI_UNKNOWN;
}
