/**
 * The compiler's public face for the CLI and embedders (`nvp/compiler`): the pipeline's entry
 * points (check a policy from disk or from texts, compile a module), format a file, evaluate flows
 * with the reference evaluator, and the diagnostic catalog.
 */
import { INPUT_CODE_CATALOG } from "../common/codes/input.js";
import { MODULE_CODE_CATALOG } from "../common/codes/module.js";
import { LEARN_CODE_CATALOG } from "../common/codes/learn.js";
import { STORE_CODE_CATALOG } from "../common/codes/store.js";
import { INPUT_FILE_CODE_CATALOG } from "../common/input-file.js";
import { WRITE_CODE } from "../common/atomic-write.js";
import { KEY_CODE } from "../common/module-signature.js";
import { SYNTAX_CODES } from "../grammar/codes.js";
import { CHECK_CODES } from "./check/codes.js";
import { CRD_CODES } from "./crd/codes.js";
import { checkFiles, checkSources } from "./pipeline.js";

export { evaluate, type EvalContext } from "./reference/index.js";
export { formatText, type FormatResult } from "./fmt/index.js";
export { signModule } from "./emit/sign.js";
export {
  checkFiles, checkSources, compileFiles, compileModule, STAGES, DUMP_STAGES,
  type CheckedPolicy, type CheckOptions, type CompiledFiles, type CompiledModule, type CompileOptions, type DumpStage, type Stage, type StageTiming,
} from "./pipeline.js";
export type { PolicyModel } from "./model.js";

/** The former name of `checkFiles` (load, parse, check from disk), kept for the package's API. */
export const loadAndCheck = checkFiles;
/** The former name of `checkSources` (load, parse, check from texts): it never compiled a module. */
export const compileSources = checkSources;

/** Every diagnostic code with its one-line title (docs/diagnostics.md, SARIF rules). */
export function diagnosticCatalog(): Map<string, string> {
  const m = new Map<string, string>();
  for (const [code, info] of Object.entries(SYNTAX_CODES)) m.set(code, info.title);
  for (const [code, info] of Object.entries(CHECK_CODES)) m.set(code, info.title);
  for (const [code, info] of Object.entries(CRD_CODES)) m.set(code, info.title);
  for (const [code, title] of INPUT_CODE_CATALOG) m.set(code, title);
  for (const [code, title] of MODULE_CODE_CATALOG) m.set(code, title);
  for (const [code, title] of STORE_CODE_CATALOG) m.set(code, title);
  for (const [code, title] of LEARN_CODE_CATALOG) m.set(code, title);
  for (const [code, title] of INPUT_FILE_CODE_CATALOG) m.set(code, title);
  m.set(WRITE_CODE, "an output file could not be written; the original is unchanged");
  m.set(KEY_CODE, "a --sign or --public-key file is not a usable Ed25519 key");
  return m;
}

