/**
 * One engine instance of a PolicyModule (its table in memory and validated: engineInstance), the
 * host regions placed after the table (inventory, then DNS), memory growth, and batched decisions
 * through the IO area.
 */
import * as A from "../common/abi.js";
import { engineStatusText, MODULE_CODES, NvpRuntimeError } from "./errors.js";
import { type EngineExports, engineInstance, type PolicyModule } from "./module.js";

export class EngineInstance {
  readonly ex: EngineExports;
  private invAt = 0;
  private invLen = 0;
  private dnsLen = 0;

  constructor(readonly module: PolicyModule) {
    this.ex = engineInstance(module).exports as unknown as EngineExports;
    this.invAt = align(this.ex.dynamicBase(), 64);
  }

  get memory(): WebAssembly.Memory {
    return this.ex.memory;
  }

  /** Make memory reach `end` bytes. */
  private reserve(end: number): void {
    const have = this.ex.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.ex.memory.grow(Math.ceil((end - have) / A.PAGE_SIZE));
    } catch (e) {
      throw new NvpRuntimeError(MODULE_CODES.memory, `the engine cannot grow its memory to ${end} bytes: ${(e as Error).message}`, "reduce the inventory or DNS table, or give the process more memory");
    }
  }

  private install(at: number, bytes: Uint8Array, set: (p: number, len: number) => number, what: "inventory" | "dns"): void {
    this.reserve(at + bytes.length + 64);
    new Uint8Array(this.ex.memory.buffer).set(bytes, at);
    const status = set(at, bytes.length);
    if (status !== A.E_OK) {
      const code = what === "inventory" ? MODULE_CODES.inventory : MODULE_CODES.dns;
      throw new NvpRuntimeError(code, `the engine rejected the ${what} region: ${engineStatusText(status)}`, "this is a bug in nvp; please report it");
    }
  }

  /** Install the inventory region; the DNS region, which follows it, must be installed again. */
  setInventory(bytes: Uint8Array): void {
    this.ex.setDns(0, 0);
    this.install(this.invAt, bytes, (p, l) => this.ex.setInventory(p, l), "inventory");
    this.invLen = bytes.length;
  }

  setDns(bytes: Uint8Array): void {
    this.install(align(this.invAt + this.invLen, 64), bytes, (p, l) => this.ex.setDns(p, l), "dns");
    this.dnsLen = bytes.length;
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
    return align(this.invAt + this.invLen, 64) + this.dnsLen;
  }
}

function align(x: number, n: number): number {
  return Math.ceil(x / n) * n;
}
