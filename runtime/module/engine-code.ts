/**
 * The engine of a policy module and its instances. loadModule compiles the module *without* its
 * table segment, and every instance gets the table copied to its address before the engine
 * validates it: what instantiating the whole module does, except that WebAssembly never copies
 * or scans the table's megabytes at compile time, and the engine code — the same for every policy
 * one nvp version compiles — is compiled once per process. The instance loadModule validated is
 * kept for the module's first user (Enforcer, PacketEngine), so loading a module and starting its
 * first enforcer copy the table once.
 *
 * Engine choice (docs/performance.md "SIMD engine", docs/module.md "Which engine runs"): a module carries the scalar engine. When it carries
 * exactly this nvp's scalar build, the runtime runs this nvp's SIMD build of the same sources
 * instead — if WebAssembly SIMD validates here and NVP_ENGINE (or chooseEngine) does not say
 * `scalar`. Any other engine bytes run as they are.
 */
import { readFileSync } from "node:fs";
import { E_OK, PAGE_SIZE } from "../../common/abi.js";
import { EngineMissingError, engineFilePath } from "../../common/engine-files.js";
import { engineStatusText, refuse } from "../errors.js";
import { bindExports } from "./bind.js";
import type { PolicyModule } from "./policy-module.js";

const REBUILD = "rebuild it with `nvp compile`";

/** The last engine compiled, by its bytes: a policy update reuses it. */
let last: { code: Uint8Array; wasm: WebAssembly.Module } | undefined;

/** `auto`: SIMD where it validates; `scalar`: the module's own engine; `simd`: SIMD or an error. */
export type EngineChoice = "auto" | "scalar" | "simd";
export const ENGINE_CHOICES: readonly EngineChoice[] = ["auto", "scalar", "simd"];

const fromEnv = process.env.NVP_ENGINE;
let choice: EngineChoice = ENGINE_CHOICES.includes(fromEnv as EngineChoice) ? (fromEnv as EngineChoice) : "auto";

/** Set the engine modules loaded from now on run (the default comes from NVP_ENGINE, else `auto`). */
export function chooseEngine(c: EngineChoice): void {
  choice = c;
}

/** A function returning v128.const 0: what WebAssembly.validate accepts only with SIMD support. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, ...new Array<number>(16).fill(0), 0x0b,
]);

/** This nvp's scalar engine bytes and its compiled SIMD engine (read and compiled once). */
let simd: { scalar: Buffer; wasm: WebAssembly.Module } | null | undefined;
/** Compiled modules that are the SIMD engine. */
const simdModules = new WeakSet<WebAssembly.Module>();

function simdEngine(): { scalar: Buffer; wasm: WebAssembly.Module } | null {
  if (simd !== undefined) return simd;
  simd = null;
  if (!WebAssembly.validate(SIMD_PROBE)) return simd;
  try {
    const wasm = new WebAssembly.Module(readFileSync(engineFilePath("engine-simd.wasm")));
    simd = { scalar: readFileSync(engineFilePath("engine.wasm")), wasm };
    simdModules.add(wasm);
  } catch (e) {
    if (!(e instanceof EngineMissingError)) throw e;
  }
  return simd;
}

/** Is `wasm` (a PolicyModule's) the SIMD engine? */
export function isSimdEngine(wasm: WebAssembly.Module): boolean {
  return simdModules.has(wasm);
}

/** The SIMD engine to run for these module engine bytes, when the choice and the platform allow it. */
function simdFor(code: Uint8Array<ArrayBuffer>): WebAssembly.Module | undefined {
  if (choice === "scalar") return undefined;
  const s = simdEngine();
  if (s && s.scalar.equals(code)) return s.wasm;
  if (choice === "simd") {
    refuse("engine", s ? "the module does not carry this nvp's engine, so it has no SIMD build" : "WebAssembly SIMD is not available here (or build/engine-simd.wasm is missing)", "unset NVP_ENGINE to run the module's own engine; " + REBUILD);
  }
  return undefined;
}

/**
 * Compile engine bytes (a module without its table), or reuse the compilation of the same bytes;
 * this nvp's SIMD engine instead of its scalar one when the engine choice allows.
 */
export function compileEngine(code: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  const vector = simdFor(code);
  if (vector) return vector;
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
