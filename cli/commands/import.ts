import { writeFileAtomic } from "../../common/atomic-write.js";
import { readInputText } from "../../common/input-file.js";
import { resolve } from "node:path";
import type { Command } from "commander";
import { importCrds } from "../../compiler/crd/import.js";
import { EXIT } from "../io.js";
import { formatOption, reportDiagnostics, UsageError, type CommandContext } from "../shared.js";

interface ImportOpts {
  output?: string;
  keep?: string;
  policy?: string;
  format: string;
}

/** The side file next to `out.nvp`: `out.crd-keep.yaml`. */
export const keepPathFor = (out: string) => out.replace(/\.nvp$/, "") + ".crd-keep.yaml";

/** Through the bounded reader (common/input-file.ts): NV5001-NV5003, exit 2. */
export function readText(cwd: string, file: string): string {
  return readInputText(resolve(cwd, file), { shown: file, what: "input file" });
}

/** Through the atomic writer (common/atomic-write.ts): a failed write leaves the old file (NV5005). */
export function writeText(cwd: string, file: string, text: string): void {
  writeFileAtomic(resolve(cwd, file), text, file);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("import")
    .summary("turn NeuVector CRD YAML into a .nvp policy")
    .description(
      "Read NvSecurityRule, NvClusterSecurityRule and NvGroupDefinition objects (single documents, `---`\n" +
        "streams, `kind: List`) and write one .nvp policy in NeuVector's rule order. Process, file, response,\n" +
        "DLP and WAF sections are kept verbatim in a side file that `nvp export --crd --keep` writes back.\n" +
        "Exit: 0 written, 1 the input has errors, 2 usage or I/O error.\n\n" +
        "Example:\n  nvp import exported.yaml -o policy.nvp      # also writes policy.crd-keep.yaml when needed",
    )
    .argument("<files...>", "CRD YAML files")
    .option("-o, --output <file>", "write the policy here (default: stdout)")
    .option("--keep <file>", "write kept sections here (default with -o: <output>.crd-keep.yaml)")
    .option("--policy <name>", "the policy name to write", "imported")
    .addOption(formatOption())
    .action((files: string[], opts: ImportOpts) => {
      const inputs = files.map((name) => ({ name, text: readText(ctx.io.cwd, name) }));
      const r = importCrds(inputs, { policyName: opts.policy ?? "imported", outName: opts.output ?? "imported.nvp" });
      reportDiagnostics(ctx, r.diagnostics, r.sources, opts.format === "json" ? "json" : "human");
      if (r.text === undefined) {
        ctx.exit(EXIT.findings);
        return;
      }
      const keep = opts.keep ?? (opts.output ? keepPathFor(opts.output) : undefined);
      if (r.kept !== undefined && keep === undefined) {
        throw new UsageError("the input has process, file, response, dlp or waf sections: give `--keep FILE` (or `-o`) to keep them");
      }
      if (opts.output) writeText(ctx.io.cwd, opts.output, r.text);
      else ctx.io.out(r.text);
      if (r.kept !== undefined && keep !== undefined) writeText(ctx.io.cwd, keep, r.kept);
      const summary = { output: opts.output ?? "-", keep: r.kept !== undefined ? keep : undefined, rules: r.rules.length };
      if (opts.format === "json" && opts.output) ctx.io.out(JSON.stringify(summary, null, 2) + "\n");
      else ctx.io.err(`imported ${r.rules.length} rule${r.rules.length === 1 ? "" : "s"}${opts.output ? ` into ${opts.output}` : ""}${summary.keep ? `; kept sections in ${summary.keep}` : ""}\n`);
    });
}
