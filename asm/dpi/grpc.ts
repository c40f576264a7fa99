// gRPC over cleartext HTTP/2 (NeuVector dpi_grpc.c): the client's connection preface
// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, a SETTINGS frame, then the first HEADERS frame whose
// content-type starts with `application/grpc`. Unlike dpi_grpc.c, which only finds a literal
// new-name `content-type` (gRPC C-core), the header block is decoded (hpack.ts), so grpc-js and Go
// clients, which send an indexed name and a Huffman-coded value, are recognised too.
// etcd v3 is gRPC: it is told apart by the request's :path, `/etcdserverpb.` (KV, Watch, Lease,
// Cluster, Maintenance, Auth), `/v3electionpb.` or `/v3lockpb.`, the services only etcd serves.
import { APP_ETCD, APP_GRPC } from "./apps";
import { be24at, has, lit, LIT_NO, LIT_PART, u8at } from "./bytes";
import { hpackInt, intEnd, skipString, stringStartsWith } from "./hpack";
import { DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN } from "./result";

const PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const PREFACE_LEN: i32 = 24;
const FRAME_HEADER: i32 = 9;
const T_HEADERS: i32 = 1;
const T_PRIORITY: i32 = 2;
const T_SETTINGS: i32 = 4;
const T_PING: i32 = 6;
const T_WINDOW_UPDATE: i32 = 8;
/** Frames before the first HEADERS that are looked through. */
const MAX_FRAMES: i32 = 16;
/** Static table: 4 and 5 are :path, 31 is content-type. */
const IDX_PATH_A: i32 = 4;
const IDX_PATH_B: i32 = 5;
const IDX_CONTENT_TYPE: i32 = 31;

let isGrpc = false;
let isEtcd = false;

/** A literal header's value at i, for name `nameIdx` (0: the name is the literal before it, at nameAt). */
function literalValue(p: usize, len: i32, nameIdx: i32, nameAt: i32, i: i32): void {
  let ct = nameIdx == IDX_CONTENT_TYPE;
  let path = nameIdx == IDX_PATH_A || nameIdx == IDX_PATH_B;
  if (nameIdx == 0) {
    ct = stringStartsWith(p, len, nameAt, "content-type") == 1;
    path = stringStartsWith(p, len, nameAt, ":path") == 1;
  }
  if (ct && stringStartsWith(p, len, i, "application/grpc") == 1) isGrpc = true;
  if (
    path &&
    (stringStartsWith(p, len, i, "/etcdserverpb.") == 1 ||
      stringStartsWith(p, len, i, "/v3electionpb.") == 1 ||
      stringStartsWith(p, len, i, "/v3lockpb.") == 1)
  ) {
    isEtcd = true;
  }
}

/** Walk the header block [i, end): false when it is malformed. Sets isGrpc / isEtcd. */
function headerBlock(p: usize, len: i32, i: i32, end: i32): bool {
  isGrpc = false;
  isEtcd = false;
  while (i < end) {
    const b = <i32>load<u8>(p + <usize>i);
    if ((b & 0x80) != 0) {
      // Indexed field: nothing in the static table is a gRPC content-type.
      const idx = hpackInt(p, len, i, 7);
      if (idx <= 0 || idx > 61) return false;
      i = intEnd;
    } else if ((b & 0xe0) == 0x20) {
      if (hpackInt(p, len, i, 5) < 0) return false;
      i = intEnd;
    } else {
      const nameIdx = hpackInt(p, len, i, (b & 0x40) != 0 ? 6 : 4);
      if (nameIdx < 0 || nameIdx > 61) return false;
      let v = intEnd;
      const nameAt = v;
      if (nameIdx == 0) v = skipString(p, len, v, end);
      if (v < 0) return false;
      const next = skipString(p, len, v, end);
      if (next < 0) return false;
      literalValue(p, len, nameIdx, nameAt, v);
      i = next;
    }
    if (i > end) return false;
  }
  return true;
}

/** Frames after the preface up to the first HEADERS: the app, DPI_MORE or DPI_UNKNOWN. */
function frames(p: usize, len: i32): i32 {
  let i = PREFACE_LEN;
  for (let n = 0; n < MAX_FRAMES; n++) {
    if (!has(len, i, FRAME_HEADER)) return len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
    const flen = be24at(p, len, i);
    const type = u8at(p, len, i + 3);
    const flags = u8at(p, len, i + 4);
    const stream = u8at(p, len, i + 5);
    // The client's first frame is SETTINGS on stream 0, a whole number of 6-byte settings.
    if (n == 0 && (type != T_SETTINGS || flen % 6 != 0 || (flags & 1) != 0)) return DPI_UNKNOWN;
    if (stream >= 0x80 || flen > 16384) return DPI_UNKNOWN;
    if (type == T_HEADERS) {
      if (!(len >= i + FRAME_HEADER + flen)) return len >= DPI_PREFIX_CAP ? DPI_UNKNOWN : DPI_MORE;
      let a = i + FRAME_HEADER;
      let end = a + flen;
      if ((flags & 0x08) != 0) {
        if (flen < 1) return DPI_UNKNOWN;
        end -= <i32>load<u8>(p + <usize>a);
        a++;
      }
      if ((flags & 0x20) != 0) a += 5;
      if (a > end) return DPI_UNKNOWN;
      if (!headerBlock(p, len, a, end) || !isGrpc) return DPI_UNKNOWN;
      return isEtcd ? APP_ETCD : APP_GRPC;
    }
    if (type != T_SETTINGS && type != T_WINDOW_UPDATE && type != T_PRIORITY && type != T_PING) return DPI_UNKNOWN;
    i += FRAME_HEADER + flen;
  }
  return DPI_UNKNOWN;
}

/** The server's first frame, when present: SETTINGS on stream 0. */
function serverOk(p: usize, len: i32): bool {
  const t = u8at(p, len, 3);
  if (t >= 0 && t != T_SETTINGS) return false;
  for (let k = 5; k < 9; k++) {
    const c = u8at(p, len, k);
    if (c > 0) return false;
  }
  return true;
}

export function grpc(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (!serverOk(srv, sl)) return DPI_UNKNOWN;
  if (cl == 0) return DPI_MORE;
  const m = lit(cli, cl, 0, PREFACE);
  if (m == LIT_NO) return DPI_UNKNOWN;
  if (m == LIT_PART) return DPI_MORE;
  return frames(cli, cl);
}
