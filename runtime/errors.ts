/**
 * Errors of the module loader and the enforcer, with stable NV54xx codes (docs/module.md lists
 * them). Each carries a help line and converts to a Diagnostic for the CLI.
 */
import { MODULE_CODES, type ModuleCode } from "../common/codes/module.js";
import type { Diagnostic } from "../common/diagnostics.js";

// The codes and their titles live in common/ because the compiler's diagnostic catalog lists them
// too, and the compiler may not import the runtime.
export { MODULE_CODES, MODULE_CODE_CATALOG, type ModuleCode } from "../common/codes/module.js";

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
