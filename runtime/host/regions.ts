/**
 * The host regions an engine instance keeps in its memory after the engine's own data: the
 * inventory region at a fixed offset, then the DNS region after it (64-byte aligned), and memory
 * growth to hold them, for the host core (runtime/host/core.ts) that both host APIs stand on.
 */
import * as A from "../../common/abi.js";
import { engineStatusText, MODULE_CODES, NvpRuntimeError } from "../errors.js";
import type { EngineExports } from "../module/load.js";

export function align(x: number, n: number): number {
  return Math.ceil(x / n) * n;
}

/** Make `memory` reach `end` bytes; `help` says what to lower when it cannot grow. */
export function reserveMemory(memory: WebAssembly.Memory, end: number, help: string): void {
  const have = memory.buffer.byteLength;
  if (end <= have) return;
  try {
    memory.grow(Math.ceil((end - have) / A.PAGE_SIZE));
  } catch (e) {
    throw new NvpRuntimeError(MODULE_CODES.memory, `the engine cannot grow its memory to ${end} bytes: ${(e as Error).message}`, help);
  }
}

export class HostRegions {
  private invLen = 0;
  private dnsLen = 0;

  /** `invAt`: where the inventory region starts; `memoryHelp`: the help when memory cannot grow. */
  constructor(
    private readonly ex: EngineExports,
    private readonly invAt: number,
    private readonly memoryHelp: string,
  ) {}

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

  /** The end of the DNS region: bytes of memory in use up to it. */
  get end(): number {
    return align(this.invAt + this.invLen, 64) + this.dnsLen;
  }

  private install(at: number, bytes: Uint8Array, set: (p: number, len: number) => number, what: "inventory" | "dns"): void {
    reserveMemory(this.ex.memory, at + bytes.length + 64, this.memoryHelp);
    new Uint8Array(this.ex.memory.buffer).set(bytes, at);
    const status = set(at, bytes.length);
    if (status !== A.E_OK) {
      const code = what === "inventory" ? MODULE_CODES.inventory : MODULE_CODES.dns;
      throw new NvpRuntimeError(code, `the engine rejected the ${what} region: ${engineStatusText(status)}`, "this is a bug in nvp; please report it");
    }
  }
}
