/**
 * The diagnostic code catalog: every code nvp reports, from every layer, with its severity and
 * title declared once, in the phase files beside this one. Each layer imports its codes from
 * common/codes/ and nothing else, so gathering them needs no import between compiler/ and runtime/.
 * docs/diagnostics.md (and formats.md for NV51xx–NV53xx) is checked against it, row by row, by
 * test/docs/diagnostic-catalog.test.ts; SARIF rule titles come from it.
 */
import type { CodeInfo, CodeTable } from "./code-info.js";
import { CHECK_CODES } from "./check.js";
import { CRD_CODES } from "./crd.js";
import { INPUT_CODES } from "./input.js";
import { IO_CODE_INFO } from "./io.js";
import { LEARN_CODE_INFO } from "./learn.js";
import { MODULE_CODE_INFO } from "./module.js";
import { STORE_CODE_INFO } from "./store.js";
import { SYNTAX_CODES } from "./syntax.js";

export type { CodeInfo, CodeSeverity, CodeTable } from "./code-info.js";

/** The phase tables, by the ranges docs/diagnostics.md names. */
export const CODE_TABLES: Readonly<Record<string, CodeTable>> = {
  "NV0xxx-NV1xxx reading, lexing and syntax": SYNTAX_CODES,
  "NV2xxx loading, names, values and lints": CHECK_CODES,
  "NV50xx reading inputs and writing outputs": IO_CODE_INFO,
  "NV51xx-NV53xx runtime inputs": INPUT_CODES,
  "NV54xx modules and the enforcer": MODULE_CODE_INFO,
  "NV55xx event files for learning": LEARN_CODE_INFO,
  "NV56xx the flow store": STORE_CODE_INFO,
  "NV6xxx NeuVector CRD import and export": CRD_CODES,
};

function gather(): ReadonlyMap<string, CodeInfo> {
  const all = new Map<string, CodeInfo>();
  for (const [phase, table] of Object.entries(CODE_TABLES)) {
    for (const [code, info] of Object.entries(table)) {
      // A code in two tables would have two severities: the one thing this catalog exists to prevent.
      if (all.has(code)) throw new Error(`diagnostic code ${code} is declared twice (again in ${phase})`);
      all.set(code, info);
    }
  }
  return new Map([...all].sort(([a], [b]) => a.localeCompare(b)));
}

/** Every code, sorted, with its severity and title. */
export const CODE_CATALOG: ReadonlyMap<string, CodeInfo> = gather();

/** Code → title, for SARIF rule descriptions (`nvp check --format sarif`). */
export function codeTitles(): Map<string, string> {
  return new Map([...CODE_CATALOG].map(([code, info]) => [code, info.title]));
}
