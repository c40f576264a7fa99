// Memcached's text protocol: the client's first command line, checked against the arguments
// each command takes (protocol.txt): storage commands need a key, numeric flags, exptime and
// byte count; retrievals one key or more; meta commands (mg, ms, ...) a key and flags. Keys are
// 1-250 visible characters; tokens are separated by single spaces; the line ends in CR LF or LF.
import { findByte, isDigit, isGraph, litList, tokenInListCI } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

/** Longest command line looked at: a key is at most 250 bytes and a line carries a few numbers. */
const MAX_LINE: i32 = 512;
const MAX_KEY: i32 = 250;
const MAX_TOKENS: i32 = 24;

const STORAGE = "set|add|replace|append|prepend";
const RETRIEVAL = "gets|get";
const TOUCH_GET = "gats|gat";
const ARITH = "incr|decr";
const META = "mg|ms|md|ma|me";
const BARE = "version|quit|stats|mn|flush_all|verbosity|lru_crawler|slabs|watch|cache_memlimit";
/** Every command word, for a line still incomplete. */
const COMMANDS =
  "set|add|replace|append|prepend|cas|gets|get|gats|gat|delete|incr|decr|touch|mg|ms|md|ma|me|version|quit|stats|mn|flush_all|verbosity|lru_crawler|slabs|watch|cache_memlimit";

// Kinds of argument checks.
const K_KEY: i32 = 1;
const K_NUM: i32 = 2;
const K_ANY: i32 = 3;

/** Is the token [a, b) of kind k? */
function tokenIs(p: usize, a: i32, b: i32, k: i32): bool {
  const n = b - a;
  if (n < 1) return false;
  if (k == K_NUM) {
    let i = a;
    if (load<u8>(p + <usize>i) == 0x2d && n > 1) i++;
    for (; i < b; i++) if (!isDigit(<i32>load<u8>(p + <usize>i))) return false;
    return n <= 20;
  }
  for (let i = a; i < b; i++) if (!isGraph(<i32>load<u8>(p + <usize>i))) return false;
  return k != K_KEY || n <= MAX_KEY;
}

/**
 * Check the tokens after the command in [i, end): `pattern` lists the kinds of the required
 * tokens (one digit each), `extraKind` the kind of any further ones, up to `maxExtra` of them.
 */
function args(p: usize, i: i32, end: i32, pattern: string, extraKind: i32, maxExtra: i32): bool {
  let t = 0;
  while (i < end) {
    if (load<u8>(p + <usize>i) != 0x20) return false;
    i++;
    let j = i;
    while (j < end && load<u8>(p + <usize>j) != 0x20) j++;
    const kind = t < pattern.length ? pattern.charCodeAt(t) - 0x30 : extraKind;
    if (t >= pattern.length + maxExtra || !tokenIs(p, i, j, kind)) return false;
    t++;
    i = j;
    if (t > MAX_TOKENS) return false;
  }
  return t >= pattern.length;
}

/** The client's first line: 1, DPI_MORE or DPI_UNKNOWN. */
export function textCommand(p: usize, len: i32): i32 {
  const lf = findByte(p, len, 0, MAX_LINE, 0x0a);
  if (lf < 0) {
    // The command word, then whatever follows, until the line is complete.
    for (let i = 0; i < len && i < 16; i++) {
      const c = <i32>load<u8>(p + <usize>i);
      if (c == 0x20) return tokenInListCI(p, len, 0, i, COMMANDS) && len < MAX_LINE ? DPI_MORE : DPI_UNKNOWN;
      if (!((c >= 0x61 && c <= 0x7a) || c == 0x5f)) return DPI_UNKNOWN;
    }
    return len >= 16 ? DPI_UNKNOWN : DPI_MORE;
  }
  const end = lf > 0 && load<u8>(p + <usize>(lf - 1)) == 0x0d ? lf - 1 : lf;
  let w = 0;
  // Commands are whole tokens: the word must be followed by a space or the line end.
  let ok = false;
  if ((w = litList(p, len, 0, STORAGE)) > 0) ok = args(p, w, end, "1222", K_ANY, 1);
  else if ((w = litList(p, len, 0, "cas")) > 0) ok = args(p, w, end, "12222", K_ANY, 1);
  else if ((w = litList(p, len, 0, RETRIEVAL)) > 0) ok = args(p, w, end, "1", K_KEY, MAX_TOKENS);
  else if ((w = litList(p, len, 0, TOUCH_GET)) > 0) ok = args(p, w, end, "21", K_KEY, MAX_TOKENS);
  else if ((w = litList(p, len, 0, "delete")) > 0) ok = args(p, w, end, "1", K_ANY, 2);
  else if ((w = litList(p, len, 0, ARITH)) > 0) ok = args(p, w, end, "12", K_ANY, 1);
  else if ((w = litList(p, len, 0, "touch")) > 0) ok = args(p, w, end, "12", K_ANY, 1);
  else if ((w = litList(p, len, 0, META)) > 0) ok = args(p, w, end, "1", K_ANY, MAX_TOKENS);
  else if ((w = litList(p, len, 0, BARE)) > 0) ok = args(p, w, end, "", K_ANY, 4);
  return ok ? 1 : DPI_UNKNOWN;
}
