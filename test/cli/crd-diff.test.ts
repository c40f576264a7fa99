/** `nvp import`, `nvp export --crd` and `nvp diff` through the command line, in-process. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, test } from "vitest";
import { memoryIo } from "../../cli/io.js";
import { main } from "../../cli/main.js";
import { crdValidator, ROOT } from "../crd/helpers.js";

async function run(args: string[], cwd = ROOT) {
  const io = memoryIo(cwd);
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}

const scratch = () => mkdtempSync(join(tmpdir(), "nvp-crd-"));
const SAMPLE = join(ROOT, "examples/crd/neuvector-export.yaml");

describe("nvp import / export --crd", () => {
  test("import writes the policy and the kept sections; export with --keep gives them back, schema-valid", async () => {
    const dir = scratch();
    const imp = await run(["import", SAMPLE, "-o", "p.nvp"], dir);
    expect(imp.code).toBe(0);
    expect(imp.err).toBe("imported 2 rules into p.nvp; kept sections in p.crd-keep.yaml\n");
    expect(readFileSync(join(dir, "p.nvp"), "utf8")).toContain('rule 20 deny nv.alpine.default -> external app HTTP port tcp/80 "external-egress-0"');
    const exp = await run(["export", "--crd", "p.nvp", "--keep", "p.crd-keep.yaml"], dir);
    expect(exp.code).toBe(0);
    const docs = parseAllDocuments(exp.out).map((d) => d.toJSON() as { spec: { target: { selector: { name: string } }; process?: unknown } });
    const validate = crdValidator();
    for (const d of docs) expect(validate(d)).toEqual([]);
    const process = (name: string) => docs.find((d) => d.spec.target.selector.name === name)?.spec.process;
    expect(process("nv.alpine.default")).toEqual([{ action: "deny", name: "scp", path: "/bin/scp" }]);
    expect(process("containers")).toEqual([{ action: "deny", name: "ssh", path: "/bin/ssh" }]);
  });

  test("kept sections with nowhere to go are refused, not dropped", async () => {
    const r = await run(["import", SAMPLE]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("give `--keep FILE` (or `-o`)");
  });

  test("bad YAML: exit 1 with file:line:col", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "bad.yaml"), "apiVersion: neuvector.com/v1\nkind: NvSecurityRule\nmetadata: {name: x}\nspec:\n  target: {selector: {name: nv.a.b}}\n  ingress:\n    - {name: r, action: maybe, selector: {name: external}}\n");
    const r = await run(["import", "bad.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[NV6101]: rule `r`: action `maybe` is not `allow` or `deny`\n  --> bad.yaml:7:25");
  });

  test("export needs --crd, and every example policy exports to schema-valid YAML or says why", async () => {
    expect((await run(["export", "examples/egress/egress.nvp"])).code).toBe(2);
    const validate = crdValidator();
    const r = await run(["export", "--crd", "examples/shop/shop.nvp", "--set", "ns=shop", "--set", "db=prod-db"]);
    expect(r.code).toBe(0);
    for (const d of parseAllDocuments(r.out)) expect(validate(d.toJSON())).toEqual([]);
    expect(r.err).toContain("warning[NV6202]: settings `default-mode monitor`, `nodes-mode protect`");
  });
});

describe("nvp diff", () => {
  const policy = (extra: string) => `policy p\nservice web = nv.web.shop { mode protect }\nservice db = nv.db.shop { mode protect }\nrule 10 allow web -> db port tcp/5432\n${extra}`;

  test("files: --exit-code is 0 without change, 1 with one; json and markdown", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "a.nvp"), policy(""));
    writeFileSync(join(dir, "same.nvp"), policy("").replace("rule 10", "rule 99"));
    writeFileSync(join(dir, "b.nvp"), policy("rule 5 deny web -> db port tcp/5432\n"));
    const same = await run(["diff", "a.nvp", "same.nvp", "--exit-code"], dir);
    expect([same.code, same.out]).toEqual([0, "no verdict changes\n"]);
    const changed = await run(["diff", "a.nvp", "b.nvp", "--exit-code"], dir);
    expect(changed.code).toBe(1);
    expect(changed.out).toContain("rule 5 added: deny web -> db port tcp/5432\n  allow (rule 10, protect) -> deny (rule 5, protect)");
    const json = JSON.parse((await run(["diff", "a.nvp", "b.nvp", "--format", "json"], dir)).out) as { changes: { newRule: number; regions: { witness: { flow: { port: number } } }[] }[] };
    expect(json.changes[0]?.newRule).toBe(5);
    expect(json.changes[0]?.regions[0]?.witness.flow.port).toBe(5432);
    expect((await run(["diff", "a.nvp", "b.nvp", "--format", "markdown"], dir)).out).toMatch(/^### nvp diff\n[\s\S]*\| allow \(rule 10, protect\) \| deny \(rule 5, protect\) \|/);
  });

  test("git revisions: HEAD against the working tree, and two revisions", async () => {
    const dir = scratch();
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
    git("init", "-q");
    mkdirSync(join(dir, "policies"));
    writeFileSync(join(dir, "policies", "p.nvp"), policy(""));
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one");
    writeFileSync(join(dir, "policies", "p.nvp"), policy("rule 20 allow web -> db port tcp/6379\n"));
    const work = await run(["diff", "HEAD", "policies/"], dir);
    expect(work.code).toBe(0);
    expect(work.out).toContain("rule 20 added: allow web -> db port tcp/6379");
    git("commit", "-qam", "two");
    const revs = await run(["diff", "HEAD~1", "HEAD", "policies/", "--exit-code"], dir);
    expect(revs.code).toBe(1);
    expect(revs.out).toContain("rule 20 added");
    expect((await run(["diff", "nope-not-a-rev", "policies/"], dir)).code).toBe(2);
  });

  test("--help of the three commands", async () => {
    for (const c of ["import", "export", "diff"]) {
      const r = await run([c, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("Exit:");
    }
  });
});
