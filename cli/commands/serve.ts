import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_MAX_UPLOAD, buildServer } from "../../explorer/server.js";
import { bindProblem, TOKEN_ENV } from "../../explorer/auth.js";
import { FlowStore, StoreError } from "../../runtime/store/index.js";
import { readInventory } from "../session.js";
import { collect, UsageError, type CommandContext } from "../shared.js";
import { printRuntimeError, readModuleFile } from "../store-cli.js";

interface ServeOptions {
  store: string;
  host: string;
  port: string;
  token?: string;
  module?: string;
  inventory: string[];
  captures?: string;
  maxUpload: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("serve")
    .summary("the capture explorer: a local web app over a flow store")
    .description(
      "Serve the capture explorer over a flow store: Flows (paged, sortable, filtered), Overview, Statistics,\n" +
        "GeoMap and the risk report, with every filter run as parameterised SQL in DuckDB. With --module it\n" +
        "also replays captures uploaded (or dropped into --captures) into the store. Bound to 127.0.0.1 by\n" +
        `default; any other address needs --token (or ${TOKEN_ENV}), and every request must then carry it.\n` +
        "Runs until interrupted. Exit: 0 stopped, 2 usage or the port is taken.\n\n" +
        "Example:\n  nvp serve --store flows.duckdb --module policy.wasm --inventory inv.yaml",
    )
    .requiredOption("--store <file>", "the flow store (DuckDB file; created if missing)")
    .option("--host <addr>", "address to bind", "127.0.0.1")
    .option("--port <n>", "port (0: any free one)", "8080")
    .option("--token <secret>", `access token, at least 16 characters (or ${TOKEN_ENV})`)
    .option("--module <file>", "compiled policy to replay uploaded captures with")
    .option("--inventory <file>", "inventory for those replays (repeatable)", collect, [])
    .option("--captures <dir>", "folder of captures to pick from and to upload into (default: <store>.captures)")
    .option("--max-upload <bytes>", "largest capture accepted", String(DEFAULT_MAX_UPLOAD))
    .action(async (opts: ServeOptions) => {
      const token = opts.token ?? process.env[TOKEN_ENV];
      const problem = bindProblem(opts.host, token);
      if (problem) throw new UsageError(problem);
      if (!/^\d{1,5}$/.test(opts.port) || Number(opts.port) > 65535) throw new UsageError(`--port expects 0…65535, got \`${opts.port}\``);
      if (!/^\d{1,12}$/.test(opts.maxUpload)) throw new UsageError(`--max-upload expects a number of bytes, got \`${opts.maxUpload}\``);
      const module = opts.module ? readModuleFile(ctx, opts.module) : undefined;
      if (opts.module && !module) return;
      const inventory = opts.inventory.length ? readInventory(ctx, opts.inventory) : undefined;
      if (opts.inventory.length && !inventory) return;
      let store: FlowStore;
      try {
        store = await FlowStore.open(resolve(ctx.io.cwd, opts.store));
      } catch (e) {
        if (e instanceof StoreError) return printRuntimeError(ctx, e, opts.store);
        throw e;
      }
      const captures = resolve(ctx.io.cwd, opts.captures ?? `${opts.store}.captures`);
      const { app } = await buildServer({ store, captures, ...(module ? { module } : {}), ...(inventory ? { inventory } : {}), ...(token ? { token } : {}), maxUploadBytes: Number(opts.maxUpload) });
      let url: string;
      try {
        url = await app.listen({ host: opts.host, port: Number(opts.port) });
      } catch (e) {
        store.close();
        throw new UsageError(`cannot listen on ${opts.host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      ctx.io.out(`nvp explorer on ${url}/${token ? "?token=<your token>" : ""} (store ${opts.store}, captures ${captures}); Ctrl-C stops it\n`);
      await new Promise<void>((done) => {
        const stop = () => void app.close().then(() => (store.close(), done()));
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
