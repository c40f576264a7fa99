import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PairLists } from "../../compiler/check/pair-lists.js";

function list(p: PairLists, a: number, b: number): number[] {
  const out: number[] = [];
  for (let e = p.head(a, b); e >= 0; e = p.nextOf(e)) out.push(p.valueAt(e));
  return out;
}

describe("PairLists", () => {
  test("same lists as a map of arrays, in insertion order, through growth and rehashing", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 40 }), fc.nat({ max: 3_000_000 }), fc.integer()), { maxLength: 3000 }), (adds) => {
        const p = new PairLists(4);
        const m = new Map<string, number[]>();
        for (const [a, b, v] of adds) {
          p.add(a, b, v);
          const k = `${a},${b}`;
          m.set(k, [...(m.get(k) ?? []), v]);
        }
        for (const [k, vs] of m) {
          const [a, b] = k.split(",").map(Number) as [number, number];
          expect(list(p, a, b)).toEqual(vs);
        }
        expect(list(p, 41, 0)).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });
});
