import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { sameList, unionLists } from "../../compiler/lower/rule-lists.js";

const sortedList = fc.uniqueArray(fc.nat({ max: 5000 }), { maxLength: 60 }).map((xs) => xs.sort((a, b) => a - b));

describe("rule lists", () => {
  test("unionLists is the sorted, duplicate-free union, as a fresh list", () => {
    fc.assert(
      fc.property(fc.array(sortedList, { maxLength: 13 }), (lists) => {
        const want = [...new Set(lists.flat())].sort((a, b) => a - b);
        const got = unionLists(lists);
        expect(got).toEqual(want);
        expect(Array.isArray(got)).toBe(true);
        for (const l of lists) expect(got).not.toBe(l);
      }),
      { numRuns: 500 },
    );
  });

  test("sameList", () => {
    expect(sameList([1, 2], [1, 2])).toBe(true);
    expect(sameList([1, 2], [1, 3])).toBe(false);
    expect(sameList([1], [1, 2])).toBe(false);
  });
});
