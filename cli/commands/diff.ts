import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { checkSources } from "../../compiler/pipeline.js";
import { diffModules } from "../diff/module-deciders.js";
import { renderHuman, renderJson, renderMarkdown } from "../../compiler/diff/render.js";
import type { PolicyModel } from "../../compiler/model.js";
import { EXIT } from "../io.js";
import { collect, formatOption, parseSets, reportDiagnostics, setOption, UsageError, type CommandContext } from "../shared.js";
import { readText } from "./import.js";

interface DiffOpts {
  set: string[];
  oldSet: string[];
  newSet: string[];
  format: string;
  exitCode?: boolean;
  maxPieces: string;
  maxCombinations: string;
}

/** `.nvp` files of a path (a file, or every `.nvp` under a folder), sorted. */
function policyFiles(cwd: string, path: string): string[] {
  const full = resolve(cwd, path);
  if (!statSync(full).isDirectory()) return [path];
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(resolve(cwd, rel), { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
      const p = join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".nvp")) out.push(p);
    }
  };
  walk(path);
  return out;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 28 });
  } catch {
    return undefined;
  }
}

const isRevision = (cwd: string, s: string) => git(cwd, ["rev-parse", "--verify", "--quiet", `${s}^{commit}`]) !== undefined;

/** One side: the policy at `rev` (git) or on disk (rev undefined), as checked texts. */
function load(ctx: CommandContext, side: string, paths: readonly string[], rev: string | undefined, params: Record<string, string>): PolicyModel | undefined {
  const cwd = ctx.io.cwd;
  const texts: Record<string, string> = {};
  const entries: string[] = [];
  for (const p of paths) {
    if (rev === undefined) {
      if (!existsSync(resolve(cwd, p))) throw new UsageError(`\`${p}\` does not exist`);
      for (const f of policyFiles(cwd, p)) {
        texts[f] = readText(cwd, f);
        entries.push(f);
      }
    } else {
      const listed = git(cwd, ["ls-tree", "-r", "--name-only", rev, "--", p]);
      const files = (listed ?? "").split("\n").filter((f) => f.endsWith(".nvp"));
      if (files.length === 0) throw new UsageError(`\`${p}\` holds no .nvp file at \`${rev}\``);
      for (const f of files) {
        texts[f] = git(cwd, ["show", `${rev}:./${f}`]) ?? "";
        entries.push(f);
      }
    }
  }
  if (entries.length === 0) throw new UsageError(`no .nvp file in ${paths.map((p) => `\`${p}\``).join(", ")}`);
  const r = checkSources(texts, entries, params);
  reportDiagnostics(ctx, r.diagnostics.filter((d) => d.severity === "error"), r.sources, "human");
  if (!r.model) ctx.io.err(`error: the ${side} policy${rev ? ` at ${rev}` : ""} has errors\n`);
  return r.model;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("diff")
    .summary("flows whose verdict changes between two policies")
    .description(
      "Compare two policies: files, folders, or git revisions (`nvp diff HEAD~1 policies/` compares policies/ at\n" +
        "HEAD~1 with the working tree; `nvp diff v1 v2 policies/` two revisions). Reports every region of flow space\n" +
        "whose verdict changes, grouped by rule change, each with a witness flow the reference evaluator confirms.\n" +
        "Renumbered rules and reordered disjoint rules change nothing. Exit: 0 (with --exit-code: 0 no change,\n" +
        "1 changes), 1 a policy has errors, 2 usage or I/O error.\n\n" +
        "Examples:\n  nvp diff old.nvp new.nvp\n  nvp diff HEAD~1 policies/ --format markdown --exit-code",
    )
    .argument("<old>", "old policy file or folder, or a git revision")
    .argument("<new...>", "new policy file or folder; or, after a revision, a second revision and/or paths")
    .addOption(setOption())
    .option("--old-set <name=value>", "a parameter for the old policy only (repeatable)", collect, [])
    .option("--new-set <name=value>", "a parameter for the new policy only (repeatable)", collect, [])
    .addOption(formatOption(["human", "json", "markdown"]))
    .option("--exit-code", "exit 1 when some verdict changes (for CI)")
    .option("--max-pieces <n>", "decide at most this many flows", "4000000")
    .option("--max-combinations <n>", "represent at most this many overlaps of workload groups one by one (past it: per group and per pair)", "300")
    .action((old: string, rest: string[], opts: DiffOpts) => {
      const cwd = ctx.io.cwd;
      const shared = parseSets(opts.set);
      const pOld = { ...shared, ...parseSets(opts.oldSet) };
      const pNew = { ...shared, ...parseSets(opts.newSet) };
      let a: PolicyModel | undefined;
      let b: PolicyModel | undefined;
      if (existsSync(resolve(cwd, old))) {
        if (rest.length !== 1) throw new UsageError("give two policies: `nvp diff OLD NEW` (files or folders)");
        a = load(ctx, "old", [old], undefined, pOld);
        b = load(ctx, "new", rest, undefined, pNew);
      } else if (isRevision(cwd, old)) {
        const second = rest[0] !== undefined && !existsSync(resolve(cwd, rest[0])) && isRevision(cwd, rest[0]) ? rest[0] : undefined;
        const paths = second === undefined ? rest : rest.slice(1);
        if (paths.length === 0) throw new UsageError("name the policy files or folders to compare after the revision");
        a = load(ctx, "old", paths, old, pOld);
        b = load(ctx, "new", paths, second, pNew);
      } else {
        throw new UsageError(`\`${old}\` is neither a file, a folder nor a git revision`);
      }
      if (!a || !b) {
        ctx.exit(EXIT.findings);
        return;
      }
      const max = Number(opts.maxPieces);
      if (!Number.isInteger(max) || max < 1) throw new UsageError("--max-pieces takes a positive whole number");
      const combos = Number(opts.maxCombinations);
      if (!Number.isInteger(combos) || combos < 0) throw new UsageError("--max-combinations takes a whole number (0: per group and per pair only)");
      const r = diffModules(a, b, { maxPieces: max, maxCombinations: combos });
      ctx.io.out(opts.format === "json" ? renderJson(r) : opts.format === "markdown" ? renderMarkdown(r) : renderHuman(r));
      if (opts.exitCode && r.changes.length > 0) ctx.exit(EXIT.findings);
    });
}
