/**
 * The `nvp` package: the runtime an enforcer embeds (load a compiled module, enforce it) and the
 * compiler a build tool embeds (check a policy, compile it). `import { Enforcer, loadModule } from "nvp"`;
 * the packet path (verdicts, events, threats) is `PacketEngine`. The two halves are also entries of
 * their own: `nvp/runtime` (no compiler, no Chevrotain) and `nvp/compiler`.
 */
export * from "./runtime/index.js";
export { checkFiles, checkSources, compileFiles, compileModule, evaluate, formatText, diagnosticCatalog, loadAndCheck, compileSources } from "./compiler/index.js";
export type { CheckedPolicy, CompiledFiles, EvalContext, PolicyModel, CompiledModule } from "./compiler/index.js";
export { renderAll, renderDiagnostic, type Diagnostic } from "./common/diagnostics.js";
