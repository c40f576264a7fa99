// HTTP header blocks: finding a header, and the request's Host (without the port) and leftmost
// X-Forwarded-For address for the result record. Only complete lines (ending in LF inside the
// block) are read; header names are matched ignoring case, values are trimmed of spaces and tabs.
import { findByte, isGraph, litCI, LIT_YES } from "./bytes";
import { ipFamily, ipHi, ipLo, parseIpText } from "./ip-text";
import { setHost, setXff } from "./result";

/** Value bounds of the header found by findHeader: [valStart, valEnd), spaces trimmed. */
export let valStart: i32 = 0;
export let valEnd: i32 = 0;

@inline function isOws(c: i32): bool {
  return c == 0x20 || c == 0x09;
}

/** Trim spaces and tabs from both ends of [a, b) into valStart/valEnd. */
function trim(p: usize, a: i32, b: i32): void {
  while (a < b && isOws(<i32>load<u8>(p + <usize>a))) a++;
  while (b > a && isOws(<i32>load<u8>(p + <usize>(b - 1)))) b--;
  valStart = a;
  valEnd = b;
}

/**
 * Find the first header `name` (lower case, without the colon) in the lines of [from, to); on
 * success valStart/valEnd bound its trimmed value. With `prefix`, any header whose name starts
 * with `name` counts (X-Consul-*).
 */
export function findHeader(p: usize, len: i32, from: i32, to: i32, name: string, prefix: bool): bool {
  const end = min(to, len);
  let ls = from;
  while (ls < end) {
    const lf = findByte(p, len, ls, end, 0x0a);
    if (lf < 0) return false;
    const n = name.length;
    if (litCI(p, len, ls, name) == LIT_YES) {
      let c = ls + n;
      if (prefix) while (c < lf && load<u8>(p + <usize>c) != 0x3a && isGraph(<i32>load<u8>(p + <usize>c))) c++;
      if (c < lf && load<u8>(p + <usize>c) == 0x3a) {
        let b = lf;
        if (b > c + 1 && load<u8>(p + <usize>(b - 1)) == 0x0d) b--;
        trim(p, c + 1, b);
        return true;
      }
    }
    ls = lf + 1;
  }
  return false;
}

/** Host name characters: letters, digits, `-`, `.`, `_`. */
@inline function hostChar(c: i32): bool {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0x5f;
}

/** The Host header's name without `:port` into the result record (an IPv6 literal keeps its brackets). */
export function extractHost(p: usize, len: i32, from: i32, to: i32, out: usize): void {
  if (!findHeader(p, len, from, to, "host", false)) return;
  const a = valStart;
  let b = valEnd;
  if (a >= b) return;
  if (load<u8>(p + <usize>a) == 0x5b) {
    const rb = findByte(p, len, a, b, 0x5d);
    if (rb < 0) return;
    for (let i = a + 1; i < rb; i++) {
      const c = <i32>load<u8>(p + <usize>i);
      if (!(c == 0x3a || c == 0x2e || (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66))) return;
    }
    b = rb + 1;
  } else {
    const colon = findByte(p, len, a, b, 0x3a);
    if (colon >= 0) b = colon;
    for (let i = a; i < b; i++) if (!hostChar(<i32>load<u8>(p + <usize>i))) return;
  }
  if (b > a) setHost(out, a, b - a);
}

/**
 * The leftmost entry of the first X-Forwarded-For header: an IPv4 or IPv6 address, optionally
 * bracketed and/or with a `:port` (IPv4 or bracketed IPv6 only). Anything else is ignored.
 */
export function extractXff(p: usize, len: i32, from: i32, to: i32, out: usize): void {
  if (!findHeader(p, len, from, to, "x-forwarded-for", false)) return;
  const comma = findByte(p, len, valStart, valEnd, 0x2c);
  trim(p, valStart, comma < 0 ? valEnd : comma);
  let a = valStart;
  let b = valEnd;
  if (a >= b) return;
  if (load<u8>(p + <usize>a) == 0x5b) {
    const rb = findByte(p, len, a, b, 0x5d);
    if (rb < 0) return;
    if (rb + 1 < b && load<u8>(p + <usize>(rb + 1)) != 0x3a) return;
    a++;
    b = rb;
  } else {
    // IPv4 with a port: exactly one colon and a dot before it.
    const colon = findByte(p, len, a, b, 0x3a);
    if (colon >= 0 && findByte(p, len, colon + 1, b, 0x3a) < 0 && findByte(p, len, a, colon, 0x2e) >= 0) b = colon;
  }
  if (parseIpText(p, a, b)) setXff(out, ipLo, ipHi, ipFamily);
}
