// The SIMD engine's IPv4 address search (docs/performance.md "SIMD"): a static B+ tree over the
// table's sorted interval starts, 16 keys (one 64-byte cache line) per node, each node compared
// with four v128 compares — the S+ tree of Slotin, "Algorithms for Modern Hardware" §
// data-structures/s-tree. The table's starts array is the leaf level as it is; init builds the
// upper levels after the engine's scratch (every 16th key of the level below), so a search of
// 10k–100k intervals reads 4–5 cache lines where the scalar binary search does 14–17 dependent
// loads. Only the SIMD build (ASC_FEATURE_SIMD) compiles this file's callers; the scalar engine
// keeps find32 and is the reference the differential tests compare both with.
import { memBytes } from "./mem";

/**
 * The index begins with a 64-byte header: per level above the leaves (at most 7: 16^7 > 2^24
 * intervals), where its keys begin (u32 at 4·l) and how many keys it has (u32 at 32 + 4·l). No
 * static data, so the scalar build, which never calls this file, stays byte for byte the same.
 */
const HEADER: u32 = 64;
let levelAt: usize = 0;
let levels: u32 = 0;
let leaves: usize = 0;
let leavesN: u32 = 0;
/** The last start: keys at or above it answer leavesN - 1 without a search. */
let lastKey: u32 = 0;

/**
 * Below this many starts no index is built: the binary search is as fast there (bench/addr-search.ts:
 * about even at 300 intervals, the index 1.3–1.9× faster from 1,000 up, on a shared AMD EPYC).
 */
const MIN_INDEXED: u32 = 512;

/** Bytes the upper levels of an index over n starts take (each level padded to whole nodes). */
export function addrIndexBytes(n: u32): u64 {
  let bytes: u64 = HEADER;
  if (n < MIN_INDEXED) return 0;
  let m = n;
  while (m > 16) {
    m = (m + 15) >> 4;
    bytes += (<u64>((m + 15) & ~15)) << 2;
  }
  return bytes;
}

/**
 * Build the index over the n sorted u32 starts at `starts` into [at, at + addrIndexBytes(n)),
 * growing memory when it does not reach that far. False (no index: searches fall back to the
 * binary search) when n is small, the starts do not strictly increase from 0 (the search below
 * relies on it; the binary search does not, so a hostile table still decides, through it), or
 * memory cannot grow. The table's class array follows the starts, so a leaf node read past the
 * last start (n >= MIN_INDEXED > 16) stays inside the table.
 */
export function buildAddrIndex(starts: usize, n: u32, at: u64): bool {
  levels = 0;
  const bytes = addrIndexBytes(n);
  if (bytes == 0 || load<u32>(starts) != 0) return false;
  for (let i: u32 = 1; i < n; i++) if (load<u32>(starts + (<usize>i << 2)) <= load<u32>(starts + (<usize>(i - 1) << 2))) return false;
  const end = at + bytes;
  if (end > memBytes() && memory.grow(<i32>((end - memBytes() + 0xffff) >> 16)) < 0) return false;
  leaves = starts;
  leavesN = n;
  lastKey = load<u32>(starts + (<usize>(n - 1) << 2));
  levelAt = <usize>at;
  // Level 1 samples the leaves; each next level samples the one below it, until one node is left.
  let below = starts;
  let m = n;
  let p = <usize>at + HEADER;
  let k: u32 = 0;
  while (m > 16) {
    const up = (m + 15) >> 4;
    for (let j: u32 = 0; j < up; j++) store<u32>(p + (<usize>j << 2), load<u32>(below + (<usize>j << 6)));
    const padded = (up + 15) & ~15;
    for (let j = up; j < padded; j++) store<u32>(p + (<usize>j << 2), 0xffffffff);
    store<u32>(levelAt + (<usize>k << 2), <u32>p);
    store<u32>(levelAt + 32 + (<usize>k << 2), up);
    below = p;
    m = up;
    p += <usize>padded << 2;
    k++;
  }
  levels = k;
  return true;
}

export function hasAddrIndex(): bool {
  return levels != 0;
}

/** Bit j set when key j of the 16 at p is <= key: four i32x4 compares narrowed to one i8x16 bitmask. */
@inline function nodeLe(p: usize, key: v128): u32 {
  const a = i32x4.le_u(v128.load(p), key);
  const b = i32x4.le_u(v128.load(p, 16), key);
  const c = i32x4.le_u(v128.load(p, 32), key);
  const d = i32x4.le_u(v128.load(p, 48), key);
  return <u32>i8x16.bitmask(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
}

/**
 * Index of the last start <= key (find32's answer) through the index: from the single top node
 * down, the count of a node's keys <= key picks the child. Below the last start, the 0xffffffff
 * padding of the upper levels never counts, and the count is at least 1 (a child's first key is
 * its parent's, the first start is 0); leaf nodes end where the starts do (the class array
 * follows), so the last one's count is masked to the starts there are. No select or clamp on the
 * path from one level to the next: a level costs a load, compares, the bitmask and a popcount.
 */
export function findAddr4(key: u32): u32 {
  if (key >= lastKey) return leavesN - 1;
  const k = i32x4.splat(key);
  let pos: u32 = 0;
  for (let l = <i32>levels - 1; l >= 0; l--) {
    pos = (pos << 4) + popcnt<u32>(nodeLe(<usize>load<u32>(levelAt + (<usize>l << 2)) + (<usize>pos << 6), k)) - 1;
  }
  const valid = min<u32>(leavesN - (pos << 4), 16);
  return (pos << 4) + popcnt<u32>(nodeLe(leaves + (<usize>pos << 6), k) & ((<u32>1 << valid) - 1)) - 1;
}
