/**
 * The nvp runtime's public API: load a compiled policy module and enforce it. This is the package
 * entry `nvp/runtime`: an enforcer imports it without the compiler (no Chevrotain, nothing from
 * compiler/ or grammar/; test/package/packed.test.ts checks the packed package), so keep what both
 * sides need in common/.
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
export { loadModule, engineInstance, type EngineExports, type PolicyModule, type LoadOptions, type ModuleSignature } from "./module/load.js";
export { Enforcer, type Decision, type EncodedFlows, type EnforcerStats } from "./flow/enforcer.js";
export { NvpRuntimeError, MODULE_CODES, MODULE_CODE_CATALOG, type ModuleCode } from "./errors.js";
export {
  PacketEngine, emptyCounts, eventLine, DEFAULT_PACKET_SETTINGS, MALFORMED_REASONS,
  type PacketEngineOptions, type PacketInput, type VerdictCounts, type PacketSettings, type PacketSettingsInput,
  type PacketTimeouts, type PacketEvent, type PacketEndpoint, type PacketEventType, type FlowEndReason, type TcpState,
  type ThreatActionTaken, type MalformedReason, type PacketAction, type PacketStats, type PacketVerdict,
} from "./packet/engine.js";
export { readThreatConfig, type ThreatConfig } from "./threat-config.js";
export type { ModuleMeta, MetaGroup } from "../common/abi-meta.js";
export { readCapture, type CaptureReader, type CaptureSource } from "./capture/read.js";
export { parseCaptureBuffer, type ParsedCapture } from "./capture/parse-buffer.js";
export type { CapturePacket, CaptureSummary, CaptureInterface, CaptureError, CaptureErrorKind, ReadCaptureOptions } from "./capture/types.js";
export { loadInventory, inventoryFromValue, type InventorySource, type LoadedInventory } from "./inventory/load.js";
export type { Action, DnsTable, Flow, Inventory, LookupResult, Mode, Verdict, Workload } from "../common/schema.js";
