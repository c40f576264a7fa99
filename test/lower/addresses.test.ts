/**
 * Address classes against a brute-force reading: the intervals tile the address space, adjacent
 * ones differ, and each interval's class is exactly the groups whose entries cover its ends. The
 * points include IPv6 values a double cannot tell apart (the sweep sorts by a double first).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { MAX_IP, V4_BASE } from "../../common/ip.js";
import { lowerAddresses } from "../../compiler/lower/addresses.js";
import type { AddressModel, GroupModel, PolicyModel } from "../../compiler/model.js";

const POINTS = [0n, 1n, V4_BASE, V4_BASE + 5n, V4_BASE + 0xffffffffn, 1n << 100n, (1n << 100n) + 1n, (1n << 100n) + 2n, MAX_IP - 1n, MAX_IP];
const arbEntry = fc.tuple(fc.nat({ max: POINTS.length - 1 }), fc.nat({ max: POINTS.length - 1 })).map(([a, b]): AddressModel => {
  const [lo, hi] = [POINTS[Math.min(a, b)] as bigint, POINTS[Math.max(a, b)] as bigint];
  return { kind: "ip", lo, hi, text: `${lo}-${hi}` };
});

describe("address classes", () => {
  test("tile the space with the groups that cover each interval", () => {
    fc.assert(
      fc.property(fc.array(fc.array(arbEntry, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (entries) => {
        const groups: GroupModel[] = entries.map((addresses, index) => ({ index, name: `g${index}`, kind: "address", addresses, span: undefined as never }));
        const model = { groups } as unknown as PolicyModel;
        const { intervals, classes } = lowerAddresses(model, groups.map(() => ({ from: [], to: [] })));
        const covering = (x: bigint) => groups.filter((g) => (g.addresses ?? []).some((a) => a.kind === "ip" && a.lo <= x && x <= a.hi)).map((g) => g.index);
        expect(intervals[0]?.lo).toBe(0n);
        expect(intervals[intervals.length - 1]?.hi).toBe(MAX_IP);
        intervals.forEach((iv, k) => {
          const next = intervals[k + 1];
          if (next) {
            expect(next.lo).toBe(iv.hi + 1n);
            expect(next.cls).not.toBe(iv.cls);
          }
          const cls = classes[iv.cls]?.groups;
          expect(covering(iv.lo)).toEqual(cls);
          expect(covering(iv.hi)).toEqual(cls);
        });
      }),
      { numRuns: 300 },
    );
  });
});
