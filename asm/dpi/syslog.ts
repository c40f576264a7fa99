// Syslog over UDP or TCP (NeuVector has no parser; its agent names Syslog). The sender's first
// message opens with a priority `<PRI>` (0-191, no leading zeros) followed by either an RFC 5424
// header (version `1` and a space) or an RFC 3164 timestamp (`Mmm dd hh:mm:ss `, the day padded
// with a space). Over TCP the message may be octet-counted (RFC 6587: a decimal length and a
// space first). The receiver never answers, so the sender's bytes alone decide.
//
// Network gear rarely sends either header as written: Cisco IOS puts a sequence number first and
// marks an unsynchronised clock with `*` (`<189>123: *Mar  1 00:00:01.123: %SYS-5-CONFIG_I: …`),
// timestamps carry milliseconds, many devices leave the timestamp out and send a hostname or a
// program tag (`<13>router1 sshd[77]: …`, `<14>kernel: …`), or key=value bodies (`<189>date=…
// devname=…`). After `<PRI>` these are accepted too: an optional `N: ` sequence, an optional `*`
// or `.`, then the BSD timestamp followed by a space, `.` or `:`; a Cisco `%FACILITY-N-MNEMONIC`;
// or one or two tokens (letters, digits, `_.-/`) of at most 48 bytes, the last one ending in
// `:`, `[` or `=`.
import { APP_SYSLOG } from "./apps";
import { digitCount, digitsAt, isDigit, litList, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

const MONTHS = "Jan |Feb |Mar |Apr |May |Jun |Jul |Aug |Sep |Oct |Nov |Dec ";

/** After the month: `d` a digit, `s` a space or digit (the padded day), anything else itself. */
const DAY_TIME = "sd dd:dd:dd ";
const TOKEN_MAX: i32 = 48;

/** The byte at i agrees with the DAY_TIME class `want`: -1 cut, 0 no, 1 yes. */
function at(p: usize, len: i32, i: i32, want: i32): i32 {
  const c = u8at(p, len, i);
  if (c < 0) return -1;
  if (want == 0x64) return isDigit(c) ? 1 : 0;
  if (want == 0x73) return isDigit(c) || c == 0x20 ? 1 : 0;
  return c == want ? 1 : 0;
}

/** RFC 3164's `Mmm dd hh:mm:ss ` at i (`gear`: the last byte may also be `.` or `:`): APP_SYSLOG, DPI_MORE or DPI_UNKNOWN. */
function bsdTimestamp(p: usize, len: i32, i: i32, gear: bool = false): i32 {
  if (len - i < 4) {
    // Partial month: it must still be able to become one.
    for (let k = i; k < len; k++) {
      const c = <i32>load<u8>(p + <usize>k);
      if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) return DPI_UNKNOWN;
    }
    return DPI_MORE;
  }
  if (litList(p, len, i, MONTHS) == 0) return DPI_UNKNOWN;
  const last = DAY_TIME.length - 1;
  for (let k = 0; k < DAY_TIME.length; k++) {
    const r = at(p, len, i + 4 + k, DAY_TIME.charCodeAt(k));
    if (r < 0) return DPI_MORE;
    if (r == 0) {
      const c = u8at(p, len, i + 4 + k);
      if (!(gear && k == last && (c == 0x2e || c == 0x3a))) return DPI_UNKNOWN;
    }
  }
  return APP_SYSLOG;
}

@inline function tokenChar(c: i32): bool {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || isDigit(c) || c == 0x5f || c == 0x2e || c == 0x2d || c == 0x2f;
}

/** A token at i ending in one of `ends` (or a space when `space`): the index of that byte, -1 (cut) or -2 (no). */
function tokenEnd(p: usize, len: i32, i: i32, space: bool): i32 {
  for (let k = 0; k <= TOKEN_MAX; k++) {
    const c = u8at(p, len, i + k);
    if (c < 0) return -1;
    if (tokenChar(c)) continue;
    if (k > 0 && (c == 0x3a || c == 0x5b || c == 0x3d || (space && c == 0x20))) return i + k;
    return -2;
  }
  return -2;
}

