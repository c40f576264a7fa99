// Cassandra native protocol v5 framing (native_protocol_v5.spec §2): once STARTUP is answered,
// every envelope travels inside segments whose header carries its own CRC24, and whose payload
// is followed by a CRC32. A capture joined mid-session sees only these segments, and the
// checksums make them unmistakable: a random header passes the CRC24 once in 2^24.
// - uncompressed: 3 bytes little-endian (payload length 17 bits, self-contained flag, padding),
//   their CRC24 (3 bytes little-endian), the payload, its CRC32 (4 bytes little-endian);
// - LZ4-compressed: 5 bytes (compressed length 17 bits, uncompressed length 17 bits, flag,
//   padding), their CRC24, the compressed payload, its CRC32.
// The CRCs are Cassandra's (org.apache.cassandra.net.Crc): CRC24 with polynomial 0x1974F0B and
// initial value 0x875060 over the header bytes least significant first; CRC32 is zlib's, run
// over the bytes FA 2D 55 CA first and then the payload.
import { u8at } from "./bytes";

const CRC24_INIT: u32 = 0x875060;
const CRC24_POLY: u32 = 0x1974f0b;
const MAX_PAYLOAD: i32 = 131071;

/** Cassandra's CRC24 over n header bytes at i (present: the caller checked). */
function crc24(p: usize, i: i32, n: i32): u32 {
  let crc = CRC24_INIT;
  for (let k = 0; k < n; k++) {
    crc ^= <u32>load<u8>(p + <usize>(i + k)) << 16;
    for (let b = 0; b < 8; b++) {
      crc <<= 1;
      if ((crc & 0x1000000) != 0) crc ^= CRC24_POLY;
    }
  }
  return crc & 0xffffff;
}

function crc32Update(crc: u32, b: u32): u32 {
  crc ^= b;
  for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & (0 - (crc & 1)));
  return crc;
}

/** zlib CRC32 over FA 2D 55 CA then [i, i + n). */
function crc32(p: usize, i: i32, n: i32): u32 {
  let crc: u32 = 0xffffffff;
  crc = crc32Update(crc, 0xfa);
  crc = crc32Update(crc, 0x2d);
  crc = crc32Update(crc, 0x55);
  crc = crc32Update(crc, 0xca);
  for (let k = 0; k < n; k++) crc = crc32Update(crc, <u32>load<u8>(p + <usize>(i + k)));
  return ~crc;
}

/** Little-endian bytes [i, i + n) as a number (n <= 5; the caller checked they are there). */
function le(p: usize, i: i32, n: i32): u64 {
  let v: u64 = 0;
  for (let k = n - 1; k >= 0; k--) v = (v << 8) | <u64>load<u8>(p + <usize>(i + k));
  return v;
}

/**
 * A segment at i, `compressed` or not: its whole length, or -1 when the header's CRC24 fails, the
 * padding is not zero, or the payload is here and its CRC32 fails. The header must be present.
 */
export function cqlSegment(p: usize, len: i32, i: i32, compressed: bool): i32 {
  const h = compressed ? 5 : 3;
  if (u8at(p, len, i + h + 2) < 0) return -1;
  if (<u64>crc24(p, i, h) != le(p, i + h, 3)) return -1;
  const v = le(p, i, h);
  const n = <i32>(v & MAX_PAYLOAD);
  // padding above the flag is zero (bit 18 uncompressed, bit 35 compressed, and up)
  if ((v >> (compressed ? 35 : 18)) != 0 || n == 0) return -1;
  const start = i + h + 3;
  const end = start + n + 4;
  if (end <= len && <u64>crc32(p, start, n) != le(p, start + n, 4)) return -1;
  return end - i;
}

/** Header bytes of a segment. */
export function cqlHeaderSize(compressed: bool): i32 {
  return compressed ? 8 : 6;
}
