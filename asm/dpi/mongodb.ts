// MongoDB wire protocol (NeuVector dpi_mongodb.c): little-endian 16-byte message headers
// (messageLength, requestID, responseTo, opCode). The client's first message has responseTo 0 and
// a request opcode; it is MongoDB when the server's first message answers it: a reply opcode and
// responseTo equal to the client's requestID. Besides NeuVector's opcodes (OP_UPDATE..OP_KILL_CURSORS,
// OP_COMMAND, OP_REPLY), OP_COMPRESSED (2012) and OP_MSG (2013), today's only ones, are accepted.
import { APP_MONGODB } from "./apps";
import { le32at, u8at } from "./bytes";
import { clientMore, cutShort, DPI_MORE, DPI_UNKNOWN } from "./result";

const HEADER: i32 = 16;
/** maxMessageSizeBytes of every server since 2.6. */
const MAX_MESSAGE: i64 = 48000000;

function requestOp(op: i64): bool {
  return (op >= 2001 && op <= 2002) || (op >= 2004 && op <= 2007) || op == 2010 || op == 2012 || op == 2013;
}

function replyOp(op: i64): bool {
  return op == 1 || op == 2011 || op == 2012 || op == 2013;
}

/** The header's length: 1 when it fits; before all four bytes are there, its high byte (under 48 MB). */
function lengthOk(p: usize, len: i32): i32 {
  const n = le32at(p, len, 0);
  if (n < 0) return u8at(p, len, 3) > 2 ? DPI_UNKNOWN : DPI_MORE;
  return n >= HEADER && n <= MAX_MESSAGE ? 1 : DPI_UNKNOWN;
}

/** The client's first header: 1, DPI_MORE or DPI_UNKNOWN. */
function client(p: usize, len: i32): i32 {
  const l = lengthOk(p, len);
  if (l != 1) return l;
  for (let k = 8; k < 12; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    if (c != 0) return DPI_UNKNOWN;
  }
  const op = le32at(p, len, 12);
  if (op < 0) return DPI_MORE;
  return requestOp(op) ? 1 : DPI_UNKNOWN;
}

export function mongodb(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = client(cli, cl);
  if (c != 1) return c == DPI_MORE ? clientMore(cl, sl) : c;
  if (sl == 0) return DPI_MORE;
  if (cutShort(cl, sl, le32at(cli, cl, 0))) return DPI_UNKNOWN;
  const l = lengthOk(srv, sl);
  if (l != 1) return l;
  const requestId = le32at(cli, cl, 4);
  const responseTo = le32at(srv, sl, 8);
  if (responseTo < 0) return DPI_MORE;
  if (responseTo != requestId) return DPI_UNKNOWN;
  const op = le32at(srv, sl, 12);
  if (op < 0) return DPI_MORE;
  return replyOp(op) ? APP_MONGODB : DPI_UNKNOWN;
}
