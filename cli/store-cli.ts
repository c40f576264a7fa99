/** What the store commands share: opening the store, printing NV56xx errors rustc-style (exit 2). */
import { readInputFile } from "../common/input-file.js";
import { resolve } from "node:path";
import { NvpRuntimeError } from "../runtime/errors.js";
import { loadModule, type PolicyModule } from "../runtime/module/load.js";
import { FlowStore, StoreError } from "../runtime/store/index.js";
import { EXIT } from "./io.js";
import type { CommandContext } from "./shared.js";

/** Run `body` with the store open, closing it after; a runtime error is printed with `file` and exits 2. */
export async function withStore<T>(ctx: CommandContext, file: string, body: (store: FlowStore) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T | undefined> {
  let store: FlowStore | undefined;
  try {
    store = await FlowStore.open(resolve(ctx.io.cwd, file), opts);
    return await body(store);
  } catch (e) {
    if (!(e instanceof NvpRuntimeError) && !(e instanceof StoreError)) throw e;
    printRuntimeError(ctx, e, file);
    return undefined;
  } finally {
    store?.close();
  }
}

/** Print a module or store error rustc-style (code, file, help) and set exit 2. */
export function printRuntimeError(ctx: CommandContext, e: NvpRuntimeError | StoreError, file: string): void {
  ctx.io.err(`error[${e.code}]: ${e.message}\n  --> ${file}\n   = help: ${e.help}\n`);
  ctx.exit(EXIT.usage);
}

/** A compiled module from `file` (ingest's metadata, serve's replays); a bad module is printed, exit 2. */
export function readModuleFile(ctx: CommandContext, file: string): PolicyModule | undefined {
  const path = resolve(ctx.io.cwd, file);
  const bytes = readInputFile(path, { shown: file, what: "module" });
  try {
    return loadModule(bytes);
  } catch (e) {
    if (e instanceof NvpRuntimeError) return void printRuntimeError(ctx, e, file);
    throw e;
  }
}
