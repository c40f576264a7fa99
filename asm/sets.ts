// Compressed rule sets (docs/module.md "Rule sets"): a summary bit per 64-rule word, a
// super-summary bit per group of summary words, and only the non-zero groups and words.
// Intersections walk the super-summary and summaries first (aggregated bit vectors), so sparse
// sets cost little however many rules the policy has, and a set's header grows with the groups
// it touches rather than with the policy.
import { SE_AT, SE_SUM, SET_DENSE_SUM, SET_ENTRIES, SET_SUPER, SET_WORDS } from "./abi";
import { fits, memBytes } from "./mem";

export let nRules: u32 = 0;
export let nWords: u32 = 0;
export let nSum: u32 = 0;
/** Summary words per super-summary bit (a power of two), and its log2. */
export let superGroup: u32 = 1;
export let superShift: u32 = 0;
/** Super-summary groups (at most 64). */
let nGroups: u32 = 0;
/** Sets store only their non-zero groups (more than SET_DENSE_SUM summary words), else every group. */
export let sparseSets: bool = false;

/**
 * The entries of a group a set does not store: all zero, so its summary words read as 0 and its
 * word offset as 0 (a read at the set's own first word, masked away). 64 entries: the largest group.
 */
export const zeroEntries: usize = memory.data(64 << 4, 16);

/** Set the geometry all sets share. False when the table's summary count does not fit its rule count. */
export function configureSets(rules: u32, sum: u32): bool {
  if (rules > 0x1000000) return false;
  nRules = rules;
  nWords = (rules + 63) >> 6;
  nSum = sum;
  superShift = sum > 64 ? 32 - clz<u32>(((sum + 63) >> 6) - 1) : 0;
  superGroup = 1 << superShift;
  nGroups = (sum + superGroup - 1) >> superShift;
  sparseSets = sum > SET_DENSE_SUM;
  return sum == (nWords + 63) >> 6;
}

/**
 * Is there a well-formed set at `p`, wholly inside [lo, hi)? The super-summary must name exactly
 * the stored groups, each entry's word offset must be the running count of words before it, and
 * no bit may lie past the last rule: every candidate a lookup finds is then a real rule and every
 * word offset stays inside the set. Returns the end of the set, or 0 when it is malformed.
 */
export function validSet(p: u64, lo: u64, hi: u64): u64 {
  if ((p & 7) != 0 || p < lo || !fits(p, <u64>SET_ENTRIES, hi)) return 0;
  const ptr = <usize>p;
  const nnz = load<u32>(ptr);
  const at = load<u32>(ptr + SET_WORDS);
  const sup = load<u64>(ptr + SET_SUPER);
  if (nGroups < 64 && (sup >> nGroups) != 0) return 0;
  // The stored groups: the super-summary's (sparse), or all of them.
  const stored = sparseSets ? sup : nGroups == 64 ? <u64>-1 : ((<u64>1) << nGroups) - 1;
  const nEntries = <u32>popcnt<u64>(stored) << superShift;
  if (at != SET_ENTRIES + (nEntries << 4)) return 0;
  // The entries and words lie inside [lo, hi); a lookup may also read the word after the last one.
  if (!fits(p + at, (<u64>nnz) << 3, hi) || !fits(p + at, (<u64>nnz + 1) << 3, memBytes())) return 0;
  let acc: u32 = 0;
  let e = ptr + SET_ENTRIES;
  let groups = stored;
  let tailAt: u32 = 0xffffffff;
  while (groups != 0) {
    const g = <u32>ctz<u64>(groups);
    const first = g << superShift;
    groups &= groups - 1;
    let any: u64 = 0;
    for (let i = first; i < first + superGroup; i++, e += 16) {
      const s = load<u64>(e + SE_SUM);
      if (load<u32>(e + SE_AT) != at + (acc << 3) || load<u32>(e + SE_AT + 4) != 0) return 0;
      if (i >= nSum) {
        if (s != 0) return 0;
        continue;
      }
      acc += <u32>popcnt<u64>(s);
      any |= s;
      if (i == nSum - 1) {
        // No bit past the last word or the last rule.
        const used = nWords - ((nSum - 1) << 6);
        if (used < 64 && (s >> used) != 0) return 0;
        if ((nRules & 63) != 0 && ((s >> (used - 1)) & 1) != 0) tailAt = at + ((acc - 1) << 3);
      }
    }
    // The super-summary must be exact: a lookup visits only the summary words it names.
    if ((any != 0) != (((sup >> g) & 1) != 0)) return 0;
  }
  if (acc != nnz) return 0;
  if (tailAt != 0xffffffff && (load<u64>(ptr + tailAt) >> (nRules & 63)) != 0) return 0;
  return p + at + ((<u64>nnz) << 3);
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

/**
 * The entries of group g of set p whose super-summary is sup, when the set stores group g. Dense
 * tables have at most SET_DENSE_SUM summary words, so one per group: entry g.
 */
@inline export function storedEntries(p: usize, sup: u64, g: u32, sparse: bool): usize {
  if (!sparse) return p + SET_ENTRIES + (<usize>g << 4);
  return p + SET_ENTRIES + (<usize>popcnt<u64>(sup & (((<u64>1) << g) - 1)) << (4 + superShift));
}

/**
 * The entries of group g of set p: the stored ones, or zeroEntries when a sparse set has none
 * there (a select, not a branch). Entry j of the group is at + (j << 4).
 */
@inline export function groupEntries(p: usize, sup: u64, g: u32, sparse: bool): usize {
  if (!sparse) return storedEntries(p, sup, g, false);
  return select<usize>(storedEntries(p, sup, g, true), zeroEntries, ((sup >> g) & 1) != 0);
}

/** The entry of summary word i of set p (zeroEntries' when a sparse set does not store it). */
@inline export function entryOf(p: usize, i: u32): usize {
  if (!sparseSets) return p + SET_ENTRIES + (<usize>i << 4);
  const g = i >> superShift;
  return groupEntries(p, superWord(p), g, true) + (<usize>(i & (superGroup - 1)) << 4);
}

@inline export function sumWord(p: usize, i: u32): u64 {
  return load<u64>(entryOf(p, i) + SE_SUM);
}

/** Where the stored words of the summary word whose entry is e begin, in set p. */
@inline export function entryWords(p: usize, e: usize): usize {
  return p + <usize>load<u32>(e + SE_AT);
}

/**
 * Word k of the set (0 when not stored). Branchless: the entry's offset and the summary's
 * popcount address the word that would be there, and the summary bit masks it; validSet
 * guarantees one readable word past the set.
 */
@inline export function setWord(p: usize, k: u32): u64 {
  const e = entryOf(p, k >> 6);
  const s = load<u64>(e + SE_SUM);
  const b = <u64>(k & 63);
  const w = load<u64>(entryWords(p, e) + (<usize>popcnt<u64>(s & ((<u64>1 << b) - 1)) << 3));
  return w & (<u64>0 - ((s >> b) & 1));
}

@inline export function hasRule(p: usize, r: u32): bool {
  return ((setWord(p, r >> 6) >> (r & 63)) & 1) != 0;
}
