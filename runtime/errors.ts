/**
 * Errors of the module loader and the enforcer, with stable NV54xx codes (docs/module.md lists
 * them). Each carries a help line and converts to a Diagnostic for the CLI.
 */
import type { Diagnostic } from "../common/diagnostics.js";

export const MODULE_CODES = {
  notWasm: "NV5401",
  truncated: "NV5402",
  notPolicy: "NV5403",
  badMeta: "NV5404",
  format: "NV5405",
  abi: "NV5406",
  noTable: "NV5407",
  tampered: "NV5408",
  rejected: "NV5409",
  compile: "NV5410",
  engine: "NV5411",
  unsigned: "NV5412",
  signature: "NV5413",
  flow: "NV5420",
  dns: "NV5421",
  inventory: "NV5422",
  memory: "NV5423",
  encoded: "NV5424",
} as const;

export type ModuleCode = (typeof MODULE_CODES)[keyof typeof MODULE_CODES];

/** Code → one-line description, for SARIF and docs. */
export const MODULE_CODE_CATALOG: ReadonlyMap<string, string> = new Map([
  [MODULE_CODES.notWasm, "file is not a WebAssembly module"],
  [MODULE_CODES.truncated, "module is truncated or malformed"],
  [MODULE_CODES.notPolicy, "WebAssembly module is not an nvp policy module"],
  [MODULE_CODES.badMeta, "module metadata is malformed"],
  [MODULE_CODES.format, "module table format version is not supported"],
  [MODULE_CODES.abi, "module ABI version differs from this runtime"],
  [MODULE_CODES.noTable, "module decision table is missing or has the wrong size"],
  [MODULE_CODES.tampered, "module content hash does not match: it was altered"],
  [MODULE_CODES.rejected, "the engine rejected the module's decision table"],
  [MODULE_CODES.compile, "WebAssembly could not compile or instantiate the module"],
  [MODULE_CODES.engine, "the module's engine does not provide the nvp engine interface"],
  [MODULE_CODES.unsigned, "a public key was given but the module is not signed"],
  [MODULE_CODES.signature, "the module's signature does not verify with the given public key"],
  [MODULE_CODES.flow, "flow given to the enforcer is invalid"],
  [MODULE_CODES.dns, "DNS resolution given to the enforcer is invalid"],
  [MODULE_CODES.inventory, "the engine rejected the inventory"],
  [MODULE_CODES.memory, "the engine could not get enough memory"],
  [MODULE_CODES.encoded, "flows encoded for one module were given to an enforcer running another"],
]);

export class NvpRuntimeError extends Error {
  override readonly name = "NvpRuntimeError";
  constructor(
    readonly code: ModuleCode,
    message: string,
    readonly help: string,
  ) {
    super(message);
  }

  toDiagnostic(file?: string): Diagnostic {
    const d: Diagnostic = { code: this.code, severity: "error", message: this.message, help: this.help };
    if (file !== undefined) d.file = file;
    return d;
  }
}

/** Throw the NV54xx error `code` (a MODULE_CODES key). */
export function refuse(code: keyof typeof MODULE_CODES, message: string, help: string): never {
  throw new NvpRuntimeError(MODULE_CODES[code], message, help);
}

/** Engine status codes (common/abi.ts E_*) in words. */
export function engineStatusText(code: number): string {
  switch (code) {
    case 1:
      return "no table is loaded";
    case 2:
      return "a table offset or length lies outside the table or memory";
    case 3:
      return "the table does not start with the nvp table magic";
    case 4:
      return "the table's format or ABI version differs from the engine's";
    case 5:
      return "the table is inconsistent (a set, index or interval table is malformed)";
    case 6:
      return "a host region lies outside memory or overlaps the table";
    case 7:
      return "a host region is inconsistent";
    case 8:
      return "the batch is larger than BATCH_MAX";
    case 9:
      return "the flow record is malformed";
    default:
      return `engine status ${code}`;
  }
}
