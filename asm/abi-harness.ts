// Test entry for the shared ABI vectors (common/abi-vectors.json; test/engine/abi-vectors.test.ts
// compiles it): the engine's own address hash, name-hash step and set reader, run on the vectors
// the host's copies (common/abi-bytes.ts, common/abi-sets.ts) are checked against too. The engine
// build does not include this file; it adds nothing to the engine.
import { FNV_OFFSET } from "./abi";
import { fnvStep, hashIp } from "./mem";
import { configureSets, hasRule, validSet } from "./sets";

/** The address hash of a 128-bit address given as two u64 halves. */
export function vecHashIp(lo: u64, hi: u64): u32 {
  return hashIp(lo, hi);
}

/** The name hash of the `len` bytes at `p`, last to first, as asm/vhost.ts walks a host name. */
export function vecNameHash(p: usize, len: u32): u32 {
  let hash: u32 = FNV_OFFSET;
  for (let i = len; i > 0; i--) hash = fnvStep(hash, <u32>load<u8>(p + i - 1));
  return hash;
}

/**
 * Read the set of `len` bytes at `p` for a table of `rules` rules: 0 when the engine refuses the
 * geometry or the set, else the set's end offset from `p` (it must be `len`).
 */
export function vecSetEnd(p: usize, len: u32, rules: u32): u32 {
  const words = (rules + 63) >> 6;
  if (!configureSets(rules, (words + 63) >> 6)) return 0;
  const end = validSet(<u64>p, <u64>p, <u64>p + len);
  return end == 0 ? 0 : <u32>(end - <u64>p);
}

/** Is rule `r` in the set at `p` (after vecSetEnd accepted it)? */
export function vecHasRule(p: usize, r: u32): u32 {
  return hasRule(p, r) ? 1 : 0;
}

/** End of static data: the host writes its inputs above it. */
export function heapBase(): usize {
  return __heap_base;
}
