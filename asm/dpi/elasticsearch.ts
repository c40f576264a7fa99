// Elasticsearch's transport protocol (node-to-node and transport clients, port 9300), from its
// TcpHeader: `E` `S`, a big-endian int32 size of the rest of the message, an int64 request id,
// a status byte (bit 0 response, 1 error, 2 compressed, 3 handshake), the sender's version id
// (major * 1000000 + minor * 10000 + revision * 100 + 99 before 8.x; a TransportVersion id
// since, also seven or eight digits), and, from 7.6.0 (id 7060099) on, an int32 size of the
// variable header that follows. The old variant (1.x to 7.5) stops after the version.
// The client's first message is a request (a handshake on every connection since 6.x); it is
// Elasticsearch when the server's first message is a response carrying the same request id;
// a whole, consistent request header alone is provisionally Elasticsearch. Its HTTP API on
// 9200 is HTTP with the `X-elastic-product` header (http-products.ts).
import { APP_ELASTICSEARCH } from "./apps";
import { be32at, has, lit, LIT_NO, LIT_PART, u8at } from "./bytes";
import { clientMore, cutShort, DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const MIN_VERSION: i64 = 1000099;
const MAX_VERSION: i64 = 99999999;
const WITH_HEADER_SIZE: i64 = 7060099;
/** request id, status, version */
const FIXED: i64 = 13;
const MAX_SIZE: i64 = 104857600;
const STATUS_RESPONSE: i32 = 1;
const STATUS_ERROR: i32 = 2;

/** A message header at 0: its size (after the 6-byte prefix), DPI_MORE or DPI_UNKNOWN. */
function header(p: usize, len: i32, request: bool): i64 {
  const m = lit(p, len, 0, "ES");
  if (m == LIT_NO) return DPI_UNKNOWN;
  if (m == LIT_PART) return DPI_MORE;
  const n = be32at(p, len, 2);
  if (n < 0) return u8at(p, len, 2) > 6 ? DPI_UNKNOWN : DPI_MORE;
  if (n < FIXED || n > MAX_SIZE) return DPI_UNKNOWN;
  const status = u8at(p, len, 14);
  if (status < 0) return DPI_MORE;
  // Only the four defined bits; a client's first message is a request and no error.
  if ((status & 0xf0) != 0) return DPI_UNKNOWN;
  if (request && (status & (STATUS_RESPONSE | STATUS_ERROR)) != 0) return DPI_UNKNOWN;
  if (!request && (status & STATUS_RESPONSE) == 0) return DPI_UNKNOWN;
  const v = be32at(p, len, 15);
  if (v < 0) return DPI_MORE;
  if (v < MIN_VERSION || v > MAX_VERSION) return DPI_UNKNOWN;
  if (v < WITH_HEADER_SIZE) return n;
  const h = be32at(p, len, 19);
  if (h < 0) return DPI_MORE;
  return n >= FIXED + 4 && h <= n - FIXED - 4 ? n : DPI_UNKNOWN;
}

export function elasticsearch(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const n = header(cli, cl, true);
  if (n == DPI_UNKNOWN) return DPI_UNKNOWN;
  if (n == DPI_MORE) return clientMore(cl, sl);
  setProvisional(out, APP_ELASTICSEARCH);
  if (sl == 0) return DPI_MORE;
  if (cutShort(cl, sl, 6 + n)) return DPI_UNKNOWN;
  const r = header(srv, sl, false);
  if (r == DPI_UNKNOWN) return DPI_UNKNOWN;
  if (r == DPI_MORE) return DPI_MORE;
  if (!has(sl, 6, 8)) return DPI_MORE;
  return load<u64>(srv + 6) == load<u64>(cli + 6) ? APP_ELASTICSEARCH : DPI_UNKNOWN;
}
