import type { Command } from "commander";
import { toSarif } from "../../common/diagnostics.js";
import { loadAndCheck, diagnosticCatalog } from "../../compiler/index.js";
import { EXIT } from "../io.js";
import { VERSION } from "../version.js";
import { allWarningsOption, formatOption, parseSets, reportDiagnostics, setOption, type CommandContext } from "../shared.js";

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("check")
    .summary("check policy files and report every error and warning")
    .description(
      "Parse and check .nvp files (with their imports) as one policy. Reports every problem at once.\n" +
        "Exit: 0 clean (warnings allowed unless --deny-warnings), 1 errors found, 2 usage or I/O error.",
    )
    .argument("<files...>", "policy files (.nvp)")
    .addOption(setOption())
    .addOption(formatOption(["human", "json", "sarif"]))
    .option("--deny-warnings", "treat warnings as findings (exit 1)")
    .addOption(allWarningsOption())
    .action((files: string[], opts: { set: string[]; format: string; denyWarnings?: boolean; allWarnings?: boolean }) => {
      const result = loadAndCheck(files, { params: parseSets(opts.set), cwd: ctx.io.cwd });
      const ds = result.diagnostics;
      if (opts.format === "sarif") {
        ctx.io.out(JSON.stringify(toSarif(ds, VERSION, diagnosticCatalog()), null, 2) + "\n");
      } else if (opts.format === "json") {
        reportDiagnostics(ctx, ds, result.sources, "json");
        if (ds.length === 0) ctx.io.out(JSON.stringify({ diagnostics: [] }) + "\n");
      } else {
        reportDiagnostics(ctx, ds, result.sources, "human", opts.allWarnings ? "all" : "limited");
        if (result.model) {
          const m = result.model;
          ctx.io.out(
            `ok: policy \`${m.name}\`: ${m.rules.length} rules, ${m.groups.length} groups` +
              (ds.length ? ` (${ds.length} warning${ds.length === 1 ? "" : "s"})` : "") +
              "\n",
          );
        }
      }
      if (result.ioError) ctx.exit(EXIT.usage);
      else if (!result.model || (opts.denyWarnings && ds.length > 0)) ctx.exit(EXIT.findings);
    });
}
