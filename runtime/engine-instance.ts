/**
 * One engine instance of a PolicyModule (its table in memory and validated: engineInstance), the
 * host regions placed after the table (inventory, then DNS), memory growth, and batched decisions
 * through the IO area.
 */
import { engineStatusText, MODULE_CODES, NvpRuntimeError } from "./errors.js";
import { align, HostRegions } from "./host-regions.js";
import { type EngineExports, engineInstance, type PolicyModule } from "./module.js";

export class EngineInstance {
  readonly ex: EngineExports;
  private readonly regions: HostRegions;

  constructor(readonly module: PolicyModule) {
    this.ex = engineInstance(module).exports as unknown as EngineExports;
    this.regions = new HostRegions(this.ex, align(this.ex.dynamicBase(), 64), "reduce the inventory or DNS table, or give the process more memory");
  }

  get memory(): WebAssembly.Memory {
    return this.ex.memory;
  }

  /** Install the inventory region; the DNS region, which follows it, must be installed again. */
  setInventory(bytes: Uint8Array): void {
    this.regions.setInventory(bytes);
  }

  setDns(bytes: Uint8Array): void {
    this.regions.setDns(bytes);
  }

  /** The address class of an address (for folding address groups into inventory classes). */
  addrClass(ip: bigint): number {
    return this.ex.addrClass(BigInt.asUintN(64, ip), ip >> 64n);
  }

  /** Decide `n` records already written at FLOW_BASE (host bytes in the arena). */
  run(n: number): void {
    const r = this.ex.decideMany(n);
    if (r !== n) throw new NvpRuntimeError(MODULE_CODES.flow, `the engine refused the batch: ${engineStatusText(-r)}`, "this is a bug in nvp; please report it");
  }

  /** Bytes of linear memory in use by the table, scratch and regions. */
  get usedBytes(): number {
    return this.regions.end;
  }
}
