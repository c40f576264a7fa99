// Bounds-checked reads over one direction's payload prefix [p, p + len). Every parser reads only
// through these helpers (or through a raw load right after `has` proved the bytes are there), so
// no input can make a load leave the prefix. Lengths are i32 and never negative here: identify
// clamps them before any parser runs.

/** Literal comparison outcomes: the bytes differ, agree but the prefix ends first, or match fully. */
export const LIT_NO: i32 = 0;
export const LIT_PART: i32 = -1;
export const LIT_YES: i32 = 1;

/** [i, i + n) lies inside a prefix of `len` bytes. */
@inline export function has(len: i32, i: i32, n: i32): bool {
  return i >= 0 && n >= 0 && i <= len - n;
}

/** Byte i, or -1 past the end. */
@inline export function u8at(p: usize, len: i32, i: i32): i32 {
  return has(len, i, 1) ? <i32>load<u8>(p + <usize>i) : -1;
}

/** Big-endian u16 at i, or -1 past the end. */
@inline export function be16at(p: usize, len: i32, i: i32): i32 {
  if (!has(len, i, 2)) return -1;
  const a = p + <usize>i;
  return (<i32>load<u8>(a) << 8) | <i32>load<u8>(a + 1);
}

/** Little-endian u16 at i, or -1 past the end. */
@inline export function le16at(p: usize, len: i32, i: i32): i32 {
  if (!has(len, i, 2)) return -1;
  const a = p + <usize>i;
  return <i32>load<u8>(a) | (<i32>load<u8>(a + 1) << 8);
}

/** Big-endian u24 at i, or -1 past the end. */
@inline export function be24at(p: usize, len: i32, i: i32): i32 {
  if (!has(len, i, 3)) return -1;
  const a = p + <usize>i;
  return (<i32>load<u8>(a) << 16) | (<i32>load<u8>(a + 1) << 8) | <i32>load<u8>(a + 2);
}

/** Little-endian u24 at i, or -1 past the end. */
@inline export function le24at(p: usize, len: i32, i: i32): i32 {
  if (!has(len, i, 3)) return -1;
  const a = p + <usize>i;
  return <i32>load<u8>(a) | (<i32>load<u8>(a + 1) << 8) | (<i32>load<u8>(a + 2) << 16);
}

/** Big-endian u32 at i (as a non-negative i64), or -1 past the end. */
@inline export function be32at(p: usize, len: i32, i: i32): i64 {
  if (!has(len, i, 4)) return -1;
  return <i64>bswap<u32>(load<u32>(p + <usize>i));
}

/** Little-endian u32 at i (as a non-negative i64), or -1 past the end. */
@inline export function le32at(p: usize, len: i32, i: i32): i64 {
  if (!has(len, i, 4)) return -1;
  return <i64>load<u32>(p + <usize>i);
}

/** Raw big-endian u64 at i; the caller proved has(len, i, 8). */
@inline export function be64raw(p: usize, i: i32): u64 {
  return bswap<u64>(load<u64>(p + <usize>i));
}

/** Do the bytes at i spell the ASCII literal `s`? LIT_PART when they agree up to the end of the prefix. */
export function lit(p: usize, len: i32, i: i32, s: string): i32 {
  const n = s.length;
  if (i < 0) return LIT_NO;
  for (let k = 0; k < n; k++) {
    if (i + k >= len) return LIT_PART;
    if (<i32>load<u8>(p + <usize>(i + k)) != s.charCodeAt(k)) return LIT_NO;
  }
  return LIT_YES;
}

