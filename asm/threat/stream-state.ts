// Reads and writes of the per-flow stream parser state (asm/threat/stream.ts): each parser lays
// out its fields at fixed byte offsets of the flow's STREAM_STATE_BYTES, little-endian and
// unaligned (WebAssembly allows any alignment). Offsets are the parsers' own constants; these
// helpers only name the widths, so a layout reads as a table of offsets.

@inline export function get8(s: usize, o: u32): u32 {
  return <u32>load<u8>(s + <usize>o);
}

@inline export function set8(s: usize, o: u32, v: u32): void {
  store<u8>(s + <usize>o, <u8>v);
}

@inline export function get16(s: usize, o: u32): u32 {
  return <u32>load<u16>(s + <usize>o);
}

@inline export function set16(s: usize, o: u32, v: u32): void {
  store<u16>(s + <usize>o, <u16>v);
}

/** 24-bit little-endian field (MySQL lengths). */
@inline export function get24(s: usize, o: u32): u32 {
  return <u32>load<u16>(s + <usize>o) | (<u32>load<u8>(s + <usize>o + 2) << 16);
}

@inline export function set24(s: usize, o: u32, v: u32): void {
  store<u16>(s + <usize>o, <u16>v);
  store<u8>(s + <usize>o + 2, <u8>(v >> 16));
}

@inline export function get32(s: usize, o: u32): u32 {
  return load<u32>(s + <usize>o);
}

@inline export function set32(s: usize, o: u32, v: u32): void {
  store<u32>(s + <usize>o, v);
}

@inline export function get64(s: usize, o: u32): u64 {
  return load<u64>(s + <usize>o);
}

@inline export function set64(s: usize, o: u32, v: u64): void {
  store<u64>(s + <usize>o, v);
}

/** Zero [o, o + n) of the state. */
export function clear(s: usize, o: u32, n: u32): void {
  memory.fill(s + <usize>o, 0, <usize>n);
}

/**
 * Copy header bytes of a framed protocol into the state: the field at `carry` gets bytes until
 * `need` are there (the count is the byte at `haveOff`). Returns how many bytes of [p + i, p + len)
 * it took; the header is complete when the count reaches `need`.
 */
export function takeHeader(s: usize, haveOff: u32, carry: u32, need: u32, p: usize, len: u32, i: u32): u32 {
  const have = get8(s, haveOff);
  if (have >= need || i >= len) return 0;
  const n = min<u32>(need - have, len - i);
  memory.copy(s + <usize>(carry + have), p + <usize>i, <usize>n);
  set8(s, haveOff, have + n);
  return n;
}

@inline export function isSpace(c: u32): bool {
  // PCRE's \s: space, \t, \n, \v, \f, \r.
  return c == 0x20 || (c >= 0x09 && c <= 0x0d);
}

@inline export function isWord(c: u32): bool {
  const l = c | 0x20;
  return (l >= 0x61 && l <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x5f;
}

@inline export function lowerByte(c: u32): u32 {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}
