/**
 * Hostile input: every failure is a diagnostic, never an exception, a stack overflow or a hang.
 *
 * No clock here (a busy CI machine makes any time bound flaky): the "stays linear" claims are checked
 * by counting work, the tokens the parser pulls from the scanner. Each token is scanned once (no
 * re-scan, no backtracking over the text), and at the error cap scanning stops instead of reading
 * the rest of a 10 MB file. How long these inputs take is measured by bench/garbage.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseSource } from "../../compiler/ast/parse.js";
import { decodeSource } from "../../compiler/source.js";
import { Scanner } from "../../grammar/lexer.js";
import { randomText } from "./random-text.js";

/** Tokens pulled from the scanner since the last `parseCounted`. */
let pulled = 0;
const next = Scanner.prototype.next;

beforeAll(() => {
  Scanner.prototype.next = function counted(this: Scanner) {
    pulled++;
    return next.call(this);
  };
});

afterAll(() => {
  Scanner.prototype.next = next;
});

function parseCounted(src: string): { pulled: number; codes: string[]; items: number } {
  pulled = 0;
  const r = parseSource("g.nvp", src);
  return { pulled, codes: r.diagnostics.map((d) => d.code), items: r.file.items.length };
}

/** `next()` returns each token once, plus one `undefined` at the end (and a few look-aheads past it). */
const END = 4;

describe("garbage input", () => {
  test("binary bytes and invalid UTF-8 are refused before parsing", () => {
    expect(decodeSource("a.nvp", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00])).diagnostics[0]?.code).toBe("NV0002");
    expect(decodeSource("a.nvp", new Uint8Array([0x72, 0x75, 0x6c, 0x65, 0x20, 0xc3, 0x28])).diagnostics[0]?.code).toBe("NV0003");
  });

  test("10 MB of random printable text: capped diagnostics, and scanning stops at the cap", () => {
    const src = randomText(10_000_000, 7, " abcdefghijklmnopqrstuvwxyz0123456789{}=,;.:/*\"#%&()\n-_>!@^~$");
    const r = parseCounted(src);
    expect(r.codes.length).toBeLessThanOrEqual(101);
    expect(r.codes[r.codes.length - 1]).toBe("NV1099");
    // 101 diagnostics are found in the first few hundred tokens; the other 10 MB are never scanned.
    expect(r.pulled).toBeLessThan(1_000);
  });

  test("10 MB of random printable ASCII on one line", () => {
    const r = parseCounted(randomText(10_000_000, 11));
    expect(r.codes.length).toBeGreaterThan(0);
    expect(r.codes.length).toBeLessThanOrEqual(101);
    expect(r.pulled).toBeLessThan(1_000);
  });

  test("10 MB of well-formed tokens that form no item: one diagnostic, each token scanned once", () => {
    const r = parseCounted("a ".repeat(5_000_000));
    expect(r.codes).toEqual(["NV1003"]);
    expect(r.pulled).toBeLessThanOrEqual(5_000_000 + END);
  });

  test.each([
    ["100k nested braces", "{".repeat(100_000), 100_000],
    ["100k nested braces in a group", "group g " + "{".repeat(100_000) + "}".repeat(100_000), 200_002],
    ["100k closing braces", "}".repeat(100_000), 100_000],
    ["100k nested braces then a rule", "{".repeat(100_000) + "\nrule 1 allow a -> b", 100_007],
  ])("%s: one diagnostic, no stack overflow, each token scanned once", (_name, src, tokens) => {
    const r = parseCounted(src);
    expect(r.codes).toHaveLength(1);
    expect(r.pulled).toBeLessThanOrEqual(tokens + END);
  });

  test("a group of 100k addresses on one megabyte line parses, each token scanned once", () => {
    const r = parseCounted("group g { address " + "10.0.0.1, ".repeat(100_000) + "10.0.0.2 }");
    expect(r.codes).toEqual([]);
    expect(r.items).toBe(1);
    // group g { address, then an address and a comma 100k times, then the last address and `}`
    expect(r.pulled).toBeLessThanOrEqual(4 + 200_000 + 2 + END);
  });

  test("an item of more than 250k tokens is refused with one diagnostic; the rest is scanned once", () => {
    const r = parseCounted("rule 1 allow " + "a, ".repeat(300_000) + "b -> c\nrule 2 allow a -> b");
    expect(r.codes).toEqual(["NV1004"]);
    expect(r.items).toBe(1);
    // rule 1 allow, 600k tokens of `a,`, b -> c, a line break, then the 6 tokens of rule 2
    expect(r.pulled).toBeLessThanOrEqual(3 + 600_000 + 3 + 1 + 6 + END);
  });

  test("megabyte-long strings, words and comments are one token (or one comment) each", () => {
    for (const [src, tokens] of [
      [`rule 1 allow a -> b "${"x".repeat(1_000_000)}"`, 7],
      [`rule 1 allow ${"a-".repeat(500_000)}b -> c`, 6],
      [`# ${"#".repeat(1_000_000)}\nrule 1 allow a -> b`, 7],
      [`group g { address ${":".repeat(1_000_000)}g }`, 5],
    ] as const) {
      const r = parseCounted(src);
      expect(r.items + r.codes.length).toBeGreaterThan(0);
      expect(r.pulled).toBeLessThanOrEqual(tokens + END);
    }
  });
});
