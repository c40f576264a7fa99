/**
 * The `nvp` package: the runtime an enforcer embeds (load a compiled module, enforce it) and the
 * compiler a build tool embeds (check a policy, compile it). `import { Enforcer, loadModule } from "nvp"`;
 * the packet path (verdicts, events, threats) is `PacketEngine`.
 */
export * from "./runtime/index.js";
export { loadInventory, type InventorySource, type LoadedInventory } from "./runtime/inventory/index.js";
export { loadAndCheck, compileSources, compileModule, evaluate, formatText, diagnosticCatalog } from "./compiler/index.js";
export type { CheckedPolicy, EvalContext, PolicyModel, CompiledModule } from "./compiler/index.js";
export { renderAll, renderDiagnostic, type Diagnostic } from "./common/diagnostics.js";
export type { Action, DnsTable, Flow, Inventory, LookupResult, Mode, Verdict, Workload } from "./common/schema.js";
