// Apache Kafka (NeuVector dpi_kafka.c). The client's first request: 4-byte big-endian size
// (at most 10 MB, and at least the header), api_key, api_version, correlation_id, then the
// client_id as a nullable int16-length string of printable characters (request header v1; v2,
// the flexible one, keeps that old-style client_id and adds tagged fields after it). It is Kafka
// when the server's first response (size, then correlation_id) carries the same correlation id;
// a request with a non-empty client id is provisionally Kafka before that (one-sided captures).
//
// api_version is checked per api_key against the Kafka protocol's own message definitions
// (clients/src/main/resources/common/message/*Request.json, validVersions, at apache/kafka
// 1eb7644 of October 2024; keys 0-87: Produce 0-11, Fetch 0-17, Metadata 0-12, ApiVersions 0-4,
// ...), plus HEADROOM versions for releases
// after that table (Produce v12 came in Kafka 4.0): a version far above what any release defines
// is no Kafka client. Keys 88-95 (newer APIs, e.g. the share-group and streams-group ones) may be
// at most HEADROOM. NeuVector stops at api_key 16 and api_version 4, which misses every modern
// client: kafkajs and librdkafka open with ApiVersions (18) at versions above 4.
import { APP_KAFKA } from "./apps";
import { be16at, be32at, has, isText, u8at } from "./bytes";
import { clientMore, cutShort, DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const MAX_SIZE: i64 = 10 * 1024 * 1024;
/** api_key, api_version, correlation_id, client_id length. */
const MIN_REQUEST: i64 = 10;
const MAX_CLIENT_ID: i32 = 255;
const HEADROOM: i32 = 3;
const KEYS: i32 = 96;
const CONTROLLED_SHUTDOWN: i32 = 7;
/** The highest api_version each api_key defines (index = api_key); keys 88-95: 0. */
const MAX_VERSION = memory.data<u8>([
  11, 17, 10, 12, 7, 4, 8, 3, 9, 9, 6, 9, 4, 5, 5, 5, 5, 1, 4, 7, 6, 2, 5, 4, 5, 4, 5, 1, 4, 3,
  3, 3, 4, 2, 2, 4, 2, 3, 3, 2, 2, 3, 2, 2, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 2, 3, 2, 0, 1,
  1, 0, 4, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0,
]);

/** The size field: -1 cut (but its first byte fits), 0 bad, else the size. */
function size(p: usize, len: i32, min: i64): i64 {
  const n = be32at(p, len, 0);
  if (n < 0) return u8at(p, len, 0) > 0 ? 0 : -1;
  return n >= min && n <= MAX_SIZE ? n : 0;
}

/**
 * The client's first request header: 2 (with a client id), 1 (null client id, or request header
 * v0: ControlledShutdown v0 carries only a broker id), DPI_MORE or DPI_UNKNOWN.
 */
function request(p: usize, len: i32): i32 {
  const n = size(p, len, MIN_REQUEST);
  if (n == 0) return DPI_UNKNOWN;
  if (n < 0) return DPI_MORE;
  const key = be16at(p, len, 4);
  if (key < 0) return DPI_MORE;
  if (key >= KEYS) return DPI_UNKNOWN;
  const version = be16at(p, len, 6);
  if (version < 0) return DPI_MORE;
  if (version > <i32>load<u8>(MAX_VERSION + <usize>key) + HEADROOM) return DPI_UNKNOWN;
  if (key == CONTROLLED_SHUTDOWN && version == 0) return n == 12 ? 1 : DPI_UNKNOWN;
  const idLen = be16at(p, len, 12);
  if (idLen < 0) return DPI_MORE;
  if (idLen == 0xffff) return 1;
  if (idLen > MAX_CLIENT_ID || <i64>idLen + MIN_REQUEST > n) return DPI_UNKNOWN;
  for (let k = 0; k < idLen; k++) {
    const c = u8at(p, len, 14 + k);
    if (c < 0) return DPI_MORE;
    if (!isText(c)) return DPI_UNKNOWN;
  }
  return idLen > 0 ? 2 : 1;
}

export function kafka(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = request(cli, cl);
  if (c < 0) return c == DPI_MORE ? clientMore(cl, sl) : c;
  if (c == 2) setProvisional(out, APP_KAFKA);
  if (sl == 0) return DPI_MORE;
  if (cutShort(cl, sl, 4 + be32at(cli, cl, 0))) return DPI_UNKNOWN;
  const n = size(srv, sl, 4);
  if (n == 0) return DPI_UNKNOWN;
  if (!has(sl, 4, 4)) return DPI_MORE;
  return be32at(srv, sl, 4) == be32at(cli, cl, 8) ? APP_KAFKA : DPI_UNKNOWN;
}
