/**
 * The one shape of a diagnostic code's entry in the catalog (common/codes/catalog.ts): its
 * severity, declared here once (docs/diagnostics.md and every call site are checked against it by
 * test/docs/diagnostic-catalog.test.ts), and a one-line title for SARIF rules and the docs.
 */
export type CodeSeverity = "error" | "warning";

export interface CodeInfo {
  severity: CodeSeverity;
  title: string;
  /** A general hint for SARIF's rule help; each diagnostic still carries its own `help:` line. */
  help?: string;
}

/** Code (`NV2103`) → its entry. */
export type CodeTable = Readonly<Record<string, CodeInfo>>;

/** Code → title, the form SARIF and the former `*_CODE_CATALOG` maps take. */
export function titles(table: CodeTable): ReadonlyMap<string, string> {
  return new Map(Object.entries(table).map(([code, info]) => [code, info.title]));
}
