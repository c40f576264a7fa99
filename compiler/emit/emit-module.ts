/**
 * The emit stage: an encoded table → the bytes of a self-contained policy.wasm (prebuilt engine +
 * table data segment + `nvp.groups` + `nvp.meta`). compiler/pipeline.ts runs it after encode.
 */
import { PAGE_SIZE, TABLE_BASE } from "../../common/abi.js";
import { encodeGroups, GROUPS_SECTION } from "../../common/abi-groups.js";
import { META_SECTION, metaPayload } from "../../common/abi-meta.js";
import { scratchBytes, type EncodedTable } from "../encode/encode.js";
import type { DecisionIR } from "../lower/ir.js";
import type { PolicyModel } from "../model.js";
import { engineBytes } from "./engine-file.js";
import { buildMeta, metaGroups } from "./meta.js";
import { appendCustomSection, patchEngine } from "./wasm-patch.js";

export interface EmitOptions {
  /** Compiler version recorded in the metadata (the CLI passes its own). */
  compilerVersion?: string;
  /** Prebuilt engine bytes; default build/engine.wasm. */
  engine?: Uint8Array;
}

export function emitModule(model: PolicyModel, ir: DecisionIR, table: EncodedTable, opts: EmitOptions = {}): Uint8Array<ArrayBuffer> {
  const scratch = scratchBytes(ir.vhSlots.length);
  const end = TABLE_BASE + Math.ceil(table.bytes.length / 8) * 8 + scratch;
  const patched = patchEngine({
    engine: opts.engine ?? engineBytes(),
    data: table.bytes,
    offset: TABLE_BASE,
    minPages: Math.ceil(end / PAGE_SIZE),
  });
  const groups = metaGroups(ir);
  const withGroups = appendCustomSection(patched, GROUPS_SECTION, encodeGroups(groups));
  const meta = buildMeta(model, ir, table.bytes, withGroups, groups, scratch, table.sizes, opts.compilerVersion ?? "0.1.0");
  const { hash, ...rest } = meta;
  return appendCustomSection(withGroups, META_SECTION, metaPayload(rest, hash));
}
