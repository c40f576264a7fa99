/**
 * loadModule: check a policy.wasm before anything runs it — WebAssembly magic and structure, the
 * `nvp.meta` section, format and ABI versions, the table segment, the content hash over table and
 * metadata, the engine's exports — then let the engine validate the table itself. Anything else
 * is refused with an NV54xx error; a PolicyModule is always complete.
 */
import { createHash } from "node:crypto";
import { ABI_VERSION, E_OK, ENGINE_STATIC_MAX, FORMAT_VERSION, TABLE_BASE } from "../common/abi.js";
import { blankHash, META_SECTION, type ModuleMeta } from "../common/abi-meta.js";
import { customSection, dataSegments, hasWasmMagic, SEC_CUSTOM, SEC_DATA, WasmFormatError, wasmSections } from "../common/abi-wasm.js";
import { engineStatusText, MODULE_CODES, NvpRuntimeError } from "./errors.js";
import { checkMetaShape } from "./meta-shape.js";
import { TableView } from "./table-view.js";

export interface PolicyModule {
  readonly meta: ModuleMeta;
  readonly wasm: WebAssembly.Module;
  /** The decision table bytes (a view into the module bytes). */
  readonly table: Uint8Array;
  /** Size of the module file in bytes. */
  readonly size: number;
}

/** The functions and memory every nvp engine exports (asm/index.ts). */
export interface EngineExports {
  memory: WebAssembly.Memory;
  abiVersion(): number;
  heapBase(): number;
  init(base: number, len: number): number;
  dynamicBase(): number;
  setInventory(p: number, len: number): number;
  setDns(p: number, len: number): number;
  addrClass(lo: bigint, hi: bigint): number;
  decideMany(n: number): number;
}

const ENGINE_FUNCTIONS = ["abiVersion", "heapBase", "init", "dynamicBase", "setInventory", "setDns", "addrClass", "decideMany"];

const fail = (code: keyof typeof MODULE_CODES, message: string, help: string): never => {
  throw new NvpRuntimeError(MODULE_CODES[code], message, help);
};

const REBUILD = "rebuild it with `nvp compile`";

/** The metadata, where its section starts (everything before it is hashed) and its raw payload. */
function findMeta(bytes: Uint8Array, sections: ReturnType<typeof wasmSections>): { meta: ModuleMeta; start: number; payload: Uint8Array } {
  const metas = sections.filter((s) => s.id === SEC_CUSTOM && customSection(bytes, s).name === META_SECTION);
  if (metas.length === 0) fail("notPolicy", `module has no \`${META_SECTION}\` section: it is not an nvp policy module`, "load a module produced by `nvp compile`");
  if (metas.length > 1) fail("badMeta", `module has ${metas.length} \`${META_SECTION}\` sections`, REBUILD);
  const section = metas[0] as (typeof metas)[number];
  if (section !== sections[sections.length - 1]) fail("badMeta", `the \`${META_SECTION}\` section is not the module's last section`, REBUILD);
  const payload = customSection(bytes, section).payload;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    fail("badMeta", `the \`${META_SECTION}\` section is not valid UTF-8 JSON`, REBUILD);
  }
  const problem = checkMetaShape(parsed);
  if (problem) fail("badMeta", `module metadata is malformed: ${problem}`, REBUILD);
  return { meta: parsed as ModuleMeta, start: section.start, payload };
}

function findTable(bytes: Uint8Array, sections: ReturnType<typeof wasmSections>, meta: ModuleMeta): Uint8Array {
  const segs = sections.filter((s) => s.id === SEC_DATA).flatMap((s) => dataSegments(bytes, s));
  const table = segs.find((s) => s.offset === meta.table.base);
  if (!table) return fail("noTable", `module has no decision table at address ${meta.table.base}`, REBUILD);
  if (table.bytes.length !== meta.table.length) {
    fail("noTable", `decision table is ${table.bytes.length} bytes, metadata says ${meta.table.length}`, REBUILD);
  }
  return table.bytes;
}

/** Instantiate once and let the engine validate the table: a module that loads is a module that runs. */
function probeEngine(wasm: WebAssembly.Module, meta: ModuleMeta): void {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(wasm, {});
  } catch (e) {
    return fail("compile", `the module cannot be instantiated: ${(e as Error).message}`, "the module must import nothing; rebuild it with `nvp compile`");
  }
  const ex = instance.exports as Record<string, unknown>;
  const missing = ENGINE_FUNCTIONS.filter((f) => typeof ex[f] !== "function");
  if (missing.length || !(ex.memory instanceof WebAssembly.Memory)) {
    fail("engine", `the module's engine lacks \`${missing[0] ?? "memory"}\``, REBUILD);
  }
  const engine = ex as unknown as EngineExports;
  if (engine.abiVersion() !== ABI_VERSION) {
    fail("abi", `the module's engine has ABI version ${engine.abiVersion()}, this runtime needs ${ABI_VERSION}`, REBUILD + " and this version of nvp");
  }
  if (engine.heapBase() > ENGINE_STATIC_MAX) fail("engine", "the module's engine static data overlaps the IO area", REBUILD);
  const status = engine.init(meta.table.base, meta.table.length);
  if (status !== E_OK) fail("rejected", `the engine rejected the decision table: ${engineStatusText(status)}`, REBUILD);
}

/** Validate and compile a policy module. Throws NvpRuntimeError (NV54xx) for anything else. */
export function loadModule(input: Uint8Array): PolicyModule {
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  let sections: ReturnType<typeof wasmSections>;
  let meta: ModuleMeta;
  let metaStart: number;
  let payload: Uint8Array;
  let table: Uint8Array;
  try {
    sections = wasmSections(bytes);
    ({ meta, start: metaStart, payload } = findMeta(bytes, sections));
    if (meta.format !== FORMAT_VERSION) {
      fail("format", `module table format version ${meta.format} is not supported (this runtime reads ${FORMAT_VERSION})`, REBUILD + " with this version of nvp");
    }
    if (meta.abi !== ABI_VERSION) {
      fail("abi", `module ABI version ${meta.abi} differs from this runtime's ${ABI_VERSION}`, REBUILD + " with this version of nvp");
    }
    if (meta.table.base !== TABLE_BASE) fail("badMeta", `module table address ${meta.table.base} is not ${TABLE_BASE}`, REBUILD);
    table = findTable(bytes, sections, meta);
  } catch (e) {
    if (e instanceof WasmFormatError) {
      if (e.truncated) fail("truncated", `module is truncated: ${e.message}`, "the file was cut short; copy it again");
      if (!hasWasmMagic(bytes)) fail("notWasm", "not a WebAssembly module: the bytes do not start with `\\0asm`", "load a `.wasm` file produced by `nvp compile`");
      fail("truncated", `module is malformed: ${e.message}`, REBUILD);
    }
    throw e;
  }
  const blanked = blankHash(payload);
  if (!blanked) return fail("badMeta", "module metadata does not start with its `hash` field", REBUILD);
  const digest = createHash("sha256").update(bytes.subarray(0, metaStart)).update(new Uint8Array([0])).update(blanked).digest("hex");
  if (digest !== meta.hash) {
    fail("tampered", "module content hash does not match: the module was altered", "do not edit compiled modules; rebuild it with `nvp compile`");
  }
  let wasm: WebAssembly.Module;
  try {
    wasm = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    return fail("compile", `WebAssembly cannot compile the module: ${(e as Error).message}`, REBUILD);
  }
  probeEngine(wasm, meta);
  new TableView(table, meta);
  return { meta, wasm, table, size: bytes.length };
}
