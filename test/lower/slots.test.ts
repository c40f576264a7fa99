/**
 * Slot assignment (compiler/encode/slots.ts assignSlots): rules cluster by first destination
 * group, then first source group, then order; rules whose ports span many elementary intervals
 * (ranges) come after all the others, so the port sets' bits for them fill a few dense words.
 */
import { describe, expect, test } from "vitest";
import { assignSlots, encodeTable } from "../../compiler/encode/encode.js";
import { lowerModel } from "../../compiler/lower/lower.js";
import { generatePolicy } from "../../bench/gen-policy.js";
import { modelOf } from "../engine/helpers.js";

const POLICY = `policy slots
group a { address 10.1.0.0/16 }
group b { address 10.2.0.0/16 }
rule 10 allow a -> b port tcp/8000-8100
rule 20 allow b -> a port tcp/8000
rule 30 allow a -> b port tcp/8001
rule 40 allow b -> a port tcp/8050, udp/53
rule 50 allow a -> b port tcp/8099-8200
rule 60 allow a -> b
`;

describe("slot assignment", () => {
  test("narrow rules by destination, source and order first; a few port ranges spanning many intervals last", () => {
    // Ten more narrow rules a -> a, so the one wide rule is under a tenth of the rules.
    const extra = Array.from({ length: 10 }, (_, i) => `rule ${100 + i} allow a -> a port tcp/${9000 + i}`).join("\n");
    const ir = lowerModel(modelOf(POLICY + extra + "\n"));
    // Rule indexes: 0 (8000-8100: 6 elementary intervals), 1, 2, 3, 4 (8099-8200: 2), 5 (no ports), 6-15.
    const rules = Array.from(assignSlots(ir));
    // Destination a (declared first): source a (6-15), then source b (1, 3); destination b: 2, 4, 5; then 0.
    expect(rules).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1, 3, 2, 4, 5, 0]);
  });

  test("when many rules have wide ports, they keep their place", () => {
    // One wide rule in six: separating many of them was measured to slow decisions (ClassBench).
    const rules = Array.from(assignSlots(lowerModel(modelOf(POLICY))));
    expect(rules).toEqual([1, 3, 0, 2, 4, 5]);
  });

  test("the sets of a generated policy with port ranges stay small", () => {
    // 5% of its rules have a tcp/8000-8199 range: kept apart, they do not put a bit in most
    // 64-slot words of every port interval's set.
    const g = generatePolicy(20_000, 200, 0);
    const table = encodeTable(lowerModel(modelOf(g.source)));
    // Measured: 334 KB with the wide rules kept apart, 657 KB without.
    expect(table.sizes.sets).toBeLessThan(450_000);
  });
});
