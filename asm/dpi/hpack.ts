// Just enough HPACK (RFC 7541) to read two headers of a connection's first HEADERS block:
// content-type and :path. Real clients send them as literals with an indexed name and, often,
// a Huffman-coded value (grpc-js, Go's etcdctl), so values are compared by decoding the Huffman
// code on the fly against the expected text. The first block of a connection can only refer to
// the static table, so no dynamic table is kept.
import { u8at } from "./bytes";

// The Huffman code of Appendix B is canonical: codes are assigned in order of (length, symbol).
// So the number of codes of each length and the symbols in that order define it completely.
const COUNTS = memory.data<u8>([
  0, 0, 0, 0, 0, 10, 26, 32, 6, 0, 5, 3, 2, 6, 2, 3, 0, 0, 0, 3, 8, 13, 26, 29, 12, 4, 15, 19, 29, 0, 4,
]);
const MAX_CODE_BITS: i32 = 30;
const SYMBOLS = memory.data<u16>([
  48, 49, 50, 97, 99, 101, 105, 111, 115, 116, 32, 37, 45, 46, 47, 51, 52, 53, 54, 55, 56, 57, 61, 65,
  95, 98, 100, 102, 103, 104, 108, 109, 110, 112, 114, 117, 58, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76,
  77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 89, 106, 107, 113, 118, 119, 120, 121, 122, 38, 42, 44, 59,
  88, 90, 33, 34, 40, 41, 63, 39, 43, 124, 35, 62, 0, 36, 64, 91, 93, 126, 94, 125, 60, 96, 123, 92,
  195, 208, 128, 130, 131, 162, 184, 194, 224, 226, 153, 161, 167, 172, 176, 177, 179, 209, 216, 217, 227, 229, 230, 129,
  132, 133, 134, 136, 146, 154, 156, 160, 163, 164, 169, 170, 173, 178, 181, 185, 186, 187, 189, 190, 196, 198, 228, 232,
  233, 1, 135, 137, 138, 139, 140, 141, 143, 147, 149, 150, 151, 152, 155, 157, 158, 165, 166, 168, 174, 175, 180, 182,
  183, 188, 191, 197, 231, 239, 9, 142, 144, 145, 148, 159, 171, 206, 215, 225, 236, 237, 199, 207, 234, 235, 192, 193,
  200, 201, 202, 205, 210, 213, 218, 219, 238, 240, 242, 243, 255, 203, 204, 211, 212, 214, 221, 222, 223, 241, 244, 245,
  246, 247, 248, 250, 251, 252, 253, 254, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20,
  21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127, 220, 249, 10, 13, 22, 256,
]);

/** Set by hpackInt: the index just past the integer. */
export let intEnd: i32 = 0;

/** An HPACK integer with an N-bit prefix at i: its value (at most 2^28), or -1 when malformed or cut. */
export function hpackInt(p: usize, len: i32, i: i32, prefixBits: i32): i32 {
  const b = u8at(p, len, i);
  if (b < 0) return -1;
  const mask = (1 << prefixBits) - 1;
  let v = b & mask;
  i++;
  if (v == mask) {
    let shift = 0;
    for (;;) {
      const c = u8at(p, len, i);
      if (c < 0 || shift > 21) return -1;
      v += (c & 0x7f) << shift;
      shift += 7;
      i++;
      if ((c & 0x80) == 0) break;
    }
  }
  intEnd = i;
  return v;
}

/** Does the Huffman-coded string [a, b) decode to text starting with `target`? */
export function huffmanStartsWith(p: usize, a: i32, b: i32, target: string): bool {
  const n = target.length;
  let matched = 0;
  let code: i32 = 0;
  let first: i32 = 0;
  let index: i32 = 0;
  let bits = 0;
  for (let i = a; i < b && matched < n; i++) {
    const byte = <i32>load<u8>(p + <usize>i);
    for (let k = 7; k >= 0 && matched < n; k--) {
      code = (code << 1) | ((byte >> k) & 1);
      bits++;
      const count = <i32>load<u8>(COUNTS + <usize>bits);
      if (code - first < count) {
        const sym = <i32>load<u16>(SYMBOLS + (<usize>(index + code - first) << 1));
        if (sym != target.charCodeAt(matched)) return false;
        matched++;
        code = 0;
        first = 0;
        index = 0;
        bits = 0;
      } else {
        index += count;
        first = (first + count) << 1;
        if (bits >= MAX_CODE_BITS) return false;
      }
    }
  }
  return matched == n;
}

/** Does the string literal at i (H bit, 7-bit-prefix length, bytes) start with `target`? -1 when cut. */
export function stringStartsWith(p: usize, len: i32, i: i32, target: string): i32 {
  const h = u8at(p, len, i);
  const n = hpackInt(p, len, i, 7);
  if (n < 0 || intEnd + n > len) return -1;
  const a = intEnd;
  if ((h & 0x80) != 0) return huffmanStartsWith(p, a, a + n, target) ? 1 : 0;
  if (n < target.length) return 0;
  for (let k = 0; k < target.length; k++) if (<i32>load<u8>(p + <usize>(a + k)) != target.charCodeAt(k)) return 0;
  return 1;
}

/** Skip the string literal at i: the index after it, or -1 when it runs past `end`. */
export function skipString(p: usize, len: i32, i: i32, end: i32): i32 {
  const n = hpackInt(p, len, i, 7);
  if (n < 0 || intEnd + n > end) return -1;
  return intEnd + n;
}
