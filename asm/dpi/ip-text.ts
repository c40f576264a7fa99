// IPv4 / IPv6 address text (an X-Forwarded-For entry) into the engine's 128-bit form: two u64
// halves, low first, IPv4 mapped to ::ffff:a.b.c.d. Accepts exactly what common/ip.ts parseIp
// accepts (dotted quads without leading zeros; IPv6 with one `::` and an optional IPv4 tail).
import { isDigit } from "./bytes";

/** The last successful parse: low and high halves and the family (4 or 6). */
export let ipLo: u64 = 0;
export let ipHi: u64 = 0;
export let ipFamily: i32 = 0;

function hexVal(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Dotted quad in [from, to) as a u32, or -1. */
function parseV4(p: usize, from: i32, to: i32): i64 {
  let v: i64 = 0;
  let parts = 0;
  let i = from;
  while (parts < 4) {
    let n = 0;
    let part: i32 = 0;
    while (i < to && n < 4 && isDigit(<i32>load<u8>(p + <usize>i))) {
      part = part * 10 + <i32>load<u8>(p + <usize>i) - 0x30;
      i++;
      n++;
    }
    if (n == 0 || n > 3 || part > 255) return -1;
    if (n > 1 && load<u8>(p + <usize>(i - n)) == 0x30) return -1;
    v = (v << 8) | <i64>part;
    parts++;
    if (parts < 4) {
      if (i >= to || load<u8>(p + <usize>i) != 0x2e) return -1;
      i++;
    }
  }
  return i == to ? v : -1;
}

/**
 * IPv6 text in [from, to): up to eight 16-bit groups with at most one `::`, the last 32 bits
 * optionally as a dotted quad. Groups are collected left of and right of the `::` then placed.
 */
function parseV6(p: usize, from: i32, to: i32): bool {
  if (to - from < 2 || to - from > 45) return false;
  // Up to 8 groups each side; kept in two u128 halves as (hi, lo) shift registers.
  let leftHi: u64 = 0, leftLo: u64 = 0, nLeft = 0;
  let rightHi: u64 = 0, rightLo: u64 = 0, nRight = 0;
  let dbl = false;
  let i = from;
  if (load<u8>(p + <usize>i) == 0x3a) {
    if (load<u8>(p + <usize>(i + 1)) != 0x3a) return false;
    dbl = true;
    i += 2;
  }
  while (i < to) {
    // One group: hex digits, or an IPv4 tail when a dot follows the digits.
    let j = i;
    let g: i32 = 0;
    while (j < to && j - i < 5 && hexVal(<i32>load<u8>(p + <usize>j)) >= 0) {
      g = (g << 4) | hexVal(<i32>load<u8>(p + <usize>j));
      j++;
    }
    if (j < to && load<u8>(p + <usize>j) == 0x2e) {
      const v4 = parseV4(p, i, to);
      if (v4 < 0) return false;
      for (let k = 0; k < 2; k++) {
        const part = k == 0 ? <u64>(v4 >> 16) : <u64>(v4 & 0xffff);
        if (dbl) { rightHi = (rightHi << 16) | (rightLo >> 48); rightLo = (rightLo << 16) | part; nRight++; }
        else { leftHi = (leftHi << 16) | (leftLo >> 48); leftLo = (leftLo << 16) | part; nLeft++; }
      }
      i = to;
      break;
    }
    if (j == i || j - i > 4) return false;
    if (dbl) { rightHi = (rightHi << 16) | (rightLo >> 48); rightLo = (rightLo << 16) | <u64>g; nRight++; }
    else { leftHi = (leftHi << 16) | (leftLo >> 48); leftLo = (leftLo << 16) | <u64>g; nLeft++; }
    if (nLeft + nRight > 8) return false;
    i = j;
    if (i == to) break;
    if (load<u8>(p + <usize>i) != 0x3a) return false;
    i++;
    if (i < to && load<u8>(p + <usize>i) == 0x3a) {
      if (dbl) return false;
      dbl = true;
      i++;
    } else if (i == to) {
      return false;
    }
  }
  const n = nLeft + nRight;
  if (dbl ? n > 7 : n != 8) return false;
  // Shift the left groups to the top: they occupy groups [0, nLeft); the right ones end at group 7.
  const shift = <u64>(8 - nLeft) * 16;
  let hi: u64 = 0, lo: u64 = 0;
  if (nLeft > 0) {
    if (shift >= 64) { hi = leftLo << (shift - 64); lo = 0; }
    else { hi = (leftHi << shift) | (shift == 0 ? 0 : leftLo >> (64 - shift)); lo = leftLo << shift; }
  }
  ipHi = hi | rightHi;
  ipLo = lo | rightLo;
  return true;
}

/** Parse [from, to) as IPv4 or IPv6; on success ipLo/ipHi/ipFamily hold it. */
export function parseIpText(p: usize, from: i32, to: i32): bool {
  if (to <= from) return false;
  let colon = false;
  for (let i = from; i < to; i++) if (load<u8>(p + <usize>i) == 0x3a) colon = true;
  if (colon) {
    if (!parseV6(p, from, to)) return false;
    ipFamily = 6;
    return true;
  }
  const v4 = parseV4(p, from, to);
  if (v4 < 0) return false;
  ipLo = (<u64>0xffff << 32) | <u64>v4;
  ipHi = 0;
  ipFamily = 4;
  return true;
}
