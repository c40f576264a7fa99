// MongoDB wire protocol (NeuVector dpi_mongodb.c): little-endian 16-byte message headers
// (messageLength, requestID, responseTo, opCode). The client's first message has responseTo 0, a
// request opcode and a body that fits it (mongodb-ops.ts): the legacy OP_UPDATE, OP_INSERT,
// OP_QUERY, OP_GET_MORE, OP_DELETE, OP_KILL_CURSORS, OP_COMMAND, and today's OP_COMPRESSED and
// OP_MSG. It is MongoDB when the server's first message answers one of the client's: a reply
// opcode (OP_REPLY, OP_COMMANDREPLY, OP_COMPRESSED, OP_MSG) and responseTo equal to the requestID
// of a whole client message (legacy writes get no reply: a driver sends getLastError after an
// OP_INSERT, and the reply answers that). A whole, well-formed first message with no reply yet is
// provisionally MongoDB.
import { APP_MONGODB } from "./apps";
import { le32at, u8at } from "./bytes";
import { MAX_MESSAGE, OK, OP_COMMANDREPLY, OP_COMPRESSED, OP_MSG, OP_REPLY, requestBody, requestOp } from "./mongodb-ops";
import { clientMore, cutShort, DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const HEADER: i32 = 16;
/** Client messages whose requestIDs a first reply may answer. */
const MAX_ANSWERED: i32 = 8;

function replyOp(op: i64): bool {
  return op == OP_REPLY || op == OP_COMMANDREPLY || op == OP_COMPRESSED || op == OP_MSG;
}

/** The header's length at i: 1 when it fits; before all four bytes are there, its high byte (under 48 MB). */
function lengthOk(p: usize, len: i32, i: i32): i32 {
  const n = le32at(p, len, i);
  if (n < 0) return u8at(p, len, i + 3) > 2 ? DPI_UNKNOWN : DPI_MORE;
  return n >= HEADER && n <= MAX_MESSAGE ? 1 : DPI_UNKNOWN;
}

/** The client's first message: OK when whole and well formed, 2 when its header fits and the body so far, DPI_MORE, DPI_UNKNOWN. */
function client(p: usize, len: i32): i32 {
  const l = lengthOk(p, len, 0);
  if (l != 1) return l;
  for (let k = 8; k < 12; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    if (c != 0) return DPI_UNKNOWN;
  }
  const op = le32at(p, len, 12);
  if (op < 0) return DPI_MORE;
  if (!requestOp(op)) return DPI_UNKNOWN;
  const b = requestBody(p, len, op, <i32>le32at(p, len, 0));
  return b == DPI_MORE ? 2 : b;
}

/** Is `id` the requestID of one of the client's first whole messages? */
function answers(cli: usize, cl: i32, id: i64): bool {
  let i = 0;
  for (let k = 0; k < MAX_ANSWERED; k++) {
    const n = le32at(cli, cl, i);
    if (n < HEADER || <i64>i + n > <i64>cl) return false;
    if (le32at(cli, cl, i + 4) == id) return true;
    i += <i32>n;
  }
  return false;
}

export function mongodb(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const c = client(cli, cl);
  if (c == DPI_UNKNOWN) return c;
  if (c == DPI_MORE) return clientMore(cl, sl);
  if (c == OK) setProvisional(out, APP_MONGODB);
  if (sl == 0) return DPI_MORE;
  if (cutShort(cl, sl, le32at(cli, cl, 0))) return DPI_UNKNOWN;
  const l = lengthOk(srv, sl, 0);
  if (l != 1) return l;
  const responseTo = le32at(srv, sl, 8);
  if (responseTo < 0) return DPI_MORE;
  if (!answers(cli, cl, responseTo)) return DPI_UNKNOWN;
  const op = le32at(srv, sl, 12);
  if (op < 0) return DPI_MORE;
  return replyOp(op) ? APP_MONGODB : DPI_UNKNOWN;
}
