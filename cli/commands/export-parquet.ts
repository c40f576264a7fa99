import { resolve } from "node:path";
import type { Command } from "commander";
import { exportParquet } from "../../runtime/store/index.js";
import { formatOption, type CommandContext } from "../shared.js";
import { withStore } from "../store-cli.js";

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("export-parquet")
    .summary("write every table of a flow store as Parquet")
    .description(
      "Write each table of the flow store (flows, events, threats, runs, captures, workloads, services,\n" +
        "policy_groups, dns, geo; docs/formats.md) to <dir>/<table>.parquet, zstd-compressed, for Spark, Trino,\n" +
        "ClickHouse or DuckDB elsewhere.\nExit: 0 written, 2 usage or I/O.\n\n" +
        "Example:\n  nvp export-parquet --store flows.duckdb -o parquet/",
    )
    .requiredOption("--store <file>", "the flow store (DuckDB file)")
    .requiredOption("-o, --out <dir>", "folder to write the .parquet files into (created if missing)")
    .addOption(formatOption())
    .action(async (opts: { store: string; out: string; format: string }) => {
      const files = await withStore(ctx, opts.store, (s) => exportParquet(s, resolve(ctx.io.cwd, opts.out)), { readOnly: true });
      if (!files) return;
      if (opts.format === "json") ctx.io.out(JSON.stringify(files, null, 2) + "\n");
      else for (const f of files) ctx.io.out(`${f.file}  ${f.rows} rows\n`);
    });
}
