import { describe, expect, test } from "vitest";
import { decodeSource, firstInvalidUtf8, MAX_SOURCE_BYTES } from "../../compiler/source.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("decodeSource", () => {
  test("decodes UTF-8 text and strips a byte order mark", () => {
    expect(decodeSource("a.nvp", enc("policy shop\n"))).toEqual({ text: "policy shop\n", diagnostics: [] });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...enc("policy é")]);
    expect(decodeSource("a.nvp", bom)).toEqual({ text: "policy é", diagnostics: [] });
  });

  test("refuses binary files (NUL bytes) with NV0002", () => {
    const r = decodeSource("img.nvp", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    expect(r.text).toBeUndefined();
    expect(r.diagnostics).toMatchObject([
      { code: "NV0002", message: "file `img.nvp` is not text", label: "NUL byte at byte offset 4" },
    ]);
  });

  test("refuses invalid UTF-8 with the byte offset and line:col of the first bad byte (NV0003)", () => {
    const bytes = new Uint8Array([...enc("policy a\n# é\nrule "), 0xff, ...enc(" x")]);
    const r = decodeSource("bad.nvp", bytes);
    expect(r.text).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect(d.code).toBe("NV0003");
    expect(d.message).toBe("file `bad.nvp` is not valid UTF-8: byte 0xFF at byte offset 19 (line 3, column 6)");
    expect(d.span?.start).toEqual({ line: 3, col: 6, offset: 18 });
    expect(d.help).toBe("save the file as UTF-8");
  });

  test("refuses files over 64 MiB (NV0004) without decoding them", () => {
    const big = new Uint8Array(MAX_SOURCE_BYTES + 1);
    const r = decodeSource("big.nvp", big);
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NV0004"]);
  });

  test("never throws on random bytes", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const b = new Uint8Array(64);
      let x = seed;
      for (let i = 0; i < b.length; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      const r = decodeSource("r.nvp", b);
      expect(r.text !== undefined || r.diagnostics.length === 1).toBe(true);
    }
  });
});

describe("firstInvalidUtf8", () => {
  test.each([
    ["ascii", [0x41, 0x42], -1],
    ["two-byte é", [0xc3, 0xa9], -1],
    ["four-byte emoji", [0xf0, 0x9f, 0x98, 0x80], -1],
    ["lone continuation", [0x41, 0x80], 1],
    ["overlong two-byte", [0xc0, 0xaf], 0],
    ["overlong three-byte", [0xe0, 0x80, 0xaf], 0],
    ["UTF-16 surrogate", [0xed, 0xa0, 0x80], 0],
    ["above U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["truncated at end", [0x41, 0xe2, 0x82], 1],
    ["bad continuation", [0xe2, 0x41, 0x82], 0],
  ])("%s", (_name, bytes, want) => {
    expect(firstInvalidUtf8(new Uint8Array(bytes))).toBe(want);
    // Agrees with the platform decoder on validity.
    let ok = true;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
    } catch {
      ok = false;
    }
    expect(ok).toBe(want === -1);
  });
});
