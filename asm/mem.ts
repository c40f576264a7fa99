// Bounds helpers. Everything the host wrote (table, regions, flows) is checked in 64-bit
// arithmetic before it is read, so no offset sum can wrap and no load can leave linear memory.
import { FNV_PRIME } from "./abi";

/** Bytes of linear memory right now. */
@inline export function memBytes(): u64 {
  return (<u64>memory.size()) << 16;
}

/** [off, off + len) lies inside [0, end). */
@inline export function fits(off: u64, len: u64, end: u64): bool {
  return off <= end && len <= end - off;
}

/** Round up to a multiple of 8. */
@inline export function align8(x: u64): u64 {
  return (x + 7) & ~(<u64>7);
}

@inline export function isPow2(x: u32): bool {
  return x != 0 && (x & (x - 1)) == 0;
}

/**
 * murmur3's 32-bit finaliser over the four words of a 128-bit address. The host's copy is
 * common/abi-bytes.ts hashIpWords; test/engine/abi-vectors.test.ts runs both on common/abi-vectors.json.
 */
@inline export function hashIp(lo: u64, hi: u64): u32 {
  let h: u32 =
    (<u32>lo) ^ (<u32>(lo >> 32) * 0x9e3779b1) ^ (<u32>hi * 0x85ebca6b) ^ (<u32>(hi >> 32) * 0xc2b2ae35);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/**
 * One FNV-1a step: the name hashes feed the bytes of a name last to first through it (suffixes
 * hash as the walk goes back). The host's copy is common/abi-bytes.ts hashNameBytes; the shared
 * vectors check both.
 */
@inline export function fnvStep(hash: u32, c: u32): u32 {
  return (hash ^ c) * FNV_PRIME;
}
