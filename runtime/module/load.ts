/**
 * loadModule: check a policy.wasm before anything runs it — WebAssembly magic and structure, the
 * `nvp.meta` section, format and ABI versions, the table segment, the content hash over table and
 * metadata, the engine's exports — then let the engine validate the table itself. Anything else
 * is refused with an NV54xx error; a PolicyModule is always complete. Each step reads the bytes
 * once: one sha256 pass, the engine compiled without the table (engine-code.ts), one copy of the
 * table into the instance that validates it, which the module's first user then gets.
 */
import { createHash, type KeyObject } from "node:crypto";
import { checkSignature, ed25519PublicKey, SIG_SECTION, signatureKeyId, splitSignature, type SplitSignature } from "../../common/module-signature.js";
import { ABI_VERSION, FORMAT_VERSION, TABLE_BASE } from "../../common/abi.js";
import { decodeGroups, GROUPS_SECTION, GroupsFormatError } from "../../common/abi-groups.js";
import { blankedHashParts, META_SECTION, type ModuleMeta } from "../../common/abi-meta.js";
import {
  customSection, type DataSegment, dataSegments, hasWasmMagic, memoryLimits, SEC_CUSTOM, SEC_DATA, SEC_MEMORY, WasmFormatError, wasmSections,
  withoutLastSegment,
} from "../../common/abi-wasm.js";
import { compileEngine, engineInstance, instantiate, keepSpare } from "./engine-code.js";
import type { ModuleSignature, PolicyModule } from "./policy-module.js";
import { refuse } from "../errors.js";
import { checkMetaShape } from "./meta-shape.js";
import { TableView } from "../host/table-view.js";

export { engineInstance };
export type { EngineExports } from "./bind.js";
export type { ModuleSignature, PolicyModule } from "./policy-module.js";

/** The signature's state; refuses when a public key is given and the module is not signed by it. */
function checkSigned(split: SplitSignature, publicKey: LoadOptions["publicKey"]): ModuleSignature | undefined {
  if (publicKey === undefined) {
    const id = split.payload ? signatureKeyId(split.payload) : undefined;
    return id ? { keyId: id, verified: false } : undefined;
  }
  let key: KeyObject;
  try {
    key = ed25519PublicKey(publicKey);
  } catch (e) {
    throw new TypeError(`publicKey is not an Ed25519 public key: ${(e as Error).message}`);
  }
  if (!split.payload) return refuse("unsigned", "the module is not signed, and a public key requires a signature", "sign it with `nvp compile --sign KEY`");
  const r = checkSignature(split.signed, split.payload, key);
  if (r.ok) return { keyId: r.keyId, verified: true };
  if (r.reason === "other-key") {
    return refuse("signature", `the module is signed by another key (key id ${r.keyId?.slice(0, 16)}…)`, "check which key signed it, or load it with that key's public half");
  }
  if (r.reason === "malformed") return refuse("signature", `the \`${SIG_SECTION}\` section is malformed`, "sign the module again with `nvp compile --sign KEY`");
  return refuse("signature", "the module's signature does not verify: it was altered after signing", "do not edit signed modules; rebuild and sign it again");
}

class LoadedModule implements PolicyModule {
  private ruleIds?: readonly number[];

  constructor(
    readonly meta: ModuleMeta,
    readonly wasm: WebAssembly.Module,
    readonly table: Uint8Array,
    readonly pages: number,
    readonly size: number,
    readonly signature?: ModuleSignature,
  ) {}

  get rules(): readonly number[] {
    this.ruleIds ??= new TableView(this.table, this.meta).ruleIds();
    return this.ruleIds;
  }
}

const REBUILD = "rebuild it with `nvp compile`";
const ZERO = new Uint8Array([0]);

/** The metadata, where its section starts (everything before it is hashed) and its raw payload. */
function findMeta(bytes: Uint8Array, sections: ReturnType<typeof wasmSections>): { meta: ModuleMeta; start: number; payload: Uint8Array } {
  const metas = sections.filter((s) => s.id === SEC_CUSTOM && customSection(bytes, s).name === META_SECTION);
  if (metas.length === 0) refuse("notPolicy", `module has no \`${META_SECTION}\` section: it is not an nvp policy module`, "load a module produced by `nvp compile`");
  if (metas.length > 1) refuse("badMeta", `module has ${metas.length} \`${META_SECTION}\` sections`, REBUILD);
  const section = metas[0] as (typeof metas)[number];
  if (section !== sections[sections.length - 1]) refuse("badMeta", `the \`${META_SECTION}\` section is not the module's last section`, REBUILD);
  const payload = customSection(bytes, section).payload;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    refuse("badMeta", `the \`${META_SECTION}\` section is not valid UTF-8 JSON`, REBUILD);
  }
  const problem = checkMetaShape(parsed);
  if (problem) refuse("badMeta", `module metadata is malformed: ${problem}`, REBUILD);
  return { meta: parsed as ModuleMeta, start: section.start, payload };
}

