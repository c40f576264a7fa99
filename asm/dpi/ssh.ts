// SSH, from the identification line either side opens with (NeuVector dpi_ssh.c ssh_banner):
// `SSH-` then `1` or `2`, `.`, a digit, then printable ASCII up to CR or LF, at most 255 bytes.
// Either side's banner is enough (an `nc` client facing sshd sends none). A banner anywhere but
// at the start of a stream (an HTTP body) is not SSH.
import { APP_SSH } from "./apps";
import { isDigit, lit, LIT_NO, LIT_PART, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

const MAX_LINE: i32 = 255;
const NO: i32 = 0;
const PART: i32 = 1;
const YES: i32 = 2;

/** One side's banner: NO, PART (agrees so far) or YES (complete line). */
function banner(p: usize, len: i32): i32 {
  const m = lit(p, len, 0, "SSH-");
  if (m == LIT_NO) return NO;
  if (m == LIT_PART) return PART;
  const major = u8at(p, len, 4);
  if (major < 0) return PART;
  if (major != 0x31 && major != 0x32) return NO;
  const dot = u8at(p, len, 5);
  if (dot < 0) return PART;
  if (dot != 0x2e) return NO;
  const minor = u8at(p, len, 6);
  if (minor < 0) return PART;
  if (!isDigit(minor)) return NO;
  for (let i = 7; i < MAX_LINE; i++) {
    const c = u8at(p, len, i);
    if (c < 0) return PART;
    if (c == 0x0d || c == 0x0a) return YES;
    if (c < 0x20 || c > 0x7e) return NO;
  }
  return NO;
}

export function ssh(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  const c = cl == 0 ? PART : banner(cli, cl);
  const s = sl == 0 ? PART : banner(srv, sl);
  if (c == YES || s == YES) return APP_SSH;
  if (c == NO && s == NO) return DPI_UNKNOWN;
  // A side that spoke something else while the other stayed silent: not an SSH exchange.
  if ((c == NO && sl == 0) || (s == NO && cl == 0)) return DPI_UNKNOWN;
  return DPI_MORE;
}
