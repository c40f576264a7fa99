import type { Command } from "commander";
import { exportCrd } from "../../compiler/crd/export.js";
import { readCrds } from "../../compiler/crd/read.js";
import type { CrdRuleDoc } from "../../compiler/crd/types.js";
import { loadAndCheck } from "../../compiler/index.js";
import { EXIT } from "../io.js";
import { parseSets, reportDiagnostics, setOption, UsageError, type CommandContext } from "../shared.js";
import { readText, writeText } from "./import.js";

interface ExportOpts {
  crd?: boolean;
  set: string[];
  output?: string;
  keep?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("export")
    .summary("write a policy as NeuVector CRD YAML")
    .description(
      "Check the policy with its parameters (--set) and write NeuVector CRD YAML: one NvSecurityRule (or\n" +
        "NvClusterSecurityRule) per target group, rules named <group>-ingress-<n> / <group>-egress-<n> with\n" +
        "priorities that keep nvp's order. What a CRD cannot carry is reported (docs/crd.md).\n" +
        "Exit: 0 written, 1 the policy has errors or cannot be expressed, 2 usage or I/O error.\n\n" +
        "Example:\n  nvp export --crd policy.nvp --set ns=shop-prod -o prod.yaml --keep policy.crd-keep.yaml",
    )
    .argument("<files...>", "policy files (.nvp)")
    .option("--crd", "NeuVector CRD YAML (the only export format, required)")
    .addOption(setOption())
    .option("-o, --output <file>", "write the YAML here (default: stdout)")
    .option("--keep <file>", "merge kept sections written by `nvp import`")
    .action((files: string[], opts: ExportOpts) => {
      if (!opts.crd) throw new UsageError("say which format: `--crd` (NeuVector CRD YAML)");
      const checked = loadAndCheck(files, { params: parseSets(opts.set), cwd: ctx.io.cwd });
      reportDiagnostics(ctx, checked.diagnostics, checked.sources, "human", "limited");
      if (!checked.model) {
        ctx.exit(checked.ioError ? EXIT.usage : EXIT.findings);
        return;
      }
      let kept: CrdRuleDoc[] = [];
      if (opts.keep) {
        const text = readText(ctx.io.cwd, opts.keep);
        const r = readCrds(text, opts.keep);
        reportDiagnostics(ctx, r.diagnostics, new Map([[opts.keep, text]]), "human");
        if (r.diagnostics.some((x) => x.severity === "error")) {
          ctx.exit(EXIT.findings);
          return;
        }
        kept = r.docs.filter((x): x is CrdRuleDoc => x.kind !== "NvGroupDefinition");
      }
      const r = exportCrd(checked.model, { kept });
      reportDiagnostics(ctx, r.diagnostics, new Map(), "human");
      if (r.text === undefined) {
        ctx.exit(EXIT.findings);
        return;
      }
      if (opts.output) writeText(ctx.io.cwd, opts.output, r.text);
      else ctx.io.out(r.text);
      if (opts.output) ctx.io.err(`wrote ${opts.output}: ${r.docs.length} document${r.docs.length === 1 ? "" : "s"}, ${r.order.length} rules\n`);
    });
}
