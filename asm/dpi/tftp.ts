// TFTP (RFC 1350, options RFC 2347), from the client's first datagram: a read or write request,
// opcode 1 or 2, a file name (1-255 visible characters or spaces, NUL-terminated), a transfer
// mode `netascii`, `octet` or `mail` (any case, NUL-terminated), then optional name/value option
// pairs, each NUL-terminated, ending exactly at the end of the datagram.
// The transfer runs on a new port pair the server picks, a flow of its own that the server opens:
// DATA block 1 answered by ACK block 1 (a read), ACK block 0 answered by DATA block 1 (a write),
// an option acknowledgement (OACK) answered by ACK 0 or DATA 1, or an ERROR (code 0-8, a message,
// NUL-terminated) on its own. NeuVector's dpi_tftp.c only looks at port 69 and misses these.
// Everything here is recognised on any port: the shapes are specific enough. An OACK nobody
// answered (a one-sided capture of the server) is provisionally TFTP when every option it
// acknowledges is one the RFCs define (blksize 2348, timeout and tsize 2349, windowsize 7440,
// multicast 2090) with a decimal value (multicast: `addr,port,flag`).
import { APP_TFTP } from "./apps";
import { be16at, findByte, isDigit, isText, litCI, LIT_YES, tokenInListCI, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN, setProvisional } from "./result";

const MAX_NAME: i32 = 255;
const MAX_OPTIONS: i32 = 16;

/** A NUL-terminated printable string at i of at most MAX_NAME bytes (min 1): the index after the NUL, or -1. */
function cstring(p: usize, len: i32, i: i32): i32 {
  const nul = findByte(p, len, i, i + MAX_NAME + 1, 0);
  if (nul <= i) return -1;
  for (let k = i; k < nul; k++) if (!isText(<i32>load<u8>(p + <usize>k))) return -1;
  return nul + 1;
}

function request(p: usize, len: i32): i32 {
  const op = be16at(p, len, 0);
  if (op != 1 && op != 2) return DPI_UNKNOWN;
  let i = cstring(p, len, 2);
  if (i < 0) return DPI_UNKNOWN;
  const m = i;
  i = cstring(p, len, m);
  if (i < 0) return DPI_UNKNOWN;
  const modeLen = i - 1 - m;
  const known =
    (modeLen == 8 && litCI(p, len, m, "netascii") == LIT_YES) ||
    (modeLen == 5 && litCI(p, len, m, "octet") == LIT_YES) ||
    (modeLen == 4 && litCI(p, len, m, "mail") == LIT_YES);
  if (!known) return DPI_UNKNOWN;
  for (let k = 0; k < MAX_OPTIONS * 2 && i < len; k++) {
    i = cstring(p, len, i);
    if (i < 0) return DPI_UNKNOWN;
  }
  return i == len ? APP_TFTP : DPI_UNKNOWN;
}

const OP_DATA: i32 = 3;
const OP_ACK: i32 = 4;
const OP_ERROR: i32 = 5;
const OP_OACK: i32 = 6;
const MAX_DATA: i32 = 65464;

/** An ERROR packet: code 0-8, a non-empty printable message, NUL as the last byte. */
function errorPacket(p: usize, len: i32): bool {
  const code = be16at(p, len, 2);
  return be16at(p, len, 0) == OP_ERROR && code >= 0 && code <= 8 && cstring(p, len, 4) == len;
}

/** DATA, ACK or OACK `op` with block `block` (OACK: name/value pairs) filling the datagram. */
function packet(p: usize, len: i32, op: i32, block: i32): bool {
  if (be16at(p, len, 0) != op) return false;
  if (op == OP_ACK) return len == 4 && be16at(p, len, 2) == block;
  if (op == OP_DATA) return len >= 4 && len <= 4 + MAX_DATA && be16at(p, len, 2) == block;
  let i = 2;
  for (let k = 0; k < MAX_OPTIONS * 2 && i < len; k++) {
    i = cstring(p, len, i);
    if (i < 0) return false;
  }
  return i == len && len > 2;
}

/** An OACK's pairs are all known options with decimal values (multicast: digits, dots and commas). */
function knownOptions(p: usize, len: i32): bool {
  let i = 2;
  for (let k = 0; k < MAX_OPTIONS && i < len; k++) {
    const v = cstring(p, len, i);
    const e = v > 0 ? cstring(p, len, v) : -1;
    if (e < 0) return false;
    const multicast = tokenInListCI(p, len, i, v - 1, "multicast");
    if (!multicast && !tokenInListCI(p, len, i, v - 1, "blksize|timeout|tsize|windowsize")) return false;
    for (let j = v; j < e - 1; j++) {
      const c = <i32>load<u8>(p + <usize>j);
      if (!isDigit(c) && !(multicast && (c == 0x2e || c == 0x2c))) return false;
    }
    i = e;
  }
  return i == len;
}

/** The first datagram of a transfer flow (sent by the server's new port), and the answer to it. */
function transfer(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (errorPacket(cli, cl)) return APP_TFTP;
  const op = be16at(cli, cl, 0);
  let answerOp = 0;
  let answerBlock = 0;
  if (packet(cli, cl, OP_DATA, 1)) { answerOp = OP_ACK; answerBlock = 1; }
  else if (packet(cli, cl, OP_ACK, 0) || (op == OP_OACK && packet(cli, cl, OP_OACK, 0))) { answerOp = OP_DATA; answerBlock = 1; }
  else return DPI_UNKNOWN;
  if (op == OP_OACK && knownOptions(cli, cl)) setProvisional(out, APP_TFTP);
  if (sl == 0) return DPI_MORE;
  if (errorPacket(srv, sl) || packet(srv, sl, answerOp, answerBlock)) return APP_TFTP;
  // After an OACK the client acknowledges with ACK 0 (a read).
  return op == OP_OACK && packet(srv, sl, OP_ACK, 0) ? APP_TFTP : DPI_UNKNOWN;
}

export function tftp(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  const op = u8at(cli, cl, 1);
  if (u8at(cli, cl, 0) != 0) return DPI_UNKNOWN;
  return op == 1 || op == 2 ? request(cli, cl) : transfer(cli, cl, srv, sl, out);
}
