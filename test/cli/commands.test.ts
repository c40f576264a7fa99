import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../cli/main.js";
import { memoryIo } from "../../cli/io.js";

const root = join(import.meta.dirname, "../..");

async function run(args: string[], cwd = root, stdin?: string) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  void stdin;
  return { code, out: io.stdout, err: io.stderr };
}

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-cli-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("nvp check", () => {
  test("a clean policy exits 0 and says so", async () => {
    const r = await run(["check", "examples/egress/egress.nvp"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: policy `egress`: 4 rules, \d+ groups\n$/);
  });

  test("every error at once, rendered with code, location, caret and help; exit 1", async () => {
    const dir = scratch({
      "bad.nvp": "policy p\nservice web = nv.web.shop\nrule 10 allow web -> web-fronted\nrule 20 allow web -> api port tcp/99999\n",
    });
    const r = await run(["check", "bad.nvp"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[NV2103]: group `web-fronted` is not defined");
    expect(r.err).toContain("--> bad.nvp:3:22");
    expect(r.err).toContain("error[NV2205]");
    expect(r.err).toMatch(/\d+ errors?, \d+ warnings?\n$/);
  });

  test("--format json lists diagnostics with positions", async () => {
    const dir = scratch({ "bad.nvp": "rule 10 allow nope -> any\n" });
    const r = await run(["check", "--format", "json", "bad.nvp"], dir);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { diagnostics: { code: string; line: number; col: number; file: string }[] };
    expect(j.diagnostics[0]).toMatchObject({ code: "NV2103", file: "bad.nvp", line: 1, col: 15 });
  });

  test("--format sarif is SARIF 2.1.0 with the rule catalog", async () => {
    const dir = scratch({ "bad.nvp": "rule 10 allow nope -> any\n" });
    const r = await run(["check", "--format", "sarif", "bad.nvp"], dir);
    const s = JSON.parse(r.out);
    expect(s.version).toBe("2.1.0");
    expect(s.runs[0].results[0].ruleId).toBe("NV2103");
    expect(s.runs[0].tool.driver.rules[0].shortDescription.text).toMatch(/not defined/);
    expect(s.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(1);
  });

  test("--deny-warnings turns warnings into findings", async () => {
    const dir = scratch({ "w.nvp": "group unused { address 10.0.0.0/8 }\nrule 10 allow any -> any\n" });
    expect((await run(["check", "w.nvp"], dir)).code).toBe(0);
    expect((await run(["check", "--deny-warnings", "w.nvp"], dir)).code).toBe(1);
  });

  test("at most 200 warnings of one code, then one that counts the rest; --all-warnings and json show all", async () => {
    // 205 rules after an any -> any allow: 205 shadowed rules (NV2302) and one NV2304.
    const groups = Array.from({ length: 205 }, (_, i) => `group g${i} { address 10.${i}.0.0/16 }`);
    const rules = Array.from({ length: 205 }, (_, i) => `rule ${i + 2} allow g${i} -> any port tcp/80`);
    const dir = scratch({ "w.nvp": `${groups.join("\n")}\nrule 1 allow any -> any\n${rules.join("\n")}\n` });
    const r = await run(["check", "w.nvp"], dir);
    expect(r.code).toBe(0);
    expect(r.err.match(/^warning\[NV2302\]/gm)).toHaveLength(201);
    expect(r.err).toContain("warning[NV2302]: and 5 more warnings with this code, not shown\n  --> w.nvp:407:1\n");
    expect(r.err).toContain("^ the first of them\n   = help: `--all-warnings` shows them\n");
    expect(r.err).toMatch(/\n\n0 errors, 206 warnings \(5 not shown\)\n$/);
    expect(r.err).toContain("warning[NV2304]");
    const all = await run(["check", "--all-warnings", "w.nvp"], dir);
    expect(all.err.match(/^warning\[NV2302\]/gm)).toHaveLength(205);
    expect(all.err).toMatch(/\n\n0 errors, 206 warnings\n$/);
    const j = JSON.parse((await run(["check", "--format", "json", "w.nvp"], dir)).out) as { diagnostics: unknown[] };
    expect(j.diagnostics).toHaveLength(206);
    const c = await run(["compile", "w.nvp", "-o", "w.wasm"], dir);
    expect(c.code).toBe(0);
    expect(c.err).toContain("0 errors, 206 warnings (5 not shown)");
  });

  test("--set overrides a parameter; an undeclared one is an error", async () => {
    expect((await run(["check", "examples/shop/shop.nvp", "--set", "ns=shop"])).code).toBe(0);
    const r = await run(["check", "examples/shop/shop.nvp", "--set", "nss=shop"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("NV2107");
  });

  test("a missing file is an I/O error: exit 2", async () => {
    const r = await run(["check", "no-such-file.nvp"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("no-such-file.nvp");
  });

  test("garbage in: a binary file gives a clear error and no stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-cli-"));
    writeFileSync(join(dir, "bin.nvp"), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe]));
    writeFileSync(join(dir, "utf.nvp"), Buffer.from([0x70, 0x6f, 0xc3, 0x28, 0x0a]));
    const r = await run(["check", "bin.nvp", "utf.nvp"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("NV0002");
    expect(r.err).toContain("NV0003");
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe("nvp test", () => {
  test("the shipped examples pass", async () => {
    const r = await run(["test", "examples", "-v"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/PASS examples\/shop\/shop.test.yaml:\d+ \[prod\]: orders reaches the managed database by name/);
    expect(r.out).toMatch(/^PASS: (\d+)\/\1$/m);
  });

  test("a failing expectation is reported at its line with expected and actual; exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-cli-"));
    cpSync(join(root, "examples/vhosts"), dir, { recursive: true });
    const path = join(dir, "vhosts.test.yaml");
    writeFileSync(path, readFileSync(path, "utf8").replace("expect: {action: deny, rule: 10, mode: protect}", "expect: {action: allow, rule: 10}"));
    const r = await run(["test", "."], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL vhosts.test.yaml:\d+: the admin site on the same address is denied/);
    expect(r.out).toContain("expected  allow (rule 10)");
    expect(r.out).toContain("got       deny (rule 10, mode protect)");
    expect(r.out).toMatch(/FAIL: 1\/5/);
  });

  test("--format json reports each result", async () => {
    const r = await run(["test", "examples/egress", "--format", "json"]);
    const j = JSON.parse(r.out);
    expect(j.failed).toBe(0);
    expect(j.passed).toBe(j.results.length);
  });

  test("no test files is a usage error", async () => {
    const r = await run(["test", "docs"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no \*\.test\.yaml files/);
  });
});

describe("nvp explain and eval", () => {
  const inv = "examples/egress/inventory.yaml";
  test("explain prints the trace and the verdict", async () => {
    const r = await run(["explain", "examples/egress/egress.nvp", "--inventory", inv, "--from", "10.8.1.10", "--to", "172.20.9.15", "--port", "tcp/636", "--dns", "ldap.corp.example.com=172.20.9.15"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("rule 10: matches");
    expect(r.out).toMatch(/verdict\s+allow \(rule 10, mode protect\)/);
  });

  test("explain --format json is the verdict schema", async () => {
    const r = await run(["explain", "examples/egress/egress.nvp", "--inventory", inv, "--from", "10.8.1.10", "--to", "8.8.8.8", "--port", "udp/53", "--format", "json"]);
    const v = JSON.parse(r.out);
    expect(v).toMatchObject({ action: "deny", rule: 40, mode: "protect", src: { kind: "workload" }, dst: { kind: "external" } });
  });

  test("explain rejects a bad address with exit 2", async () => {
    const r = await run(["explain", "examples/egress/egress.nvp", "--from", "10.8.1.999", "--to", "8.8.8.8", "--port", "80"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error\[NV5206\]: `10.8.1.999` is not an IP address/);
  });

  test("eval: one verdict per NDJSON line, bad lines reported and skipped, --fail-on", async () => {
    const dir = scratch({
      "flows.ndjson": [
        '{"src":"10.8.1.10","dst":"172.20.4.7","port":"tcp/636"}',
        "not json",
        '{"src":"10.8.1.10","dst":"8.8.8.8","port":"tcp/443"}',
      ].join("\n"),
    });
    const r = await run(["eval", join(root, "examples/egress/egress.nvp"), "--inventory", join(root, inv), "--flows", "flows.ndjson", "--fail-on", "deny"], dir);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.line, l.action, l.rule])).toEqual([
      [1, "allow", 10],
      [3, "deny", 40],
    ]);
    expect(r.err).toContain("flows.ndjson:2");
    expect(r.code).toBe(2);
  });
});

describe("nvp fmt", () => {
  test("the shipped examples and the standard library are formatted (--check over folders exits 0)", async () => {
    const r = await run(["fmt", "--check", "examples", "stdlib"]);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  test("--check lists an unformatted file and exits 1; -w fixes it and keeps comments", async () => {
    const dir = scratch({ "p.nvp": "# head\nrule   10 allow any->any   # why\n" });
    const c = await run(["fmt", "--check", "p.nvp"], dir);
    expect(c.code).toBe(1);
    expect(c.out).toBe("p.nvp: not formatted\n");
    expect((await run(["fmt", "-w", "p.nvp"], dir)).code).toBe(0);
    expect(readFileSync(join(dir, "p.nvp"), "utf8")).toBe("# head\nrule 10 allow any -> any  # why\n");
    expect((await run(["fmt", "--check", "p.nvp"], dir)).code).toBe(0);
  });

  test("a file with syntax errors is reported and left alone", async () => {
    const dir = scratch({ "p.nvp": "rule 10 allow a ->\n" });
    const r = await run(["fmt", "-w", "p.nvp"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[NV1");
    expect(readFileSync(join(dir, "p.nvp"), "utf8")).toBe("rule 10 allow a ->\n");
  });

  test("-w and --check together is a usage error", async () => {
    expect((await run(["fmt", "-w", "--check", "x.nvp"])).code).toBe(2);
  });
});

describe("--help", () => {
  test.each(["check", "fmt", "compile", "inspect", "test", "explain", "eval", "replay"])("nvp %s --help describes the command", async (cmd) => {
    const r = await run([cmd, "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: nvp ${cmd}`);
    expect(r.out).toContain("Options:");
  });
});

describe("nvp compile and inspect", () => {
  const prod = ["examples/shop/shop.nvp", "--set", "ns=shop", "--set", "db=prod-db"];

  test("compile writes a module inspect accepts; the same input gives the same bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-cli-"));
    const a = await run(["compile", ...prod, "-o", join(dir, "a.wasm")]);
    expect(a.code).toBe(0);
    expect(a.err).toMatch(/^wrote .*a\.wasm: \d+ bytes, 4 rules/);
    await run(["compile", ...prod, "-o", join(dir, "b.wasm")]);
    expect(readFileSync(join(dir, "a.wasm")).equals(readFileSync(join(dir, "b.wasm")))).toBe(true);
    const i = await run(["inspect", join(dir, "a.wasm"), "--format", "json"]);
    expect(i.code).toBe(0);
    expect(JSON.parse(i.out)).toMatchObject({ valid: true, meta: { policy: "shop" } });
  });

  test("inspect refuses a tampered module with a clear error and exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-cli-"));
    const path = join(dir, "p.wasm");
    await run(["compile", ...prod, "-o", path]);
    const bytes = readFileSync(path);
    const i = await run(["inspect", path]);
    const tableBytes = Number(/table (\d+) bytes/.exec(i.out)?.[1]);
    expect(tableBytes).toBeGreaterThan(0);
    // Flip one byte inside the data segment (just past the engine code, in the table).
    const at = bytes.indexOf(Buffer.from("nvp.meta")) - tableBytes / 2;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(path, bytes);
    const r = await run(["inspect", path]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error\[NV54\d\d\]: /);
    expect(r.err).toContain("help:");
  });

  test("--dump-after lower prints the IR", async () => {
    const r = await run(["compile", ...prod, "-o", join(mkdtempSync(join(tmpdir(), "nvp-cli-")), "p.wasm"), "--dump-after", "lower"]);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(100);
    expect(r.out).toMatch(/rule/i);
  });

  test("a policy with errors is not compiled (exit 1)", async () => {
    const dir = scratch({ "bad.nvp": "rule 10 allow nope -> any\n" });
    const r = await run(["compile", "bad.nvp", "-o", "out.wasm"], dir);
    expect(r.code).toBe(1);
    expect(() => readFileSync(join(dir, "out.wasm"))).toThrow();
  });

  test("nvp test runs the examples through the wasm engine by default and through the reference on request", async () => {
    for (const engine of ["wasm", "reference"]) {
      const r = await run(["test", "examples", "--engine", engine, "--format", "json"]);
      const j = JSON.parse(r.out);
      expect(j.failed).toBe(0);
      expect(j.passed).toBeGreaterThan(20);
    }
  });
});
