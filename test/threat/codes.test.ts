/** asm/threat/codes.ts names every catalog row's code, in the catalog's order. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { THREATS } from "../../common/threats.js";

test("asm/threat/codes.ts matches common/threats.ts", () => {
  const text = readFileSync(join(import.meta.dirname, "../../asm/threat/codes.ts"), "utf8");
  const codes = [...text.matchAll(/export const T_([A-Z0-9_]+): u32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]);
  const want = THREATS.map((t) => [t.slug.toUpperCase().replace(/[-.]/g, "_"), t.code]);
  expect(codes).toEqual(want);
  THREATS.forEach((t, i) => expect(t.code).toBe(i));
  expect(new Set(THREATS.map((t) => t.id)).size).toBe(THREATS.length);
});
