import type { Command } from "commander";
import { diagnosticToJson, toSarif, type Diagnostic } from "../../common/diagnostics.js";
import { loadAndCheck, diagnosticCatalog, type CheckedPolicy } from "../../compiler/index.js";
import { EXIT } from "../io.js";
import { expandPolicyArgs, policyRoots } from "../policy-files.js";
import { VERSION } from "../version.js";
import { allWarningsOption, formatOption, parseSets, reportDiagnostics, setOption, type CommandContext } from "../shared.js";

interface CheckOptions {
  set: string[];
  format: string;
  denyWarnings?: boolean;
  allWarnings?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("check")
    .summary("check policy files and report every error and warning")
    .description(
      "Parse and check .nvp policies and report every problem at once. Each file is a policy of its own,\n" +
        "checked with the files it imports; a named file that another named file imports is checked as\n" +
        "part of its importer, not again alone. A folder stands for every .nvp file under it.\n" +
        "Exit: 0 clean (warnings allowed unless --deny-warnings), 1 errors found, 2 usage or I/O error.\n\n" +
        "Examples:\n  nvp check examples/shop/shop.nvp --set ns=shop\n  nvp check examples/",
    )
    .argument("<paths...>", "policy files (.nvp) or folders")
    .addOption(setOption())
    .addOption(formatOption(["human", "json", "sarif"]))
    .option("--deny-warnings", "treat warnings as findings (exit 1)")
    .addOption(allWarningsOption())
    .action((paths: string[], opts: CheckOptions) => {
      const { files } = expandPolicyArgs(paths, ctx.io.cwd);
      const roots = files.length > 1 ? policyRoots(files, ctx.io.cwd) : files.map((file) => ({ file, imports: [] }));
      const params = parseSets(opts.set);
      const results = roots.map((r) => ({ file: r.file, result: loadAndCheck([r.file], { params, cwd: ctx.io.cwd }) }));
      if (results.length === 0) ctx.io.err(`warning: no .nvp files in ${paths.map((p) => `\`${p}\``).join(", ")}\n`);
      report(ctx, results, opts);
      for (const { result } of results) {
        if (result.ioError) ctx.exit(EXIT.usage);
        else if (!result.model || (opts.denyWarnings && result.diagnostics.length > 0)) ctx.exit(EXIT.findings);
      }
    });
}

/** The policy line: `ok: policy `shop`: 4 rules, 13 groups (1 warning)`. */
function okLine(r: CheckedPolicy): string {
  const m = r.model!;
  const n = r.diagnostics.length;
  return `policy \`${m.name}\`: ${count(m.rules.length, "rule")}, ${count(m.groups.length, "group")}` + (n ? ` (${count(n, "warning")})` : "");
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function report(ctx: CommandContext, results: { file: string; result: CheckedPolicy }[], opts: CheckOptions): void {
  // A library two policies import is checked with each; say its problems once.
  const seen = new Set<string>();
  const fresh = (ds: readonly Diagnostic[]): Diagnostic[] =>
    ds.filter((d) => {
      const key = `${d.code}|${d.span?.file}|${d.span?.start.offset}|${d.span?.end.offset}|${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  const all = results.map(({ file, result }) => ({ file, result, diagnostics: fresh(result.diagnostics) }));
  const diagnostics = all.flatMap((r) => r.diagnostics);
  if (opts.format === "sarif") {
    ctx.io.out(JSON.stringify(toSarif(diagnostics, VERSION, diagnosticCatalog()), null, 2) + "\n");
    return;
  }
  if (opts.format === "json") {
    if (all.length === 1) {
      reportDiagnostics(ctx, diagnostics, all[0]!.result.sources, "json");
      if (diagnostics.length === 0) ctx.io.out(JSON.stringify({ diagnostics: [] }) + "\n");
      return;
    }
    const policies = all.map(({ file, result }) => ({
      file,
      ok: Boolean(result.model),
      ...(result.model ? { policy: result.model.name, rules: result.model.rules.length, groups: result.model.groups.length } : {}),
      errors: result.diagnostics.filter((d) => d.severity === "error").length,
      warnings: result.diagnostics.filter((d) => d.severity !== "error").length,
    }));
    ctx.io.out(JSON.stringify({ policies, diagnostics: diagnostics.map(diagnosticToJson) }, null, 2) + "\n");
    return;
  }
  const warnings = opts.allWarnings ? "all" : "limited";
  if (all.length === 1) {
    const { result } = all[0]!;
    reportDiagnostics(ctx, result.diagnostics, result.sources, "human", warnings);
    if (result.model) ctx.io.out(`ok: ${okLine(result)}\n`);
    return;
  }
  let failed = 0;
  for (const { file, result, diagnostics: ds } of all) {
    reportDiagnostics(ctx, ds, result.sources, "human", warnings);
    if (result.model) {
      ctx.io.out(`ok: ${file}: ${okLine(result)}\n`);
    } else {
      failed++;
      const errors = result.diagnostics.filter((d) => d.severity === "error").length;
      ctx.io.out(`error: ${file}: ${count(errors, "error")}\n`);
    }
  }
  ctx.io.out(`checked ${all.length} policies: ${all.length - failed} ok, ${failed} with errors\n`);
}
