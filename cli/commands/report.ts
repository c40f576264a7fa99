import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { buildReport } from "../../report/build-report.js";
import { readTrivy } from "../../report/vulns.js";
import { StoreError } from "../../runtime/store/index.js";
import { collect, UsageError, type CommandContext } from "../shared.js";
import { printRuntimeError, withStore } from "../store-cli.js";

interface ReportOptions {
  store: string;
  out: string;
  vulns: string[];
  run: string[];
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("report")
    .summary("write the Security Event and Risk Report (one self-contained HTML file)")
    .description(
      "Write NeuVector's Security Event and Risk Report from a flow store: ingress and egress exposure,\n" +
        "critical security events, top events by source and destination, policy modes of services and\n" +
        "pods, application protocols by conversations and volume, and vulnerabilities per service from\n" +
        "Trivy JSON (--vulns). One HTML file with its charts and data inlined: it opens from disk with no\n" +
        "network. Sections that need process or file data say so.\nExit: 0 written, 2 usage or I/O.\n\n" +
        "Example:\n  nvp report --store flows.duckdb --vulns trivy-nginx.json -o report.html",
    )
    .requiredOption("--store <file>", "the flow store (DuckDB file)")
    .requiredOption("-o, --out <file>", "the HTML file to write")
    .option("--vulns <file>", "Trivy JSON report of an image (`trivy image --format json`; repeatable)", collect, [])
    .option("--run <id>", "only this run (repeatable; default: every run)", collect, [])
    .action(async (opts: ReportOptions) => {
      const runs = opts.run.map((r) => {
        if (!/^\d+$/.test(r)) throw new UsageError(`--run expects a run number, got \`${r}\``);
        return Number(r);
      });
      let vulns;
      try {
        vulns = readTrivy(opts.vulns.map((f) => resolve(ctx.io.cwd, f)));
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        return printRuntimeError(ctx, e, opts.vulns.join(", "));
      }
      const html = await withStore(ctx, opts.store, (s) => buildReport(s, { runs, vulns }), { readOnly: true });
      if (html === undefined) return;
      try {
        writeFileSync(resolve(ctx.io.cwd, opts.out), html);
      } catch (e) {
        throw new UsageError(`cannot write \`${opts.out}\`: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      ctx.io.out(`wrote ${opts.out} (${html.length} bytes)\n`);
    });
}
