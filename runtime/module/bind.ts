/**
 * The one binding of an engine instance's exports: every function common/abi-exports.ts declares,
 * present with its declared arity, the memory, and the engine's ABI versions (decision table and
 * packet path) equal to this runtime's, all checked once here, as OPA's SDK binds its wasm
 * exports once. Everything else in the runtime calls the engine through the typed result.
 */
import { ABI_VERSION, ENGINE_STATIC_MAX } from "../../common/abi.js";
import { PACKET_ABI_VERSION } from "../../common/abi-packet.js";
import { ALL_EXPORTS, type BoundExports, MEMORY_EXPORT } from "../../common/abi-exports.js";
import { refuse } from "../errors.js";

/** An engine instance's exports, typed from common/abi-exports.ts: decisions and the packet path. */
export type EngineExports = BoundExports<typeof ALL_EXPORTS>;

const REBUILD = "rebuild it with this version of `nvp compile`";

/** Check and type `instance`'s exports; refuses (NV54xx) an engine this runtime cannot drive. */
export function bindExports(instance: WebAssembly.Instance): EngineExports {
  const ex = instance.exports;
  for (const [name, sig] of Object.entries(ALL_EXPORTS)) {
    const f = ex[name];
    if (typeof f !== "function") refuse("engine", `the module's engine lacks \`${name}\``, REBUILD);
    if (f.length !== sig.params.length) {
      refuse("engine", `the module's engine export \`${name}\` takes ${f.length} parameters, this runtime passes ${sig.params.length}`, REBUILD);
    }
  }
  if (!(ex[MEMORY_EXPORT] instanceof WebAssembly.Memory)) refuse("engine", `the module's engine lacks \`${MEMORY_EXPORT}\``, REBUILD);
  const engine = ex as unknown as EngineExports;
  if (engine.abiVersion() !== ABI_VERSION) {
    refuse("abi", `the module's engine has ABI version ${engine.abiVersion()}, this runtime needs ${ABI_VERSION}`, REBUILD);
  }
  if (engine.packetAbiVersion() !== PACKET_ABI_VERSION) {
    refuse("abi", `the module's packet path has ABI version ${engine.packetAbiVersion()}, this runtime needs ${PACKET_ABI_VERSION}`, REBUILD);
  }
  if (engine.heapBase() > ENGINE_STATIC_MAX) refuse("engine", "the module's engine static data overlaps the IO area", REBUILD);
  return engine;
}
