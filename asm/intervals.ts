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

// Port interval tables get a bucket index: the interval of each bucket's first port (u16: a table
// has at most 65,536 intervals). A port's interval lies between its bucket's and the next one's,
// so the search covers at most 16 ports' worth of intervals instead of the whole table.
const BUCKET_SHIFT: u32 = 4;
const BUCKETS: u32 = 0x10000 >> BUCKET_SHIFT;
export const PORT_INDEX_BYTES: u32 = (BUCKETS + 1) << 1;

/** Fill the index at `idx` for the n >= 1 port starts at `starts` (entry BUCKETS is n - 1). */
export function buildPortIndex(idx: usize, starts: usize, n: u32): void {
  for (let b: u32 = 0; b < BUCKETS; b++) store<u16>(idx + (<usize>b << 1), <u16>find32(starts, n, b << BUCKET_SHIFT));
  store<u16>(idx + (<usize>BUCKETS << 1), <u16>(n - 1));
}

/** find32(starts, n, port) through the index. */
@inline export function findPort(idx: usize, starts: usize, port: u32): u32 {
  const at = idx + (<usize>(port >> BUCKET_SHIFT) << 1);
  const lo = <u32>load<u16>(at);
  return lo + find32(starts + (<usize>lo << 2), <u32>load<u16>(at, 2) - lo + 1, port);
}

/** Is the 128-bit address an IPv4-mapped one (::ffff:a.b.c.d)? */
@inline export function isV4(lo: u64, hi: u64): bool {
  return hi == 0 && (lo >> 32) == 0xffff;
}
