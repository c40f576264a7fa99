/**
 * Address classes split into fine sets and shared coarse bundles (docs/module.md "Address
 * classes", performance.md "Cache-aware layout"). A class's rules are the union of the rules of
 * the address groups covering it. Where prefixes nest (real ClassBench sets: a class inside a /8,
 * a /16 and a /24), every class under a short prefix repeated that prefix's rules, so acl2_10k's
 * 12,006 class sets stored 500,554 64-rule words. Here a group covering at least COARSE_CLASSES
 * classes is *coarse*: its rules go to a bundle, one per distinct combination of coarse groups and
 * shared by every class with that combination; a class's own sets keep only its fine groups'
 * rules. The engine ORs the two at decide time, which costs nothing: the fast path already takes
 * the union of two sets per side (the endpoint kind's built-ins and the class), so the kind's
 * sets are folded into the bundle (one pair per outside kind). This is rte_acl's and the
 * decision-tree classifiers' idea of splitting rules by how selective their field is (HyperCuts,
 * Singh et al., SIGCOMM 2003; CutSplit, Li et al., INFOCOM 2018), on the one field that nests.
 */
import type { DecisionIR, FromTo } from "../lower/ir.js";
import { unionLists } from "../lower/rule-lists.js";

/**
 * Classes a group must cover to be coarse. Measured on the real sets (stored words of class and
 * bundle sets, kinds folded in): acl2_10k 16 → 34.0k, 32 → 27.8k, 64 → 26.1k, 128 → 26.2k;
 * fw1_10k 16 → 12.7k, 64 → 10.0k; ipc1_10k 16 → 7.8k, 64 → 7.8k (from 500.6k, 196.4k, 107.3k).
 */
export const COARSE_CLASSES = 64;

export interface ClassSplit {
  /** Per class: its fine groups' rules. */
  fine: FromTo[];
  /** Per class: its bundle. */
  bundleOf: Uint32Array;
  /** Per bundle: its coarse groups' rules (bundle 0 has none). */
  bundles: FromTo[];
}

/**
 * At most this many bundles: each stores its coarse rules three times (alone, with each outside
 * kind's), large sets that the encoder sorts and interns. A generated 100k-rule ClassBench set
 * (86,565 classes of 12,500 unrelated networks) made 1,203 bundles at 64 classes, a larger
 * table than none (34.96 vs 33.68 MB) and 13 s of encoding instead of 1.4 s; so the threshold
 * doubles until the bundles are few (real 10k sets: 5–77 bundles at 64).
 */
export const MAX_BUNDLES = 256;

/**
 * Distinct combinations of coarse groups over the classes (by a hash: an estimate, for choosing
 * the threshold only), counting up to `cap`.
 */
function bundleCount(ir: DecisionIR, coarse: (g: number) => boolean, cap: number): number {
  const keys = new Set<number>([0]);
  for (const c of ir.addrClasses) {
    let h = 0;
    for (const g of c.groups) if (coarse(g)) h = (Math.imul(h ^ (g + 1), 0x01000193) ^ (h >>> 15)) | 0;
    keys.add(h);
    if (keys.size > cap) break;
  }
  return keys.size;
}

export function splitClasses(ir: DecisionIR, coarseClasses = COARSE_CLASSES): ClassSplit {
  const covers = new Uint32Array(ir.groups.length);
  for (const c of ir.addrClasses) for (const g of c.groups) covers[g] = (covers[g] as number) + 1;
  let threshold = coarseClasses;
  while (Number.isFinite(threshold) && bundleCount(ir, (g) => (covers[g] as number) >= threshold, MAX_BUNDLES) > MAX_BUNDLES) threshold *= 2;
  const coarse = (g: number) => (covers[g] as number) >= threshold;
  const rules = (groups: readonly number[]): FromTo => ({
    from: unionLists(groups.map((g) => ir.groups[g]?.from ?? [])),
    to: unionLists(groups.map((g) => ir.groups[g]?.to ?? [])),
  });
  // Bundles by their coarse groups (a class's groups are ascending, so the key is canonical).
  const index = new Map<string, number>([["", 0]]);
  const bundles: FromTo[] = [{ from: [], to: [] }];
  const bundleOf = new Uint32Array(ir.addrClasses.length);
  // A class without coarse groups is in bundle 0 and keeps its lowered lists as they are.
  const fine = ir.addrClasses.map((c, i) => {
    const mine = c.groups.filter(coarse);
    if (mine.length === 0) return { from: c.from, to: c.to };
    const key = mine.join(",");
    let b = index.get(key);
    if (b === undefined) {
      b = bundles.length;
      index.set(key, b);
      bundles.push(rules(mine));
    }
    bundleOf[i] = b;
    return rules(c.groups.filter((g) => !coarse(g)));
  });
  return { fine, bundleOf, bundles };
}
