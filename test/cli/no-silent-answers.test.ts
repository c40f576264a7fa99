/**
 * No silent wrong answers: without an inventory explain and eval say what that means, `nvp test`
 * refuses a suite whose policy names workloads no inventory defines, a policy file given to
 * `nvp test` is explained, a suite that cannot load is a failure, and explain says why a DNS-name
 * group did not match.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { memoryIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { REPO_ROOT } from "../repo-files.js";

async function run(args: string[], cwd = REPO_ROOT) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-silent-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const POLICY = "policy p\nservice web = nv.web.shop { mode protect }\nrule 10 allow web -> external\n";
const WARNING = "warning: no inventory given: every address is external, so service and workload groups match nothing\n";
const EGRESS = ["examples/egress/egress.nvp", "--from", "10.8.1.10", "--to", "172.20.9.15", "--port", "tcp/636"];

describe("without an inventory", () => {
  test("explain warns once, naming the consequence", async () => {
    const r = await run(["explain", ...EGRESS]);
    expect(r.code).toBe(0);
    expect(r.err.startsWith(WARNING)).toBe(true);
    expect(r.err.match(/warning:/g)).toHaveLength(1);
    // With one, no warning.
    expect((await run(["explain", ...EGRESS, "--inventory", "examples/egress/inventory.yaml"])).err).toBe("");
  });

  test("eval warns once for the whole batch", async () => {
    const dir = scratch({
      "p.nvp": POLICY,
      "f.ndjson": '{"src":"10.0.0.1","dst":"8.8.8.8","port":"tcp/443"}\n{"src":"10.0.0.2","dst":"8.8.8.8","port":"tcp/443"}\n',
    });
    const r = await run(["eval", "p.nvp", "--flows", "f.ndjson"], dir);
    expect(r.err.match(/warning: no inventory given/g)).toHaveLength(1);
    expect(r.out.trim().split("\n")).toHaveLength(2);
  });

  test("nvp test refuses a suite whose policy names workloads when no inventory defines one", async () => {
    const dir = scratch({ "p.nvp": POLICY, "p.test.yaml": "tests:\n  - flow: {src: 10.0.0.1, dst: 8.8.8.8, port: tcp/443}\n    expect: deny\n" });
    const r = await run(["test", "."], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error: p.test.yaml: no inventory defines a workload, yet the policy's rules name service and workload groups (`web`)");
    expect(r.out).toBe(`${"-".repeat(72)}\nPASS: 0/1\nFAIL: 1/1 (1 test file(s) or variant(s) could not run)\n`);
  });

  test("a policy of address groups only runs without an inventory, with the warning", async () => {
    const dir = scratch({
      "p.nvp": "policy p\ngroup corp { address 10.0.0.0/8 }\nrule 10 allow corp -> external\n",
      "p.test.yaml": "tests:\n  - flow: {src: 10.0.0.1, dst: 8.8.8.8, port: tcp/443}\n    expect: {action: allow, rule: 10}\n",
    });
    const r = await run(["test", "."], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning: p.test.yaml: no inventory given: every address is external");
    expect(r.out).toMatch(/PASS: 1\/1\n$/);
  });
});

describe("nvp test", () => {
  test("given a policy file, explains that test files are *.test.yaml (exit 2), instead of parsing it as YAML", async () => {
    const r = await run(["test", "examples/shop/shop.nvp"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: `examples/shop/shop.nvp` is a policy, not a test file: `nvp test` runs test files (`*.test.yaml`), e.g. `examples/shop/shop.test.yaml` beside it");
    expect(r.err).not.toContain("NV53");
  });

  test("a suite that fails to load is a failure in the summary, never PASS: 0/0", async () => {
    const dir = scratch({ "bad.test.yaml": "tests: [\n" });
    const r = await run(["test", "."], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("NV5301");
    expect(r.out).not.toContain("PASS: 0/0");
    expect(r.out).toContain("FAIL: 1/1 (1 test file(s) or variant(s) could not run)");
  });
});

describe("explain and DNS-name groups", () => {
  test("no resolution known for the group's names: said under the rule that did not match", async () => {
    const r = await run(["explain", ...EGRESS, "--inventory", "examples/egress/inventory.yaml"]);
    expect(r.out).toContain(
      "rule 10: no match: destination not in `corp-ldap`\n" +
        "  `corp-ldap`: no resolution known for `ldap.corp.example.com` (the engine learns names from DNS answers it sees; give one with --dns NAME=IP)\n",
    );
    expect(r.out).toContain("  `partner-api`: no resolution known for `*.api.partner.example.com`");
  });

  test("a name resolved elsewhere: the addresses it resolves to", async () => {
    const r = await run(["explain", ...EGRESS, "--inventory", "examples/egress/inventory.yaml", "--dns", "ldap.corp.example.com=172.20.9.16"]);
    expect(r.out).toContain("  `corp-ldap`: `ldap.corp.example.com` resolves to 172.20.9.16, not 172.20.9.15\n");
  });

  test("resolved to the flow's address, the group matches and no note is added", async () => {
    const r = await run(["explain", ...EGRESS, "--inventory", "examples/egress/inventory.yaml", "--dns", "ldap.corp.example.com=172.20.9.15"]);
    expect(r.out).not.toContain("`corp-ldap`:");
    expect(r.out).toContain("verdict  allow (rule 10");
  });
});
