/**
 * The compiler's public face for the CLI and embedders: load + check a policy from disk, format a
 * file, evaluate flows with the reference evaluator, and the diagnostic catalog.
 */
import { resolve } from "node:path";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../common/diagnostics.js";
import { INPUT_CODE_CATALOG } from "../runtime/input/codes.js";
import { MODULE_CODE_CATALOG } from "../runtime/errors.js";
import { LEARN_CODE_CATALOG } from "../runtime/learn/connections.js";
import { INPUT_FILE_CODE_CATALOG } from "../common/input-file.js";
import { WRITE_CODE } from "../common/atomic-write.js";
import { KEY_CODE } from "../common/module-signature.js";
import { SYNTAX_CODES } from "../grammar/codes.js";
import { CHECK_CODES } from "./check/codes.js";
import { CRD_CODES } from "./crd/codes.js";
import { checkPolicy } from "./check/check.js";
import { loadPolicy, nodeFs } from "./check/load.js";
import type { PolicyModel } from "./model.js";

export { evaluate, type EvalContext } from "./reference/index.js";
export { compileSources } from "./check/compile-sources.js";
export { formatText, type FormatResult } from "./fmt/index.js";
export { signModule } from "./emit/sign.js";
export { compileModule, DUMP_STAGES, type DumpStage, type CompiledModule } from "./emit/compile-module.js";
export type { PolicyModel } from "./model.js";

export interface CheckedPolicy {
  model?: PolicyModel;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  /** An entry file could not be read: a usage/I-O problem (exit 2), not a finding. */
  ioError: boolean;
}

/** Load `files` (and their imports) from disk relative to `cwd`, and check them as one policy. */
export function loadAndCheck(files: readonly string[], opts: { params?: Record<string, string>; cwd?: string } = {}): CheckedPolicy {
  const cwd = opts.cwd ?? process.cwd();
  const fs = { readFile: (p: string) => nodeFs.readFile(resolve(cwd, p)) };
  const loaded = loadPolicy(files, { fs });
  // An entry file that cannot be read (missing, a directory, too large or endless): exit 2, not 1.
  const ioError = loaded.diagnostics.some((d) => !d.span && (d.code === "NV2001" || d.code === "NV0004" || d.code.startsWith("NV500")));
  if (hasErrors(loaded.diagnostics)) {
    return { diagnostics: sortDiagnostics(loaded.diagnostics), sources: loaded.sources, ioError };
  }
  const checked = checkPolicy(loaded.files, { params: { ...(opts.params ?? {}) } });
  const out: CheckedPolicy = {
    // The checker's are sorted already; a second sort of 100k warnings is not free.
    diagnostics: loaded.diagnostics.length === 0 ? checked.diagnostics : sortDiagnostics([...loaded.diagnostics, ...checked.diagnostics]),
    sources: loaded.sources,
    ioError,
  };
  if (checked.model) out.model = checked.model;
  return out;
}

/** Every diagnostic code with its one-line title (docs/diagnostics.md, SARIF rules). */
export function diagnosticCatalog(): Map<string, string> {
  const m = new Map<string, string>();
  for (const [code, info] of Object.entries(SYNTAX_CODES)) m.set(code, info.title);
  for (const [code, info] of Object.entries(CHECK_CODES)) m.set(code, info.title);
  for (const [code, info] of Object.entries(CRD_CODES)) m.set(code, info.title);
  for (const [code, title] of INPUT_CODE_CATALOG) m.set(code, title);
  for (const [code, title] of MODULE_CODE_CATALOG) m.set(code, title);
  for (const [code, title] of LEARN_CODE_CATALOG) m.set(code, title);
  for (const [code, title] of INPUT_FILE_CODE_CATALOG) m.set(code, title);
  m.set(WRITE_CODE, "an output file could not be written; the original is unchanged");
  m.set(KEY_CODE, "a --sign or --public-key file is not a usable Ed25519 key");
  return m;
}

