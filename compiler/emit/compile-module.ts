/**
 * compileModule: the lower → encode → emit stages, each timed and dumpable, from a checked
 * PolicyModel to the bytes of a self-contained policy.wasm (prebuilt engine + table data
 * segment + `nvp.meta`). The CLI's `nvp compile` calls this.
 */
import { PAGE_SIZE, TABLE_BASE } from "../../common/abi.js";
import { encodeGroups, GROUPS_SECTION } from "../../common/abi-groups.js";
import { META_SECTION, metaPayload } from "../../common/abi-meta.js";
import { encodeTable, scratchBytes } from "../encode/encode.js";
import { printTable } from "../encode/print-table.js";
import type { DecisionIR } from "../lower/ir.js";
import { lowerModel } from "../lower/lower.js";
import { printIr } from "../lower/print.js";
import type { PolicyModel } from "../model.js";
import { engineBytes } from "./engine-file.js";
import { buildMeta, metaGroups } from "./meta.js";
import { appendCustomSection, patchEngine } from "./wasm-patch.js";

export const DUMP_STAGES = ["lower", "encode"] as const;
export type DumpStage = (typeof DUMP_STAGES)[number];

export interface CompileOptions {
  /** Compiler version recorded in the metadata (the CLI passes its own). */
  compilerVersion?: string;
  /** Prebuilt engine bytes; default build/engine.wasm. */
  engine?: Uint8Array;
  /** Print the stage's output (IR or table summary) through `onDump` after that stage. */
  dumpAfter?: DumpStage;
  onDump?: (stage: DumpStage, text: string) => void;
}

export interface StageTiming {
  name: string;
  ms: number;
}

export interface CompiledModule {
  bytes: Uint8Array<ArrayBuffer>;
  stages: StageTiming[];
  /** Table size and section sizes, for `nvp inspect`-like summaries. */
  tableBytes: number;
  sizes: Record<string, number>;
}

function timed<T>(stages: StageTiming[], name: string, f: () => T): T {
  const t0 = performance.now();
  const v = f();
  stages.push({ name, ms: performance.now() - t0 });
  return v;
}

export function compileModule(model: PolicyModel, opts: CompileOptions = {}): CompiledModule {
  const stages: StageTiming[] = [];
  const ir: DecisionIR = timed(stages, "lower", () => lowerModel(model));
  if (opts.dumpAfter === "lower") opts.onDump?.("lower", printIr(ir));
  const table = timed(stages, "encode", () => encodeTable(ir));
  if (opts.dumpAfter === "encode") opts.onDump?.("encode", printTable(table.bytes));
  const bytes = timed(stages, "emit", () => {
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
  });
  return { bytes, stages, tableBytes: table.bytes.length, sizes: table.sizes };
}
