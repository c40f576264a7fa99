import { describe, expect, test } from "vitest";
import { type LoadFs, loadPolicy } from "../../compiler/check/load.js";
import { defaultStdlibDir } from "../../compiler/check/import-path.js";
import { check, expectOne } from "./helpers.js";

function memFs(files: Record<string, string | Uint8Array>): LoadFs & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile(path) {
      reads.push(path);
      const f = files[path];
      return typeof f === "string" ? new TextEncoder().encode(f) : f;
    },
  };
}

describe("loadPolicy", () => {
  test("follows relative imports, each file once, dependencies first", () => {
    const fs = memFs({
      "p/main.nvp": 'import "./a"\nimport "lib/b.nvp"\nrule 1 allow nodes -> nodes',
      "p/a.nvp": 'import "./lib/b"',
      "p/lib/b.nvp": "# a leaf",
    });
    const r = loadPolicy(["p/main.nvp"], { fs });
    expect(r.diagnostics).toEqual([]);
    expect(r.files.map((f) => f.path)).toEqual(["p/lib/b.nvp", "p/a.nvp", "p/main.nvp"]);
    expect(fs.reads.filter((p) => p === "p/lib/b.nvp")).toHaveLength(1);
    expect([...r.sources.keys()].sort()).toEqual(["p/a.nvp", "p/lib/b.nvp", "p/main.nvp"]);
  });

  test("std/<name> reads stdlib/<name>.nvp and shows it as std/<name>.nvp", () => {
    const fs = memFs({ "main.nvp": 'import "std/net"', "/lib/std/net.nvp": "group rfc1918 { address 10.0.0.0/8 }" });
    const r = loadPolicy(["main.nvp"], { fs, stdlibDir: "/lib/std" });
    expect(r.diagnostics).toEqual([]);
    expect(r.files.map((f) => f.path)).toEqual(["std/net.nvp", "main.nvp"]);
    expect(r.files[0]!.items[0]!.span.file).toBe("std/net.nvp");
  });

  test("a missing entry file has no span, only the file name (NV2001)", () => {
    const r = loadPolicy(["nope.nvp"], { fs: memFs({}) });
    expect(r.diagnostics).toEqual([
      { code: "NV2001", severity: "error", message: "file `nope.nvp` not found", file: "nope.nvp", help: expect.stringMatching(/working directory/) },
    ]);
  });

  test("bad bytes are reported by the decoder and the file is skipped", () => {
    const r = loadPolicy(["bin.nvp"], { fs: memFs({ "bin.nvp": new Uint8Array([0x70, 0, 0x71]) }) });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NV0002"]);
    expect(r.files).toEqual([]);
  });

  test("parse errors come through with the files", () => {
    const r = loadPolicy(["x.nvp"], { fs: memFs({ "x.nvp": "rule allow" }) });
    expect(r.diagnostics[0]!.code).toMatch(/^NV1/);
  });
});

describe("import diagnostics", () => {
  test("a missing import points at the path string (NV2001)", () => {
    expectOne(check('import "./nope"'), {
      code: "NV2001",
      message: "imported file `nope.nvp` not found",
      underlined: '"./nope"',
      label: "no such file",
      help: /relative to the importing file/,
    });
  });
  test("an unknown standard library module lists the real ones", () => {
    expectOne(check('import "std/nett"'), {
      code: "NV2001",
      message: "standard library module `std/nett` does not exist",
      underlined: '"std/nett"',
      help: "the standard library has `std/dns`, `std/net`",
    });
  });
  test("a std path that is not a module name", () => {
    expectOne(check('import "std/../etc/passwd"'), { code: "NV2001", message: "`std/../etc/passwd` is not a standard library module name" });
  });
  test("an import cycle names every file (NV2002)", () => {
    const r = check('import "./a"', { files: { "a.nvp": 'import "./b"', "b.nvp": 'import "./a"' } });
    expectOne(r, {
      code: "NV2002",
      message: "import cycle: `a.nvp` -> `b.nvp` -> `a.nvp`",
      underlined: '"./a"',
      file: "b.nvp",
      label: "this import closes the cycle",
    });
  });
  test("a file importing itself", () => {
    expectOne(check('import "./test.nvp"'), { code: "NV2002", message: "import cycle: `test.nvp` -> `test.nvp`" });
  });
  test("diamond imports are not cycles", () => {
    const r = check('import "./a"\nimport "./b"', { files: { "a.nvp": 'import "./c"', "b.nvp": 'import "./c"', "c.nvp": "group c { address 10.0.0.1 }\nrule 1 allow c -> c" } });
    expect(r.diagnostics).toEqual([]);
  });
  test("the default stdlib directory is the package's", () => {
    expect(defaultStdlibDir()).toMatch(/stdlib$/);
  });
});
