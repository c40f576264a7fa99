/**
 * The flow store's diagnostic codes (NV56xx, docs/diagnostics.md), with their titles for the
 * diagnostic catalog. Here, not in runtime/store/, so that the compiler's catalog can list them
 * without importing the runtime (or loading DuckDB).
 */
export const STORE_CODES = {
  open: "NV5601",
  version: "NV5602",
  input: "NV5603",
  shape: "NV5604",
  write: "NV5605",
  vulns: "NV5606",
  capture: "NV5607",
} as const;

export const STORE_CODE_CATALOG: ReadonlyMap<string, string> = new Map([
  [STORE_CODES.open, "the store file cannot be opened as a DuckDB database"],
  [STORE_CODES.version, "the store was written by another schema version"],
  [STORE_CODES.input, "an NDJSON or NeuVector file to ingest is not valid JSON or has a field of the wrong type"],
  [STORE_CODES.shape, "a record to ingest (NDJSON or NeuVector) lacks a field every event has, or has one of the wrong type"],
  [STORE_CODES.write, "the store could not write (disk full, read-only, or an export failed)"],
  [STORE_CODES.vulns, "the vulnerability report is not Trivy JSON"],
  [STORE_CODES.capture, "an uploaded capture cannot be read; nothing was stored"],
]);
