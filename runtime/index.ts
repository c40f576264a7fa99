/**
 * The nvp runtime's public API: load a compiled policy module and enforce it.
 *
 *   const enforcer = new Enforcer(loadModule(readFileSync("policy.wasm")));
 *   enforcer.setInventory(inventory);
 *   enforcer.decide({ src: "10.0.0.5", dst: "10.0.0.9", proto: "tcp", port: 5432 });
 *
 *   const packets = new PacketEngine(module, { inventory });       // the packet path
 *   packets.process(captured); packets.drainEvents();              // verdicts, events (threats too)
 *
 * docs/module.md documents the module format, the ABI and every NV54xx error; docs/formats.md
 * "Events and flow records" the packet path.
 */
export { loadModule, engineInstance, type EngineExports, type PolicyModule, type LoadOptions, type ModuleSignature } from "./module.js";
export { Enforcer, type Decision, type EncodedFlows, type EnforcerStats } from "./enforcer.js";
export { NvpRuntimeError, MODULE_CODES, MODULE_CODE_CATALOG, type ModuleCode } from "./errors.js";
export {
  PacketEngine, emptyCounts, eventLine, DEFAULT_PACKET_SETTINGS, MALFORMED_REASONS,
  type PacketEngineOptions, type PacketInput, type VerdictCounts, type PacketSettings, type PacketSettingsInput,
  type PacketTimeouts, type PacketEvent, type PacketEndpoint, type PacketEventType, type FlowEndReason, type TcpState,
  type ThreatActionTaken, type MalformedReason, type PacketAction, type PacketStats, type PacketVerdict,
} from "./packets.js";
export { readThreatConfig, type ThreatConfig } from "./threat-config.js";
export type { ModuleMeta, MetaGroup } from "../common/abi-meta.js";
