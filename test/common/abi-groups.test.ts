/**
 * The `nvp.groups` section codec (common/abi-groups.ts): any groups round-trip exactly (names and
 * values with any Unicode, shared strings, every optional part), and any other bytes are refused
 * with a GroupsFormatError — never another exception, never a hang.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeGroups, encodeGroups, GROUP_KINDS, GroupsFormatError } from "../../common/abi-groups.js";
import { META_CRITERION_KEYS, META_CRITERION_OPS, type MetaGroup } from "../../common/abi-meta.js";
import { MODES } from "../../common/schema.js";
import { mutate, payloadEdits } from "../packet/mutate.js";

const text = fc.oneof(fc.constantFrom("web", "shop", "tier", "db.example.com", ""), fc.string({ unit: "grapheme", maxLength: 12 }));
const criterion = fc.record(
  { key: fc.constantFrom(...META_CRITERION_KEYS), labelKey: text, op: fc.constantFrom(...META_CRITERION_OPS), value: text },
  { requiredKeys: ["key", "op", "value"] },
);
const pattern = fc.record({ name: text, wildcard: fc.boolean() });
const group: fc.Arbitrary<MetaGroup> = fc.record(
  {
    name: text,
    kind: fc.constantFrom(...GROUP_KINDS),
    builtin: text,
    service: fc.record({ service: text, namespace: text }),
    mode: fc.constantFrom(...MODES),
    criteria: fc.array(criterion, { minLength: 1, maxLength: 3 }),
    dns: fc.array(pattern, { minLength: 1, maxLength: 3 }),
    vh: fc.array(fc.record({ name: text, wildcard: fc.boolean(), slot: fc.nat({ max: 1000 }) }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ["name", "kind"] },
);

describe("nvp.groups codec", () => {
  test("any groups round-trip", () => {
    fc.assert(
      fc.property(fc.array(group, { maxLength: 12 }), (groups) => {
        expect(decodeGroups(encodeGroups(groups))).toEqual(groups);
      }),
      { numRuns: 500 },
    );
  });

  test("the payload starts anywhere in memory (a custom section is not aligned)", () => {
    const groups: MetaGroup[] = [{ name: "web", kind: "service", service: { service: "web", namespace: "shop" }, mode: "protect" }];
    const bytes = encodeGroups(groups);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decodeGroups(shifted.subarray(3))).toEqual(groups);
  });

  test("mutated and random payloads are refused with GroupsFormatError or decode, nothing else", () => {
    const refusedOrDecoded = (p: Uint8Array) => {
      try {
        decodeGroups(p);
      } catch (e) {
        expect(e).toBeInstanceOf(GroupsFormatError);
      }
    };
    fc.assert(
      fc.property(fc.array(group, { minLength: 1, maxLength: 6 }), payloadEdits(4), (groups, edits) => {
        refusedOrDecoded(mutate(encodeGroups(groups), edits, { end: true }));
      }),
      { numRuns: 1000 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), refusedOrDecoded), { numRuns: 500 });
  });

  test("a count of groups beyond what the words can hold is refused before anything is built", () => {
    const bytes = encodeGroups([{ name: "a", kind: "address" }]);
    new DataView(bytes.buffer).setUint32(4, 0xffffffff, true);
    expect(() => decodeGroups(bytes)).toThrow("it counts more groups than it holds");
  });
});
