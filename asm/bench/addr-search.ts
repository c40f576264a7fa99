// Harness for bench/addr-search.ts (not part of the engine; never imported by asm/index.ts): the
// scalar binary search (find32) and the SIMD engine's index search (findAddr4) over the same
// sorted starts, n random keys each, so the two can be timed without the host call in between.
import { buildAddrIndex, findAddr4 } from "../addr-index";
import { find32 } from "../intervals";

const BASE: usize = 1 << 20;
let n: u32 = 0;

/** xorshift32: the keys and the starts' gaps. */
@inline function next(x: u32): u32 {
  x ^= x << 13;
  x ^= x >> 17;
  return x ^ (x << 5);
}

/** Starts: 0 and count - 1 strictly increasing random values; the index right after a class-array-sized gap. */
export function setup(count: u32, seed: u32): bool {
  n = count;
  const end = <usize>BASE + (<usize>count << 3) + 64 + (<usize>count << 2);
  const have = <usize>memory.size() << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xffff) >> 16)) < 0) return false;
  let x = seed;
  let v: u32 = 0;
  store<u32>(BASE, 0);
  for (let i: u32 = 1; i < count; i++) {
    x = next(x);
    v += 1 + (x % (0xffffffff / count - 1));
    store<u32>(BASE + (<usize>i << 2), v);
  }
  return buildAddrIndex(BASE, count, <u64>(BASE + (<usize>count << 3) + 64));
}

export function runScalar(iters: u32, seed: u32): u32 {
  let x = seed;
  let acc: u32 = 0;
  for (let i: u32 = 0; i < iters; i++) {
    x = next(x);
    acc += find32(BASE, n, x);
  }
  return acc;
}

export function runSimd(iters: u32, seed: u32): u32 {
  let x = seed;
  let acc: u32 = 0;
  for (let i: u32 = 0; i < iters; i++) {
    x = next(x);
    acc += findAddr4(x);
  }
  return acc;
}
