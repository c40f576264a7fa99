/**
 * Hostile input: every failure is a diagnostic, never an exception, a stack overflow or a hang.
 * Time bounds are generous (the CI machine is shared); typical runs take a fraction of them.
 */
import { describe, expect, test } from "vitest";
import { parseSource } from "../../compiler/ast/parse.js";
import { decodeSource } from "../../compiler/source.js";

/** Deterministic pseudo-random text (LCG), built in chunks to stay linear. */
function randomText(n: number, seed: number, alphabet?: string): string {
  let x = seed >>> 0;
  const chunks: string[] = [];
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    buf.push(alphabet ? (alphabet[(x >>> 8) % alphabet.length] as string) : String.fromCharCode(32 + ((x >>> 8) % 95)));
    if (buf.length === 65536) {
      chunks.push(buf.join(""));
      buf = [];
    }
  }
  chunks.push(buf.join(""));
  return chunks.join("");
}

function timed(src: string): { ms: number; codes: string[]; items: number } {
  const t0 = performance.now();
  const r = parseSource("g.nvp", src);
  return { ms: performance.now() - t0, codes: r.diagnostics.map((d) => d.code), items: r.file.items.length };
}

describe("garbage input", () => {
  test("binary bytes and invalid UTF-8 are refused before parsing", () => {
    expect(decodeSource("a.nvp", new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00])).diagnostics[0]?.code).toBe("NV0002");
    expect(decodeSource("a.nvp", new Uint8Array([0x72, 0x75, 0x6c, 0x65, 0x20, 0xc3, 0x28])).diagnostics[0]?.code).toBe("NV0003");
  });

  test("10 MB of random printable text: capped diagnostics, fast", () => {
    const src = randomText(10_000_000, 7, " abcdefghijklmnopqrstuvwxyz0123456789{}=,;.:/*\"#%&()\n-_>!@^~$");
    const r = timed(src);
    expect(r.ms).toBeLessThan(2000);
    expect(r.codes.length).toBeLessThanOrEqual(101);
    expect(r.codes[r.codes.length - 1]).toBe("NV1099");
  });

  test("10 MB of random printable ASCII on one line", () => {
    const r = timed(randomText(10_000_000, 11));
    expect(r.ms).toBeLessThan(2000);
    expect(r.codes.length).toBeGreaterThan(0);
    expect(r.codes.length).toBeLessThanOrEqual(101);
  });

  test("10 MB of well-formed tokens that form no item", () => {
    const r = timed("a ".repeat(5_000_000));
    expect(r.ms).toBeLessThan(2000);
    expect(r.codes).toEqual(["NV1003"]);
  });

  test.each([
    ["100k nested braces", "{".repeat(100_000)],
    ["100k nested braces in a group", "group g " + "{".repeat(100_000) + "}".repeat(100_000)],
    ["100k closing braces", "}".repeat(100_000)],
    ["100k nested braces then a rule", "{".repeat(100_000) + "\nrule 1 allow a -> b"],
  ])("%s: one diagnostic, no stack overflow", (_name, src) => {
    const r = timed(src);
    expect(r.ms).toBeLessThan(2000);
    expect(r.codes).toHaveLength(1);
  });

  test("a group of 100k addresses on one megabyte line parses", () => {
    const r = timed("group g { address " + "10.0.0.1, ".repeat(100_000) + "10.0.0.2 }");
    expect(r.ms).toBeLessThan(2000);
    expect(r.codes).toEqual([]);
    expect(r.items).toBe(1);
  });

  test("an item of more than 250k tokens is refused with one diagnostic", () => {
    const r = timed("rule 1 allow " + "a, ".repeat(300_000) + "b -> c\nrule 2 allow a -> b");
    expect(r.ms).toBeLessThan(2000);
    expect(r.codes).toEqual(["NV1004"]);
    expect(r.items).toBe(1);
  });

  test("megabyte-long strings, words and comments", () => {
    for (const src of [
      `rule 1 allow a -> b "${"x".repeat(1_000_000)}"`,
      `rule 1 allow ${"a-".repeat(500_000)}b -> c`,
      `# ${"#".repeat(1_000_000)}\nrule 1 allow a -> b`,
      `group g { address ${":".repeat(1_000_000)}g }`,
    ]) {
      const r = timed(src);
      expect(r.ms).toBeLessThan(2000);
      expect(r.items + r.codes.length).toBeGreaterThan(0);
    }
  });
});
