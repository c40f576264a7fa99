/**
 * The engine of a policy module and its instances. loadModule compiles the module *without* its
 * table segment, and every instance gets the table copied to its address before the engine
 * validates it: what instantiating the whole module does, except that WebAssembly never copies
 * or scans the table's megabytes at compile time, and the engine code — the same for every policy
 * one nvp version compiles — is compiled once per process. The instance loadModule validated is
 * kept for the module's first user (Enforcer, PacketEngine), so loading a module and starting its
 * first enforcer copy the table once.
 */
import { E_OK, PAGE_SIZE } from "../../common/abi.js";
import { engineStatusText, refuse } from "../errors.js";
import { bindExports } from "./bind.js";
import type { PolicyModule } from "./policy-module.js";

const REBUILD = "rebuild it with `nvp compile`";

/** The last engine compiled, by its bytes: a policy update reuses it. */
let last: { code: Uint8Array; wasm: WebAssembly.Module } | undefined;

/** Compile engine bytes (a module without its table), or reuse the compilation of the same bytes. */
export function compileEngine(code: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  if (last && Buffer.from(code.buffer, code.byteOffset, code.byteLength).equals(last.code)) return last.wasm;
  let wasm: WebAssembly.Module;
  try {
    wasm = new WebAssembly.Module(code);
  } catch (e) {
    return refuse("compile", `WebAssembly cannot compile the module: ${(e as Error).message}`, REBUILD);
  }
  last = { code, wasm };
  return wasm;
}

/**
 * A new instance of `module`'s engine with the table copied in and validated by the engine
 * (`init`): exports, ABI versions and static data checked (bindExports), memory grown to the
 * module's pages.
 */
export function instantiate(module: Pick<PolicyModule, "wasm" | "table" | "pages" | "meta">): WebAssembly.Instance {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module.wasm, {});
  } catch (e) {
    return refuse("compile", `the module cannot be instantiated: ${(e as Error).message}`, "the module must import nothing; " + REBUILD);
  }
  const engine = bindExports(instance);
  const { base } = module.meta.table;
  const have = engine.memory.buffer.byteLength / PAGE_SIZE;
  try {
    if (module.pages > have) engine.memory.grow(module.pages - have);
  } catch (e) {
    refuse("memory", `the engine cannot get the module's ${module.pages} memory pages: ${(e as Error).message}`, "give the process more memory");
  }
  if (base + module.table.length > engine.memory.buffer.byteLength) {
    refuse("compile", `the module cannot be instantiated: its memory of ${module.pages} pages does not hold the decision table`, REBUILD);
  }
  new Uint8Array(engine.memory.buffer).set(module.table, base);
  const status = engine.init(base, module.table.length);
  if (status !== E_OK) refuse("rejected", `the engine rejected the decision table: ${engineStatusText(status)}`, REBUILD);
  return instance;
}

/** Validated instances loadModule made, each waiting for its module's first user. */
const spares = new WeakMap<PolicyModule, WebAssembly.Instance>();

export function keepSpare(module: PolicyModule, instance: WebAssembly.Instance): void {
  spares.set(module, instance);
}

/**
 * An engine instance of `module` with its table in memory, validated (`init` done): the one
 * loadModule made if nobody took it yet, else a new one. Instantiate modules only through this:
 * `module.wasm` alone has no table.
 */
export function engineInstance(module: PolicyModule): WebAssembly.Instance {
  const spare = spares.get(module);
  if (!spare) return instantiate(module);
  spares.delete(module);
  return spare;
}
