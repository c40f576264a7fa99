/**
 * The flow store's diagnostic codes (NV56xx, docs/diagnostics.md), with their titles for the
 * diagnostic catalog. Here, not in runtime/store/, so that the catalog (catalog.ts) lists them
 * without importing the runtime (or loading DuckDB).
 */
import { titles, type CodeTable } from "./code-info.js";
export const STORE_CODES = {
  open: "NV5601",
  version: "NV5602",
  input: "NV5603",
  shape: "NV5604",
  write: "NV5605",
  vulns: "NV5606",
  capture: "NV5607",
} as const;

/** Code → severity and title (the catalog, common/codes/catalog.ts). */
export const STORE_CODE_INFO: CodeTable = {
  [STORE_CODES.open]: { severity: "error", title: "the store file cannot be opened as a DuckDB database" },
  [STORE_CODES.version]: { severity: "error", title: "the store was written by another schema version" },
  [STORE_CODES.input]: { severity: "error", title: "an NDJSON or NeuVector file to ingest is not valid JSON or has a field of the wrong type" },
  [STORE_CODES.shape]: { severity: "error", title: "a record to ingest (NDJSON or NeuVector) lacks a field every event has, or has one of the wrong type" },
  [STORE_CODES.write]: { severity: "error", title: "the store could not write (disk full, read-only, or an export failed)" },
  [STORE_CODES.vulns]: { severity: "error", title: "the vulnerability report is not Trivy JSON" },
  [STORE_CODES.capture]: { severity: "error", title: "an uploaded capture cannot be read; nothing was stored" },
};

/** Code → title: the form the runtime's package API has exported (nvp/runtime). */
export const STORE_CODE_CATALOG: ReadonlyMap<string, string> = titles(STORE_CODE_INFO);