/** The `nvp.groups` payload: one such section, right before `nvp.meta`. */
function findGroups(bytes: Uint8Array, sections: ReturnType<typeof wasmSections>): Uint8Array {
  const found = sections.filter((s) => s.id === SEC_CUSTOM && customSection(bytes, s).name === GROUPS_SECTION);
  if (found.length !== 1 || found[0] !== sections[sections.length - 2]) {
    refuse("badMeta", `the module must have one \`${GROUPS_SECTION}\` section, right before \`${META_SECTION}\``, REBUILD);
  }
  return customSection(bytes, found[0] as (typeof found)[number]).payload;
}

/** The table: the data section's last segment, at the metadata's address and of its length. */
function findTable(bytes: Uint8Array, sections: ReturnType<typeof wasmSections>, meta: ModuleMeta): DataSegment {
  const segs = sections.filter((s) => s.id === SEC_DATA).flatMap((s) => dataSegments(bytes, s));
  const table = segs.find((s) => s.offset === meta.table.base);
  if (!table) return refuse("noTable", `module has no decision table at address ${meta.table.base}`, REBUILD);
  if (table.bytes.length !== meta.table.length) {
    refuse("noTable", `decision table is ${table.bytes.length} bytes, metadata says ${meta.table.length}`, REBUILD);
  }
  if (table !== segs[segs.length - 1]) refuse("noTable", "the decision table is not the module's last data segment", REBUILD);
  return table;
}

export interface LoadOptions {
  /**
   * Require an Ed25519 signature by this key (PEM text, SPKI DER bytes or a KeyObject): a module
   * without `nvp.sig`, or signed by another key, or altered after signing is refused (NV5412, NV5413).
   */
  publicKey?: string | Uint8Array | KeyObject;
}

/** Validate and compile a policy module. Throws NvpRuntimeError (NV54xx) for anything else. */
export function loadModule(input: Uint8Array, opts: LoadOptions = {}): PolicyModule {
  const whole = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  let split: SplitSignature;
  try {
    split = splitSignature(whole);
  } catch (e) {
    if (e instanceof WasmFormatError) split = { signed: whole };
    else throw e;
  }
  const signature = checkSigned(split, opts.publicKey);
  // Everything below reads the module without its signature section.
  const bytes = split.signed;
  let sections: ReturnType<typeof wasmSections>;
  let meta: ModuleMeta;
  let metaStart: number;
  let payload: Uint8Array;
  let table: DataSegment;
  let code: Uint8Array<ArrayBuffer>;
  let pages: number;
  let groupsSection: Uint8Array;
  try {
    sections = wasmSections(bytes);
    ({ meta, start: metaStart, payload } = findMeta(bytes, sections));
    if (meta.format !== FORMAT_VERSION) {
      refuse("format", `module table format version ${meta.format} is not supported (this runtime reads ${FORMAT_VERSION})`, REBUILD + " with this version of nvp");
    }
    if (meta.abi !== ABI_VERSION) {
      refuse("abi", `module ABI version ${meta.abi} differs from this runtime's ${ABI_VERSION}`, REBUILD + " with this version of nvp");
    }
    if (meta.table.base !== TABLE_BASE) refuse("badMeta", `module table address ${meta.table.base} is not ${TABLE_BASE}`, REBUILD);
    table = findTable(bytes, sections, meta);
    const memory = sections.find((s) => s.id === SEC_MEMORY);
    if (!memory) return refuse("engine", "the module defines no memory", REBUILD);
    pages = memoryLimits(bytes, memory).min;
    groupsSection = findGroups(bytes, sections);
    code = withoutLastSegment(bytes, sections.slice(0, -2), table.start, 1);
  } catch (e) {
    if (e instanceof WasmFormatError) {
      if (e.truncated) refuse("truncated", `module is truncated: ${e.message}`, "the file was cut short; copy it again");
      if (!hasWasmMagic(bytes)) refuse("notWasm", "not a WebAssembly module: the bytes do not start with `\\0asm`", "load a `.wasm` file produced by `nvp compile`");
      refuse("truncated", `module is malformed: ${e.message}`, REBUILD);
    }
    throw e;
  }
  const parts = blankedHashParts(payload);
  if (!parts) return refuse("badMeta", "module metadata does not start with its `hash` field", REBUILD);
  const hash = createHash("sha256").update(bytes.subarray(0, metaStart)).update(ZERO);
  for (const part of parts) hash.update(part);
  const digest = hash.digest("hex");
  if (digest !== meta.hash) {
    refuse("tampered", "module content hash does not match: the module was altered", "do not edit compiled modules; rebuild it with `nvp compile`");
  }
  try {
    meta.groups = decodeGroups(groupsSection);
  } catch (e) {
    if (e instanceof GroupsFormatError) refuse("badMeta", `the \`${GROUPS_SECTION}\` section is malformed: ${e.message}`, REBUILD);
    throw e;
  }
  const module = new LoadedModule(meta, compileEngine(code), table.bytes, pages, whole.length, signature);
  const instance = instantiate(module);
  new TableView(module.table, meta).validate();
  keepSpare(module, instance);
  return module;
}
