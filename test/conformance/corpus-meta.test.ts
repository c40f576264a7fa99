/**
 * The corpus itself: well-formed, unique names, every file linked from docs/semantics.md and every
 * linked file present, and the loader refusing malformed cases rather than silently skipping them.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CORPUS_DIR, loadCorpus, loadExceptions } from "./corpus.js";

const semantics = readFileSync(join(CORPUS_DIR, "../../docs/semantics.md"), "utf8");

describe("conformance corpus", () => {
  const cases = loadCorpus();

  test("case names are unique across files", () => {
    const seen = new Map<string, string>();
    const dupes = cases.filter((c) => seen.has(c.name) || !seen.set(c.name, c.file)).map((c) => c.name);
    expect(dupes).toEqual([]);
  });

  test("every case file is named in docs/semantics.md, and every named file exists", () => {
    const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith(".yaml") && f !== "exceptions.yaml");
    const linked = new Set([...semantics.matchAll(/`([a-z-]+\.yaml)`/g)].map((m) => m[1]));
    expect(files.filter((f) => !linked.has(f))).toEqual([]);
    expect([...linked].filter((f) => !files.includes(f as string))).toEqual([]);
  });

  test("the reference evaluator has no exceptions", () => {
    expect(loadExceptions().reference).toBeUndefined();
  });

  test("every NeuVector function a case cites (`nv:`) is named in docs/semantics.md", () => {
    const cited = cases.flatMap((c) => (c.nv ? [{ name: c.name, fn: c.nv.split(" ")[1] as string }] : []));
    expect(cited.length).toBeGreaterThanOrEqual(15);
    expect(cited.filter((c) => !semantics.includes(c.fn))).toEqual([]);
  });

  test("every case pinning NeuVector fidelity cites NeuVector code", () => {
    const fidelity = cases.filter((c) => ["nodes", "carve-outs", "endpoint-groups", "services", "host-network"].includes(c.file));
    expect(fidelity.filter((c) => c.nv === undefined).map((c) => c.name)).toEqual([]);
  });

  test("the fidelity table's counts are its rows' (S8)", () => {
    const table = semantics.slice(semantics.indexOf("## S8."));
    const statuses = [...table.matchAll(/^\| \d+ \|[^|]*\|[^|]*\| ([^|]+)\|/gm)].map((m) => (m[1] as string).trim());
    const count = (s: string) => statuses.filter((x) => x.startsWith(s)).length;
    const stated = /Counts: \*\*same (\d+)\*\*, \*\*setting (\d+)\*\*, \*\*decision (\d+)\*\*, \*\*not modelled (\d+)\*\* \((\d+) behaviours\)/.exec(table);
    expect(stated).not.toBeNull();
    expect(stated!.slice(1).map(Number)).toEqual([count("same"), count("setting"), count("decision"), count("not modelled"), statuses.length]);
  });

  test("the corpus is substantial in every area", () => {
    const perFile = new Map<string, number>();
    for (const c of cases) perFile.set(c.file, (perFile.get(c.file) ?? 0) + c.flows.length);
    for (const [file, flows] of perFile) expect({ file, enough: flows >= 8 }).toEqual({ file, enough: true });
  });
});

describe("corpus loader", () => {
  const withFile = (text: string, run: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-corpus-"));
    try {
      writeFileSync(join(dir, "x.yaml"), text);
      writeFileSync(join(dir, "exceptions.yaml"), "");
      run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const good = `cases:\n  - name: ok\n    policy: "policy p"\n    flows:\n      - flow: { src: 1.1.1.1, dst: 2.2.2.2, proto: icmp }\n        expect: { action: learn, rule: 0 }\n`;

  test("reads a minimal case", () => {
    withFile(good, (dir) => expect(loadCorpus(dir).map((c) => [c.file, c.name, c.flows.length])).toEqual([["x", "ok", 1]]));
  });
  test.each([
    ["an unknown case key", good.replace("    policy:", "    polcy: x\n    policy:"), "unknown key `polcy`"],
    ["an unknown expect key", good.replace("rule: 0 }", "rule: 0, mod: monitor }"), "unknown key `mod`"],
    ["a bad action", good.replace("action: learn", "action: block"), "`action` must be one of"],
    ["no flows", good.replace(/    flows:[\s\S]*/, "    flows: []\n"), "`flows` must be a non-empty list"],
    ["a bad name", good.replace("name: ok", "name: Not Kebab"), "`name` must be kebab-case"],
    ["broken YAML", "cases: [", "x.yaml"],
  ])("rejects %s", (_what, text, message) => {
    withFile(text, (dir) => expect(() => loadCorpus(dir)).toThrow(message));
  });
});
