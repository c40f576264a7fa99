/**
 * compiler/pipeline.ts: one stage table (load, parse, check, lower, encode, emit), every stage
 * timed and dumpable; the entry points agree with each other; `nvp compile --timings` and
 * `--dump-after <stage>` expose it. Run: NO_COLOR=1 npx vitest run test/compiler/
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, test } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";
import * as compilerApi from "../../compiler/index.js";
import { checkFiles, checkSources, compileFiles, compileModule, STAGES, type Stage } from "../../compiler/pipeline.js";

const LIB = `group partners { address 203.0.113.0/24, "api.partner.example.com" }\n`;
const POLICY = `policy shop
import "./lib.nvp"
param ns = "shop"
service web = nv.web.\${ns} { mode protect }
service db = nv.db.\${ns} { mode monitor }
rule 10 allow web -> db port tcp/5432  # the database
rule 20 allow partners -> web app http
`;

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-pipeline-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const dir = scratch({ "shop.nvp": POLICY, "lib.nvp": LIB });

/** Every stage's dump of one compile of the scratch policy. */
function dumps(): Record<Stage, string> {
  const out: Partial<Record<Stage, string>> = {};
  for (const stage of STAGES) compileFiles(["shop.nvp"], { cwd: dir, dumpAfter: stage, onDump: (s, t) => (out[s] = t) });
  return out as Record<Stage, string>;
}

describe("the stage table", () => {
  test("compileFiles runs and times the six stages in order", () => {
    const r = compileFiles(["shop.nvp"], { cwd: dir });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.stages.map((s) => s.name)).toEqual(["load", "parse", "check", "lower", "encode", "emit"]);
    expect(r.stages.every((s) => Number.isFinite(s.ms) && s.ms >= 0)).toBe(true);
    expect(r.module?.stages.map((s) => s.name)).toEqual(["lower", "encode", "emit"]);
  });

  test("the entry points agree: checkFiles + compileModule = compileFiles; checkSources = checkFiles", () => {
    const fromDisk = checkFiles(["shop.nvp"], { cwd: dir });
    expect(fromDisk.stages.map((s) => s.name)).toEqual(["load", "parse", "check"]);
    const fromTexts = checkSources({ "shop.nvp": POLICY, "lib.nvp": LIB }, ["shop.nvp"]);
    expect(fromTexts.model).toEqual(fromDisk.model);
    expect(fromTexts.diagnostics).toEqual(fromDisk.diagnostics);
    const whole = compileFiles(["shop.nvp"], { cwd: dir });
    const bytes = compileModule(fromDisk.model!).bytes;
    expect(Buffer.from(whole.module!.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  test("the package's former names are the same functions", () => {
    expect(compilerApi.loadAndCheck).toBe(checkFiles);
    expect(compilerApi.compileSources).toBe(checkSources);
  });

  test("a load error stops after parse: no check, no module; a missing entry is an I/O error", () => {
    const r = compileFiles(["missing.nvp"], { cwd: dir });
    expect(r.stages.map((s) => s.name)).toEqual(["load", "parse"]);
    expect(r.module).toBeUndefined();
    expect(r.ioError).toBe(true);
    const bad = compileFiles(["bad.nvp"], { cwd: scratch({ "bad.nvp": "rule 10 allow nope -> any\n" }) });
    expect(bad.stages.map((s) => s.name)).toEqual(["load", "parse", "check"]);
    expect(bad.module).toBeUndefined();
    expect(bad.ioError).toBe(false);
  });
});

describe("every stage dumps its output", () => {
  const d = dumps();

  test("load: the files read, dependencies first", () => {
    expect(d.load.split("\n").slice(0, 3)).toEqual([
      "2 file(s), dependencies first",
      `  lib.nvp  ${LIB.length} bytes, 2 lines`,
      `  shop.nvp  ${POLICY.length} bytes, 8 lines`,
    ]);
  });

  test("parse: each file's AST as YAML, comments kept", () => {
    const docs = d.parse.split(/^# /m).filter(Boolean);
    expect(docs.map((x) => x.split("\n")[0])).toEqual(["lib.nvp", "shop.nvp"]);
    const shop = parseYaml(docs[1]!.slice(docs[1]!.indexOf("\n") + 1)) as { items: { kind: string }[]; comments: string[] };
    expect(shop.items.map((i) => i.kind)).toEqual(["policy", "import", "param", "service", "service", "rule", "rule"]);
    expect(shop.comments).toEqual([" the database"]);
  });

  test("check: the model as YAML, parameters applied and addresses as text", () => {
    const m = parseYaml(d.check) as { name: string; groups: { name: string; addresses?: { lo: string; text: string }[] }[]; rules: { id: number }[] };
    expect(m.name).toBe("shop");
    expect(m.rules.map((r) => r.id)).toEqual([10, 20]);
    const partners = m.groups.find((g) => g.name === "partners");
    expect(partners?.addresses?.[0]).toMatchObject({ text: "203.0.113.0/24", lo: "203.0.113.0" });
    expect(d.check).not.toContain("span");
  });

  test("lower, encode, emit: the IR, the table header, the module's sections", () => {
    expect(d.lower).toContain("r0 id=10 allow");
    expect(d.encode).toMatch(/^table \d+ bytes, format \d+, abi \d+/);
    const bytes = compileFiles(["shop.nvp"], { cwd: dir }).module!.bytes;
    expect(d.emit.split("\n")[0]).toMatch(new RegExp(`^module ${bytes.length} bytes, sha256 [0-9a-f]{64}$`));
    expect(d.emit).toMatch(/^ {2}code {2}\d+ bytes$/m);
    expect(d.emit).toMatch(/^ {2}custom nvp\.meta {2}\d+ bytes$/m);
  });
});

describe("nvp compile", () => {
  async function run(args: string[]) {
    const io = memoryIo(dir);
    const code = await main(args, io);
    return { code, out: io.stdout, err: io.stderr };
  }

  test("--timings prints every stage's time on stderr", async () => {
    const r = await run(["compile", "shop.nvp", "-o", "t.wasm", "--timings"]);
    expect(r.code).toBe(0);
    const lines = r.err.split("\n").filter((l) => /^ {2}\w+ +\d+\.\d\d ms$/.test(l));
    expect(lines.map((l) => l.trim().split(/ +/)[0])).toEqual([...STAGES]);
  });

  test("--dump-after takes every stage; --format json lists the six stages", async () => {
    const lib = dumps();
    for (const stage of STAGES) {
      const r = await run(["compile", "shop.nvp", "-o", `${stage}.wasm`, "--dump-after", stage]);
      expect(r.code, stage).toBe(0);
      // The CLI records its own version in the module, so the emitted bytes (and hash) differ.
      if (stage === "emit") expect(r.out).toMatch(/^module \d+ bytes, sha256 /);
      else expect(r.out, stage).toBe(lib[stage]);
    }
    const j = await run(["compile", "shop.nvp", "-o", "j.wasm", "--format", "json"]);
    expect((JSON.parse(j.out) as { stages: { name: string }[] }).stages.map((s) => s.name)).toEqual([...STAGES]);
    expect(readFileSync(join(dir, "j.wasm")).length).toBeGreaterThan(1000);
  });

  test("an unknown stage is a usage error (exit 2)", async () => {
    const r = await run(["compile", "shop.nvp", "-o", "x.wasm", "--dump-after", "optimise"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("load, parse, check, lower, encode, emit");
  });
});
