/**
 * Stable codes of the event files `nvp learn` reads (NV55xx; docs/diagnostics.md), with their
 * titles for SARIF and the diagnostic catalog. Here, not in runtime/learn/, so that the catalog
 * (catalog.ts) lists them without importing the runtime.
 */
import type { CodeTable } from "./code-info.js";

export const LEARN_CODES = {
  syntax: "NV5501",
  shape: "NV5502",
} as const;

/** Code → severity and title (the catalog, common/codes/catalog.ts). */
export const LEARN_CODE_INFO: CodeTable = {
  [LEARN_CODES.syntax]: { severity: "error", title: "event file line is not valid JSON" },
  [LEARN_CODES.shape]: { severity: "error", title: "event lacks a field learning needs, or has the wrong type" },
};
