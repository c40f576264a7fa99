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

export function splitClasses(ir: DecisionIR, coarseClasses = COARSE_CLASSES): ClassSplit {
  const covers = new Uint32Array(ir.groups.length);
  for (const c of ir.addrClasses) for (const g of c.groups) covers[g] = (covers[g] as number) + 1;
  const coarse = (g: number) => (covers[g] as number) >= coarseClasses;
  const rules = (groups: readonly number[]): FromTo => ({
    from: unionLists(groups.map((g) => ir.groups[g]?.from ?? [])),
    to: unionLists(groups.map((g) => ir.groups[g]?.to ?? [])),
  });
  // Bundles by their coarse groups (a class's groups are ascending, so the key is canonical).
  const index = new Map<string, number>([["", 0]]);
  const bundles: FromTo[] = [{ from: [], to: [] }];
  const bundleOf = new Uint32Array(ir.addrClasses.length);
  const fine = ir.addrClasses.map((c, i) => {
    const mine = c.groups.filter(coarse);
    const key = mine.join(",");
    let b = index.get(key);
    if (b === undefined) {
      b = bundles.length;
      index.set(key, b);
      bundles.push(rules(mine));
    }
    bundleOf[i] = b;
    // A class without coarse groups keeps its lowered lists as they are.
    return mine.length === 0 ? { from: c.from, to: c.to } : rules(c.groups.filter((g) => !coarse(g)));
  });
  return { fine, bundleOf, bundles };
}
