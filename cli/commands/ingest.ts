import { basename, resolve } from "node:path";
import type { Command } from "commander";
import { ingestRun, type RunContext } from "../../runtime/store/index.js";
import { readInventory } from "../session.js";
import { collect, formatOption, type CommandContext } from "../shared.js";
import { readModuleFile, withStore } from "../store-cli.js";
import { VERSION } from "../version.js";

interface IngestOptions {
  store: string;
  capture?: string;
  inventory: string[];
  module?: string;
  neuvector?: boolean;
  format: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("ingest")
    .summary("add NDJSON event and flow files, or NeuVector's security events, to a flow store")
    .description(
      "Read event and flow NDJSON files (as `nvp replay --events/--flows` writes them; docs/formats.md) into a\n" +
        "flow store (DuckDB, created if missing) as one new run. All files go in one transaction: a bad file\n" +
        "leaves the store as it was. --module and --inventory add the policy's services and modes and the\n" +
        "workloads, which the report's policy-mode and exposure sections use.\n" +
        "NeuVector's own security events are read too (told apart by their first line, or all files with\n" +
        "--neuvector): the body of GET /v1/log/violation, /v1/log/threat or /v1/log/security, or its syslog\n" +
        "or webhook JSON, one a line; violations and threats are stored, incidents counted (docs/formats.md).\n" +
        "Exit: 0 stored, 2 usage, I/O or a bad file (NV56xx).\n\n" +
        "Examples:\n  nvp ingest --store flows.duckdb --capture staging events.ndjson flows.ndjson\n" +
        "  nvp ingest --store flows.duckdb --neuvector security.json",
    )
    .argument("<files...>", "NDJSON files (events, flows, or both mixed), or NeuVector exports")
    .requiredOption("--store <file>", "the flow store (DuckDB file)")
    .option("--capture <name>", "the capture these records came from (default: the first file's name)")
    .option("--inventory <file>", "inventory the run used (repeatable)", collect, [])
    .option("--module <file>", "compiled module the run used (its services, modes and DNS groups are stored)")
    .option("--neuvector", "every file is NeuVector's exported security events (REST body, syslog or webhook JSON)")
    .addOption(formatOption())
    .action(async (files: string[], opts: IngestOptions) => {
      const run: RunContext = {};
      if (opts.inventory.length) {
        const inv = readInventory(ctx, opts.inventory);
        if (!inv) return;
        run.inventory = inv;
      }
      if (opts.module) {
        const module = readModuleFile(ctx, opts.module);
        if (!module) return;
        run.meta = module.meta;
      }
      const paths = files.map((f) => resolve(ctx.io.cwd, f));
      const capture = opts.capture ?? basename(files[0]!);
      const res = await withStore(ctx, opts.store, (store) => ingestRun(store, { kind: "ingest", nvpVersion: VERSION }, [{ capture, files: paths, ...(opts.neuvector ? { format: "neuvector" as const } : {}) }], run));
      if (!res) return;
      if (opts.format === "json") return ctx.io.out(JSON.stringify({ store: opts.store, capture, ...res }) + "\n");
      ctx.io.out(`stored run ${res.runId} in ${opts.store}: ${res.flows} flows, ${res.events} events, ${res.threats} threats (capture \`${capture}\`)\n`);
      const sk = res.skipped;
      if (sk && sk.incidents + sk.other + sk.lines > 0) {
        ctx.io.out(`not stored: ${sk.incidents} NeuVector incidents (process and file events), ${sk.other} other notifications, ${sk.lines} lines of other logs\n`);
      }
    });
}
