/**
 * Stable codes of the event files `nvp learn` reads (NV55xx; docs/diagnostics.md), with their
 * titles for SARIF and the diagnostic catalog. Here, not in runtime/learn/, so that the compiler's
 * catalog can list them without importing the runtime.
 */

export const LEARN_CODES = {
  syntax: "NV5501",
  shape: "NV5502",
} as const;

export const LEARN_CODE_CATALOG: ReadonlyMap<string, string> = new Map([
  [LEARN_CODES.syntax, "event file line is not valid JSON"],
  [LEARN_CODES.shape, "event lacks a field learning needs, or has the wrong type"],
]);
