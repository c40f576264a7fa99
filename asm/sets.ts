// Compressed rule sets (docs/module.md "Rule sets"): a summary bit per 64-rule word, a rank per
// summary word, and only the non-zero words. Intersections walk the summaries first (aggregated
// bit vectors), so sparse sets cost little however many rules the policy has.
import { SET_SUMMARY, SET_SUPER } from "./abi";
import { fits, memBytes } from "./mem";

export let nRules: u32 = 0;
export let nWords: u32 = 0;
export let nSum: u32 = 0;
/** Summary words per super-summary bit. */
export let superGroup: u32 = 1;
export let rankAt: u32 = 0;
export let wordsAt: u32 = 0;

/** Set the geometry all sets share. False when the table's summary count does not fit its rule count. */
export function configureSets(rules: u32, sum: u32): bool {
  if (rules > 0x1000000) return false;
  nRules = rules;
  nWords = (rules + 63) >> 6;
  nSum = sum;
  superGroup = sum > 64 ? (sum + 63) >> 6 : 1;
  rankAt = SET_SUMMARY + (sum << 3);
  wordsAt = rankAt + (((sum << 2) + 7) & ~7);
  return sum == (nWords + 63) >> 6;
}

/**
 * Is there a well-formed set at `p`, wholly inside [lo, hi)? Ranks must be the running popcount,
 * and no bit may lie past the last rule: every candidate a lookup finds is then a real rule and
 * every word index stays inside the set. Returns the end of the set, or 0 when it is malformed.
 */
export function validSet(p: u64, lo: u64, hi: u64): u64 {
  if ((p & 7) != 0 || p < lo || !fits(p, <u64>wordsAt, hi)) return 0;
  const ptr = <usize>p;
  const nnz = load<u32>(ptr);
  // The words lie inside [lo, hi); setWord may also read the word after the last one.
  if (!fits(p + wordsAt, (<u64>nnz) << 3, hi) || !fits(p + wordsAt, (<u64>nnz + 1) << 3, memBytes())) return 0;
  let acc: u32 = 0;
  let sup: u64 = 0;
  for (let i: u32 = 0; i < nSum; i++) {
    if (load<u32>(ptr + rankAt + (i << 2)) != acc) return 0;
    const s = load<u64>(ptr + SET_SUMMARY + (i << 3));
    acc += <u32>popcnt<u64>(s);
    if (s != 0) sup |= (<u64>1) << (i / superGroup);
  }
  // The super-summary must be exact: a lookup visits only the summary words it names.
  if (acc != nnz || load<u64>(ptr + SET_SUPER) != sup) return 0;
  const end = p + wordsAt + ((<u64>nnz) << 3);
  if (nSum == 0) return end;
  const last = load<u64>(ptr + SET_SUMMARY + ((nSum - 1) << 3));
  const used = nWords - ((nSum - 1) << 6);
  if (used < 64 && (last >> used) != 0) return 0;
  const tail = nRules & 63;
  if (tail != 0 && ((last >> (used - 1)) & 1) != 0) {
    if ((load<u64>(ptr + wordsAt + ((nnz - 1) << 3)) >> tail) != 0) return 0;
  }
  return end;
}

/**
 * Validate n sets whose offsets (relative to `base`) are at `offs`: each well formed inside
 * [lo, hi) and starting where the previous one ended or later, so validation reads every byte
 * at most once — a hostile table cannot make it loop for long.
 */
export function validSets(base: u64, offs: usize, n: u32, lo: u64, hi: u64): bool {
  let prevEnd = lo;
  for (let i: u32 = 0; i < n; i++) {
    const p = base + load<u32>(offs + (<usize>i << 2));
    if (p < prevEnd) return false;
    prevEnd = validSet(p, lo, hi);
    if (prevEnd == 0) return false;
  }
  return true;
}

@inline export function superWord(p: usize): u64 {
  return load<u64>(p + SET_SUPER);
}

@inline export function sumWord(p: usize, i: u32): u64 {
  return load<u64>(p + SET_SUMMARY + (i << 3));
}

/**
 * Word k of the set (0 when not stored). Branchless: the rank addresses the word that would be
 * there, and the summary bit masks it; validSet guarantees one readable word past the set.
 */
@inline export function setWord(p: usize, k: u32): u64 {
  const i = k >> 6;
  const s = load<u64>(p + SET_SUMMARY + (i << 3));
  const b = <u64>(k & 63);
  const r = load<u32>(p + rankAt + (i << 2)) + <u32>popcnt<u64>(s & ((<u64>1 << b) - 1));
  return load<u64>(p + wordsAt + (<usize>r << 3)) & (<u64>0 - ((s >> b) & 1));
}

@inline export function hasRule(p: usize, r: u32): bool {
  return ((setWord(p, r >> 6) >> (r & 63)) & 1) != 0;
}
