// TFTP (RFC 1350, options RFC 2347), from the client's first datagram: a read or write request,
// opcode 1 or 2, a file name (1-255 visible characters or spaces, NUL-terminated), a transfer
// mode `netascii`, `octet` or `mail` (any case, NUL-terminated), then optional name/value option
// pairs, each NUL-terminated, ending exactly at the end of the datagram. The transfer itself runs
// on a new port pair the server picks: DATA/ACK/ERROR packets (opcodes 3-5) there open no TFTP
// flow, as in NeuVector, whose parser only looks at port 69. The request is recognised on any
// port: its shape is specific enough.
import { APP_TFTP } from "./apps";
import { be16at, findByte, isText, litCI, LIT_YES } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

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

export function tftp(cli: usize, cl: i32, sl: i32): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  return request(cli, cl);
}
