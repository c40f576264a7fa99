/**
 * Stable codes of the module loader and the enforcer (NV54xx; docs/module.md lists them), with the
 * one-line titles SARIF and the diagnostic catalog show. runtime/errors.ts raises them; the codes sit
 * here, in the one catalog (catalog.ts) every layer reads.
 */
import { titles, type CodeTable } from "./code-info.js";

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

/** Code → severity and title (the catalog, common/codes/catalog.ts). */
export const MODULE_CODE_INFO: CodeTable = {
  [MODULE_CODES.notWasm]: { severity: "error", title: "file is not a WebAssembly module" },
  [MODULE_CODES.truncated]: { severity: "error", title: "module is truncated or malformed" },
  [MODULE_CODES.notPolicy]: { severity: "error", title: "WebAssembly module is not an nvp policy module" },
  [MODULE_CODES.badMeta]: { severity: "error", title: "module metadata is malformed" },
  [MODULE_CODES.format]: { severity: "error", title: "module table format version is not supported" },
  [MODULE_CODES.abi]: { severity: "error", title: "module ABI version differs from this runtime" },
  [MODULE_CODES.noTable]: { severity: "error", title: "module decision table is missing or has the wrong size" },
  [MODULE_CODES.tampered]: { severity: "error", title: "module content hash does not match: it was altered" },
  [MODULE_CODES.rejected]: { severity: "error", title: "the engine rejected the module's decision table" },
  [MODULE_CODES.compile]: { severity: "error", title: "WebAssembly could not compile or instantiate the module" },
  [MODULE_CODES.engine]: { severity: "error", title: "the module's engine does not provide the nvp engine interface" },
  [MODULE_CODES.unsigned]: { severity: "error", title: "a public key was given but the module is not signed" },
  [MODULE_CODES.signature]: { severity: "error", title: "the module's signature does not verify with the given public key" },
  [MODULE_CODES.flow]: { severity: "error", title: "flow given to the enforcer is invalid" },
  [MODULE_CODES.dns]: { severity: "error", title: "DNS resolution given to the enforcer is invalid" },
  [MODULE_CODES.inventory]: { severity: "error", title: "the engine rejected the inventory" },
  [MODULE_CODES.memory]: { severity: "error", title: "the engine could not get enough memory" },
  [MODULE_CODES.encoded]: { severity: "error", title: "flows encoded for one module were given to an enforcer running another" },
};

/** Code → title: the form the runtime's package API has exported (nvp/runtime). */
export const MODULE_CODE_CATALOG: ReadonlyMap<string, string> = titles(MODULE_CODE_INFO);