/** Cisco's `%FACILITY-SEVERITY-MNEMONIC` at i (after the `%`). */
function mnemonic(p: usize, len: i32, i: i32): i32 {
  let k = i;
  for (; ; k++) {
    const c = u8at(p, len, k);
    if (c < 0) return DPI_MORE;
    if (c == 0x2d) break;
    if (!((c >= 0x41 && c <= 0x5a) || isDigit(c) || c == 0x5f) || k - i >= TOKEN_MAX) return DPI_UNKNOWN;
  }
  if (k == i) return DPI_UNKNOWN;
  const sev = u8at(p, len, k + 1);
  const dash = u8at(p, len, k + 2);
  if (sev < 0 || dash < 0) return DPI_MORE;
  return sev >= 0x30 && sev <= 0x37 && dash == 0x2d ? APP_SYSLOG : DPI_UNKNOWN;
}

/** What network gear puts after `<PRI>` at h (see the header comment). */
function gear(p: usize, len: i32, h: i32): i32 {
  let i = h;
  const nd = digitCount(p, len, i, 10);
  if (nd > 0 && nd < 10) {
    const c = u8at(p, len, i + nd);
    const sp = u8at(p, len, i + nd + 1);
    if (c < 0 || (c == 0x3a && sp < 0)) return DPI_MORE;
    if (c == 0x3a && sp == 0x20) i += nd + 2;
  }
  const c = u8at(p, len, i);
  if (c < 0) return DPI_MORE;
  if (c == 0x25) return mnemonic(p, len, i + 1);
  const marked = c == 0x2a || c == 0x2e;
  const t = bsdTimestamp(p, len, marked ? i + 1 : i, true);
  if (t != DPI_UNKNOWN || marked || i != h) return t;
  // A hostname and a tag, or a tag alone, or a key=value body.
  const e = tokenEnd(p, len, i, true);
  if (e == -1) return DPI_MORE;
  if (e < 0) return DPI_UNKNOWN;
  if (load<u8>(p + <usize>e) != 0x20) return APP_SYSLOG;
  const e2 = tokenEnd(p, len, e + 1, false);
  return e2 == -1 ? DPI_MORE : e2 < 0 ? DPI_UNKNOWN : APP_SYSLOG;
}

function message(p: usize, len: i32, i: i32): i32 {
  const lt = u8at(p, len, i);
  if (lt < 0) return DPI_MORE;
  if (lt != 0x3c) return DPI_UNKNOWN;
  const nd = digitCount(p, len, i + 1, 4);
  if (nd == 0) return u8at(p, len, i + 1) < 0 ? DPI_MORE : DPI_UNKNOWN;
  if (nd > 3 || (nd > 1 && load<u8>(p + <usize>(i + 1)) == 0x30)) return DPI_UNKNOWN;
  if (digitsAt(p, len, i + 1, 3) > 191) return DPI_UNKNOWN;
  const gt = u8at(p, len, i + 1 + nd);
  if (gt < 0) return DPI_MORE;
  if (gt != 0x3e) return DPI_UNKNOWN;
  const h = i + 2 + nd;
  const v = u8at(p, len, h);
  if (v < 0) return DPI_MORE;
  if (v == 0x31) {
    const sp = u8at(p, len, h + 1);
    if (sp < 0) return DPI_MORE;
    if (sp == 0x20) return APP_SYSLOG;
  }
  const b = bsdTimestamp(p, len, h);
  return b != DPI_UNKNOWN ? b : gear(p, len, h);
}

export function syslog(proto: i32, cli: usize, cl: i32, sl: i32): i32 {
  // The receiver never speaks, let alone first.
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  // TCP octet counting: `NNN <PRI>...`.
  if (proto == 6 && isDigit(<i32>load<u8>(cli))) {
    const nd = digitCount(cli, cl, 0, 6);
    if (nd > 5 || load<u8>(cli) == 0x30) return DPI_UNKNOWN;
    const sp = u8at(cli, cl, nd);
    if (sp < 0) return DPI_MORE;
    if (sp != 0x20) return DPI_UNKNOWN;
    return message(cli, cl, nd + 1);
  }
  return message(cli, cl, 0);
}
