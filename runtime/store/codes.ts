/**
 * The store's diagnostic codes (NV56xx, docs/diagnostics.md), apart from the store itself so the
 * diagnostic catalog can list them without loading DuckDB.
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
  [STORE_CODES.input, "an NDJSON file to ingest is not valid JSON or has a field of the wrong type"],
  [STORE_CODES.shape, "an NDJSON record lacks a field every event has"],
  [STORE_CODES.write, "the store could not write (disk full, read-only, or an export failed)"],
  [STORE_CODES.vulns, "the vulnerability report is not Trivy JSON"],
  [STORE_CODES.capture, "an uploaded capture cannot be read; nothing was stored"],
]);

export type StoreCode = (typeof STORE_CODES)[keyof typeof STORE_CODES];

/** A store, ingest or report input problem: a stable code, a one-line message and a help line. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreCode,
    message: string,
    readonly help: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

