/** Shared by the engine tests: compiling policy text, rewriting modules, reference verdicts. */
import { createHash } from "node:crypto";
import type { LookupResult, Verdict } from "../../common/schema.js";
import { GROUPS_SECTION } from "../../common/abi-groups.js";
import { META_SECTION, metaPayload, type ModuleMeta } from "../../common/abi-meta.js";
import { appendCustomSection } from "../../compiler/emit/wasm-patch.js";
import { customSection, SEC_CUSTOM, uleb, wasmSections } from "../../common/abi-wasm.js";
import { checkSources, compileModule } from "../../compiler/pipeline.js";
import type { PolicyModel } from "../../compiler/model.js";
import type { Decision, EngineExports, Inventory, PolicyModule } from "../../runtime/index.js";
import { PAGE_SIZE } from "../../common/abi.js";
import { buildInventoryRegion } from "../../runtime/host/inventory-region.js";
import { MembershipMatcher } from "../../runtime/host/membership.js";
import { TableView } from "../../runtime/host/table-view.js";

function lookup(r: LookupResult): LookupResult {
  const out: LookupResult = { action: r.action, rule: r.rule };
  if (r.mode !== undefined) out.mode = r.mode;
  if (r.awaiting !== undefined) out.awaiting = r.awaiting;
  return out;
}

/** The reference verdict reduced to what the engine reports. */
export function referenceDecision(v: Verdict): Decision {
  const d: Decision = lookup(v);
  if (v.xff) d.xff = lookup(v.xff);
  return d;
}

/** Check `.nvp` text into a model; fails the test on errors. */
export function modelOf(text: string, params: Record<string, string> = {}): PolicyModel {
  const r = checkSources({ "test.nvp": text }, ["test.nvp"], params);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.model || errors.length) throw new Error(`policy does not check: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return r.model;
}

export function moduleBytes(text: string): Uint8Array<ArrayBuffer> {
  return compileModule(modelOf(text)).bytes;
}

/** Replace the module's `nvp.meta` section (the last section) by `edit(meta)`; optionally re-hash. */
export function editMeta(bytes: Uint8Array, edit: (m: ModuleMeta) => void, rehash: (m: ModuleMeta) => string | undefined = () => undefined): Uint8Array<ArrayBuffer> {
  const secs = wasmSections(bytes);
  const s = secs.find((x) => x.id === SEC_CUSTOM && customSection(bytes, x).name === META_SECTION);
  if (!s) throw new Error("no meta section");
  const meta = JSON.parse(new TextDecoder().decode(customSection(bytes, s).payload)) as ModuleMeta;
  edit(meta);
  const hash = rehash(meta);
  if (hash !== undefined) meta.hash = hash;
  const name = new TextEncoder().encode(META_SECTION);
  const { hash: metaHash, ...rest } = meta;
  const payload = metaPayload(rest, metaHash);
  const body = [...uleb(name.length), ...name, ...payload];
  const out = new Uint8Array([...bytes.subarray(0, s.start), 0, ...uleb(body.length), ...body, ...bytes.subarray(s.end)]);
  return out;
}

/** The hash a module must carry: over its bytes before `nvp.meta` and the metadata body. */
export function hashFor(moduleWithoutMeta: Uint8Array, meta: ModuleMeta): string {
  const { hash: _hash, ...rest } = meta;
  return createHash("sha256").update(moduleWithoutMeta).update(new Uint8Array([0])).update(metaPayload(rest)).digest("hex");
}

/** The module bytes before its `nvp.meta` section. */
export function withoutMeta(bytes: Uint8Array): Uint8Array {
  const s = wasmSections(bytes).find((x) => x.id === SEC_CUSTOM && customSection(bytes, x).name === META_SECTION);
  return bytes.subarray(0, s?.start ?? bytes.length);
}

/**
 * Replace the `nvp.groups` payload (the section before `nvp.meta`) by `edit(payload)`; with
 * `rehash` the metadata's hash is recomputed, so only the groups are wrong.
 */
export function editGroups(bytes: Uint8Array, edit: (payload: Uint8Array) => Uint8Array, rehash = true): Uint8Array<ArrayBuffer> {
  const secs = wasmSections(bytes);
  const groups = secs[secs.length - 2];
  const metaSec = secs[secs.length - 1];
  if (!groups || !metaSec || customSection(bytes, groups).name !== GROUPS_SECTION) throw new Error("no groups section");
  const prefix = appendCustomSection(bytes.subarray(0, groups.start), GROUPS_SECTION, edit(customSection(bytes, groups).payload.slice()));
  const meta = JSON.parse(new TextDecoder().decode(customSection(bytes, metaSec).payload)) as ModuleMeta;
  const { hash, ...rest } = meta;
  return appendCustomSection(prefix, META_SECTION, metaPayload(rest, rehash ? hashFor(prefix, meta) : hash));
}

/**
 * The inventory region the host builds for `inventory`, copied into `ex`'s memory past its
 * scratch (64-byte aligned, memory grown to hold it), as the region tests hand it to
 * setInventory; `ex` must already be initialised with the module's table.
 */
export function regionInEngine(mod: PolicyModule, ex: EngineExports, inventory: Inventory): { at: number; len: number; mem: DataView } {
  const view = new TableView(mod.table, mod.meta);
  const region = buildInventoryRegion(inventory, view, new MembershipMatcher(mod.meta.groups, "discover"), (ip) => ex.addrClass(BigInt.asUintN(64, ip), ip >> 64n));
  const at = Math.ceil(ex.dynamicBase() / 64) * 64;
  ex.memory.grow(Math.ceil((at + region.bytes.length + 4096) / PAGE_SIZE));
  new Uint8Array(ex.memory.buffer).set(region.bytes, at);
  return { at, len: region.bytes.length, mem: new DataView(ex.memory.buffer) };
}
