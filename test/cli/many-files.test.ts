/**
 * check, fmt and compile over many files and folders (as `opa check dir/`): each policy checked on
 * its own, a file another named file imports checked only as part of its importer, a result line
 * per policy and one summary; `fmt -d` prints a unified diff.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { memoryIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { repoFiles, REPO_ROOT } from "../repo-files.js";

async function run(args: string[], cwd = REPO_ROOT) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "nvp-many-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const EXAMPLE_POLICIES = repoFiles(".nvp", "examples");

describe("nvp check over folders and many files", () => {
  test("`check examples/`: one ok line per shipped policy, one summary, exit 0", async () => {
    const r = await run(["check", "examples/"]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.slice(0, -1).map((l) => l.split(":")[1]!.trim())).toEqual(EXAMPLE_POLICIES);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^ok: examples\/\S+\.nvp: policy `[a-z-]+`: \d+ rules?, \d+ groups?/);
    expect(lines.at(-1)).toBe(`checked ${EXAMPLE_POLICIES.length} policies: ${EXAMPLE_POLICIES.length} ok, 0 with errors`);
  });

  test("`check examples/*/*.nvp` gives the same result as the folder", async () => {
    const folder = await run(["check", "examples"]);
    const files = await run(["check", ...EXAMPLE_POLICIES]);
    expect(files).toEqual(folder);
  });

  test("an imported file is checked with its importer, not alone; a broken policy fails only itself", async () => {
    const dir = scratch({
      "p/lib.nvp": "group corp { address 10.0.0.0/8 }\n",
      "p/main.nvp": 'policy main\nimport "lib"\nservice web = nv.web.shop\nrule 10 allow corp -> web\n',
      "q/broken.nvp": "policy broken\nrule 10 allow nowhere -> web\n",
    });
    const r = await run(["check", "."], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ok: p\/main\.nvp: policy `main`: 1 rule, \d+ groups\nerror: q\/broken\.nvp: 2 errors\nchecked 2 policies: 1 ok, 1 with errors\n$/);
    expect(r.err).toContain("error[NV2103]: group `nowhere` is not defined");
    // Alone, the library would be a policy of its own with an unused group; it is never checked so.
    expect(r.out).not.toContain("lib.nvp");
  });

  test("a library two policies import reports its problem once", async () => {
    const dir = scratch({
      "lib.nvp": "group corp { address 10.0.0.0/33 }\n",
      "a.nvp": 'policy a\nimport "lib"\nrule 10 allow corp -> corp\n',
      "b.nvp": 'policy b\nimport "lib"\nrule 10 deny corp -> external\n',
    });
    const r = await run(["check", "."], dir);
    expect(r.code).toBe(1);
    expect(r.err.match(/error\[NV2201\]/g)).toHaveLength(1);
    expect(r.out).toBe("error: a.nvp: 1 error\nerror: b.nvp: 1 error\nchecked 2 policies: 0 ok, 2 with errors\n");
  });

  test("--format json over many policies: one result per policy and every diagnostic", async () => {
    const dir = scratch({ "a.nvp": "policy a\nrule 10 allow any -> external\n", "b.nvp": "policy b\nrule 10 allow x -> any\n" });
    const r = await run(["check", "--format", "json", "."], dir);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { policies: { file: string; ok: boolean; errors: number }[]; diagnostics: { code: string }[] };
    expect(j.policies.map((p) => [p.file, p.ok, p.errors])).toEqual([["a.nvp", true, 0], ["b.nvp", false, 1]]);
    expect(j.diagnostics.map((d) => d.code)).toContain("NV2103");
  });

  test("a folder with no .nvp file says so", async () => {
    const dir = scratch({ "README.md": "nothing here\n" });
    const r = await run(["check", "."], dir);
    expect(r.err).toContain("warning: no .nvp files in `.`");
  });
});

describe("nvp fmt over folders, and -d", () => {
  test("-d prints a unified diff of what -w would change, exit 1; nothing and exit 0 when formatted", async () => {
    const dir = scratch({ "a/p.nvp": "# head\nrule   10 allow any->any   # why\nrule 20 deny a -> b\n", "a/ok.nvp": "rule 1 allow a -> b\n" });
    const r = await run(["fmt", "-d", "a"], dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      "--- a/a/p.nvp\n+++ b/a/p.nvp\n@@ -1,3 +1,3 @@\n # head\n-rule   10 allow any->any   # why\n+rule 10 allow any -> any  # why\n rule 20 deny a -> b\n",
    );
    expect(readFileSync(join(dir, "a/p.nvp"), "utf8")).toContain("rule   10");
    expect((await run(["fmt", "-w", "a"], dir)).code).toBe(0);
    expect(await run(["fmt", "-d", "a"], dir)).toEqual({ code: 0, out: "", err: "" });
  });

  test("-d with -w is a usage error", async () => {
    expect((await run(["fmt", "-d", "-w", "x.nvp"])).code).toBe(2);
  });
});

describe("nvp compile of a folder", () => {
  test("a folder holding one policy (and what it imports) compiles", async () => {
    const dir = scratch({
      "p/lib.nvp": "group corp { address 10.0.0.0/8 }\n",
      "p/main.nvp": 'policy main\nimport "lib"\nrule 10 allow corp -> external\n',
    });
    const r = await run(["compile", "p", "-o", "p.wasm"], dir);
    expect(r.err).toMatch(/^wrote p\.wasm: \d+ bytes, 1 rules, \d+ groups\n$/);
    expect(r.code).toBe(0);
  });

  test("a folder holding several policies is a usage error naming them", async () => {
    const r = await run(["compile", "examples", "-o", join(tmpdir(), "never.wasm")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`\`examples\` holds ${EXAMPLE_POLICIES.length} policies (examples/egress/egress.nvp,`);
  });
});
