/**
 * The compiler's public face for the CLI and embedders (`nvp/compiler`): the pipeline's entry
 * points (check a policy from disk or from texts, compile a module), format a file, evaluate flows
 * with the reference evaluator, and the diagnostic catalog.
 */
import { codeTitles } from "../common/codes/catalog.js";
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

/** Every diagnostic code with its one-line title (docs/diagnostics.md, SARIF rules): common/codes/catalog.ts. */
export function diagnosticCatalog(): Map<string, string> {
  return codeTitles();
}
