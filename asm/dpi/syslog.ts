// Syslog over UDP or TCP (NeuVector has no parser; its agent names Syslog). The sender's first
// message opens with a priority `<PRI>` (0-191, no leading zeros) followed by either an RFC 5424
// header (version `1` and a space) or an RFC 3164 timestamp (`Mmm dd hh:mm:ss `, the day padded
// with a space). Over TCP the message may be octet-counted (RFC 6587: a decimal length and a
// space first). The receiver never answers, so the sender's bytes alone decide.
import { APP_SYSLOG } from "./apps";
import { digitCount, digitsAt, isDigit, litList, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

const MONTHS = "Jan |Feb |Mar |Apr |May |Jun |Jul |Aug |Sep |Oct |Nov |Dec ";

/** After the month: `d` a digit, `s` a space or digit (the padded day), anything else itself. */
const DAY_TIME = "sd dd:dd:dd ";

/** The byte at i agrees with the DAY_TIME class `want`: -1 cut, 0 no, 1 yes. */
function at(p: usize, len: i32, i: i32, want: i32): i32 {
  const c = u8at(p, len, i);
  if (c < 0) return -1;
  if (want == 0x64) return isDigit(c) ? 1 : 0;
  if (want == 0x73) return isDigit(c) || c == 0x20 ? 1 : 0;
  return c == want ? 1 : 0;
}

/** RFC 3164's `Mmm dd hh:mm:ss ` at i: APP_SYSLOG, DPI_MORE or DPI_UNKNOWN. */
function bsdTimestamp(p: usize, len: i32, i: i32): i32 {
  if (len - i < 4) {
    // Partial month: it must still be able to become one.
    for (let k = i; k < len; k++) {
      const c = <i32>load<u8>(p + <usize>k);
      if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) return DPI_UNKNOWN;
    }
    return DPI_MORE;
  }
  if (litList(p, len, i, MONTHS) == 0) return DPI_UNKNOWN;
  for (let k = 0; k < DAY_TIME.length; k++) {
    const r = at(p, len, i + 4 + k, DAY_TIME.charCodeAt(k));
    if (r < 0) return DPI_MORE;
    if (r == 0) return DPI_UNKNOWN;
  }
  return APP_SYSLOG;
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
  return bsdTimestamp(p, len, h);
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
