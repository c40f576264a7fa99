/**
 * The nvp runtime's public API: load a compiled policy module and enforce it.
 *
 *   const enforcer = new Enforcer(loadModule(readFileSync("policy.wasm")));
 *   enforcer.setInventory(inventory);
 *   enforcer.decide({ src: "10.0.0.5", dst: "10.0.0.9", proto: "tcp", port: 5432 });
 *
 * docs/module.md documents the module format, the ABI and every NV54xx error.
 */
export { loadModule, type EngineExports, type PolicyModule } from "./module.js";
export { Enforcer, type Decision, type EncodedFlows, type EnforcerStats } from "./enforcer.js";
export { NvpRuntimeError, MODULE_CODES, MODULE_CODE_CATALOG, type ModuleCode } from "./errors.js";
export { readThreatConfig, type ThreatConfig } from "./threat-config.js";
export type { ModuleMeta, MetaGroup } from "../common/abi-meta.js";