/** ASCII lower case of one byte. */
@inline export function lower(c: i32): i32 {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** `lit` ignoring ASCII case; `s` is given in lower case. */
export function litCI(p: usize, len: i32, i: i32, s: string): i32 {
  const n = s.length;
  if (i < 0) return LIT_NO;
  for (let k = 0; k < n; k++) {
    if (i + k >= len) return LIT_PART;
    if (lower(<i32>load<u8>(p + <usize>(i + k))) != s.charCodeAt(k)) return LIT_NO;
  }
  return LIT_YES;
}

/** The literal occurs anywhere in [from, to) (ASCII case ignored; `s` in lower case). */
export function containsCI(p: usize, len: i32, from: i32, to: i32, s: string): bool {
  const end = min(to, len) - s.length;
  for (let i = max(from, 0); i <= end; i++) if (litCI(p, len, i, s) == LIT_YES) return true;
  return false;
}

/** Index of the first byte `b` in [from, to), or -1. */
export function findByte(p: usize, len: i32, from: i32, to: i32, b: i32): i32 {
  const end = min(to, len);
  for (let i = max(from, 0); i < end; i++) if (<i32>load<u8>(p + <usize>i) == b) return i;
  return -1;
}

/** Index of the first "\r\n\r\n" at or after `from`, or -1. */
export function findHeaderEnd(p: usize, len: i32, from: i32): i32 {
  for (let i = max(from, 0); i + 3 < len; i++) {
    if (load<u8>(p + <usize>i) == 0x0d && load<u32>(p + <usize>i) == 0x0a0d0a0d) return i;
  }
  return -1;
}

@inline export function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

@inline export function isUpper(c: i32): bool {
  return c >= 0x41 && c <= 0x5a;
}

@inline export function isAlpha(c: i32): bool {
  return (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
}

/** Visible ASCII (0x21-0x7e). */
@inline export function isGraph(c: i32): bool {
  return c > 0x20 && c < 0x7f;
}

/** Visible ASCII or space or tab. */
@inline export function isText(c: i32): bool {
  return (c >= 0x20 && c < 0x7f) || c == 0x09;
}

/** Every byte in [from, to) is visible ASCII (to is clamped to the prefix). */
export function allGraph(p: usize, len: i32, from: i32, to: i32): bool {
  const end = min(to, len);
  for (let i = max(from, 0); i < end; i++) if (!isGraph(<i32>load<u8>(p + <usize>i))) return false;
  return true;
}

/** Leading decimal digits at i: the value (saturating at 0x7fffffff), or -1 when there are none. */
export function digitsAt(p: usize, len: i32, i: i32, maxDigits: i32): i64 {
  let v: i64 = 0;
  let n = 0;
  while (n < maxDigits && isDigit(u8at(p, len, i + n))) {
    v = min<i64>(v * 10 + <i64>(load<u8>(p + <usize>(i + n)) - 0x30), 0x7fffffff);
    n++;
  }
  return n == 0 ? -1 : v;
}

/** Count of leading decimal digits at i (up to max). */
export function digitCount(p: usize, len: i32, i: i32, maxDigits: i32): i32 {
  let n = 0;
  while (n < maxDigits && isDigit(u8at(p, len, i + n))) n++;
  return n;
}

/**
 * Which word of `list` (words separated by `|`) the bytes at i spell in full: its length, or 0.
 * A static string instead of an array, so nothing is allocated.
 */
export function litList(p: usize, len: i32, i: i32, list: string): i32 {
  const n = list.length;
  let start = 0;
  while (start < n) {
    let end = start;
    while (end < n && list.charCodeAt(end) != 0x7c) end++;
    let k = 0;
    while (start + k < end && i + k < len && <i32>load<u8>(p + <usize>(i + k)) == list.charCodeAt(start + k)) k++;
    if (start + k == end && end > start) return end - start;
    start = end + 1;
  }
  return 0;
}

/** Is [a, b) exactly one word of `list` (lower case, `|`-separated), ignoring ASCII case? */
export function tokenInListCI(p: usize, len: i32, a: i32, b: i32, list: string): bool {
  if (a < 0 || b > len || b <= a) return false;
  const n = list.length;
  let start = 0;
  while (start < n) {
    let end = start;
    while (end < n && list.charCodeAt(end) != 0x7c) end++;
    if (end - start == b - a) {
      let k = 0;
      while (k < b - a && lower(<i32>load<u8>(p + <usize>(a + k))) == list.charCodeAt(start + k)) k++;
      if (k == b - a) return true;
    }
    start = end + 1;
  }
  return false;
}
