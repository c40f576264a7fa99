// Interval maps: sorted starts covering the whole key space (starts[0] = 0), searched without
// branches (`select` compiles to a conditional move; toolchain.md measured 13–33 ns at 1k–100k).

/** Index of the last start <= key in a u32 array of n >= 1 starts. */
export function find32(starts: usize, n: u32, key: u32): u32 {
  let base = starts;
  let len = n;
  while (len > 1) {
    const half = len >> 1;
    const mid = base + (<usize>half << 2);
    base = select<usize>(mid, base, load<u32>(mid) <= key);
    len -= half;
  }
  return <u32>((base - starts) >> 2);
}

/** Same over 128-bit starts stored as (lo u64, hi u64). */
export function find128(starts: usize, n: u32, lo: u64, hi: u64): u32 {
  let base = starts;
  let len = n;
  while (len > 1) {
    const half = len >> 1;
    const mid = base + (<usize>half << 4);
    const sl = load<u64>(mid);
    const sh = load<u64>(mid, 8);
    const le = (<u32>(sh < hi)) | ((<u32>(sh == hi)) & (<u32>(sl <= lo)));
    base = select<usize>(mid, base, le != 0);
    len -= half;
  }
  return <u32>((base - starts) >> 4);
}

/** Is the 128-bit address an IPv4-mapped one (::ffff:a.b.c.d)? */
@inline export function isV4(lo: u64, hi: u64): bool {
  return hi == 0 && (lo >> 32) == 0xffff;
}
