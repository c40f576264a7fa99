/**
 * One engine instance running the packet path: the module's engine with its table, then, from
 * dynamicBase(), the packet region (sized by the engine from the settings), the inventory region
 * and the DNS region. The packet region comes first so the host regions can grow without moving
 * it; its size is fixed for the instance's life.
 */
import * as A from "../../common/abi.js";
import * as P from "../../common/abi-packet.js";
import { engineStatusText, MODULE_CODES, NvpRuntimeError } from "../errors.js";
import { align, HostRegions, reserveMemory } from "../host-regions.js";
import { type EngineExports, engineInstance, type PolicyModule } from "../module.js";
import { buildPatternTable } from "./dns.js";
import { type PacketSettings, writeSettings } from "./settings.js";

export interface PacketExports extends EngineExports {
  packetAbiVersion(): number;
  pktNeed(p: number): number;
  pktInit(p: number, len: number): number;
  pktPatterns(): number;
  pktExternalIps(n: number): number;
  pktProcess(from: number, n: number): number;
  pktTick(ts: bigint): number;
  pktFlush(max: number): number;
}

const PACKET_FUNCTIONS = ["packetAbiVersion", "pktNeed", "pktInit", "pktPatterns", "pktExternalIps", "pktProcess", "pktTick", "pktFlush"];
const REBUILD = "rebuild the module with this version of `nvp compile`";
const MEMORY_HELP = "lower the packet settings (flows, prefixSlots, events) or give the process more memory";

/** Offsets (absolute) of the packet region's areas. */
export interface PacketAreas {
  base: number;
  length: number;
  desc: number;
  data: number;
  verdicts: number;
  events: number;
  counters: number;
  dnsNames: number;
  patterns: number;
  externalIps: number;
}

export class PacketInstance {
  readonly ex: PacketExports;
  readonly areas: PacketAreas;
  private readonly regions: HostRegions;

  constructor(
    readonly module: PolicyModule,
    readonly settings: PacketSettings,
  ) {
    const instance = engineInstance(module);
    const ex = instance.exports as Record<string, unknown>;
    const missing = PACKET_FUNCTIONS.find((f) => typeof ex[f] !== "function");
    if (missing) throw new NvpRuntimeError(MODULE_CODES.engine, `the module's engine has no packet path (\`${missing}\` is missing)`, REBUILD);
    this.ex = ex as unknown as PacketExports;
    if (this.ex.packetAbiVersion() !== P.PACKET_ABI_VERSION) {
      throw new NvpRuntimeError(MODULE_CODES.abi, `the module's packet path has ABI version ${this.ex.packetAbiVersion()}, this runtime needs ${P.PACKET_ABI_VERSION}`, REBUILD);
    }
    const status = this.ex.init(module.meta.table.base, module.meta.table.length);
    if (status !== A.E_OK) throw new NvpRuntimeError(MODULE_CODES.rejected, `the engine rejected the decision table: ${engineStatusText(status)}`, REBUILD);
    const base = align(this.ex.dynamicBase(), 64);
    const patterns = buildPatternTable(module.meta.groups);
    reserveMemory(this.ex.memory, base + P.PH_SIZE, MEMORY_HELP);
    writeSettings(new DataView(this.ex.memory.buffer), base, settings, patterns.length);
    const need = this.ex.pktNeed(base);
    if (need === 0) throw new NvpRuntimeError(MODULE_CODES.engine, "the engine refused the packet settings", "use settings within the documented limits");
    reserveMemory(this.ex.memory, base + need + 64, MEMORY_HELP);
    const init = this.ex.pktInit(base, need);
    if (init !== A.E_OK) throw new NvpRuntimeError(MODULE_CODES.engine, `the engine refused the packet region: ${engineStatusText(init)}`, "this is a bug in nvp; please report it");
    const view = new DataView(this.ex.memory.buffer);
    const at = (f: number) => base + view.getUint32(base + f, true);
    this.areas = {
      base,
      length: need,
      desc: at(P.PH_DESC),
      data: at(P.PH_DATA),
      verdicts: at(P.PH_VERDICTS),
      events: at(P.PH_EVENTS),
      counters: at(P.PH_COUNTERS),
      dnsNames: at(P.PH_DNS_NAMES),
      patterns: at(P.PH_PATTERNS),
      externalIps: at(P.PH_EXT_IPS),
    };
    new Uint8Array(this.ex.memory.buffer).set(patterns, this.areas.patterns);
    if (this.ex.pktPatterns() !== A.E_OK) throw new NvpRuntimeError(MODULE_CODES.engine, "the engine refused the DNS pattern table", "this is a bug in nvp; please report it");
    this.regions = new HostRegions(this.ex, align(base + need, 64), MEMORY_HELP);
  }

  get memory(): WebAssembly.Memory {
    return this.ex.memory;
  }

  /** A DataView of the whole memory (renewed: memory growth detaches the old buffer). */
  view(): DataView {
    return new DataView(this.ex.memory.buffer);
  }

  /** The inventory region; the DNS region, which follows it, must be installed again after. */
  setInventory(bytes: Uint8Array): void {
    this.regions.setInventory(bytes);
  }

  /** The Service externalIPs (sorted, distinct, at most settings.externalIps). */
  setExternalIps(ips: readonly bigint[]): void {
    const view = this.view();
    ips.forEach((ip, i) => {
      const at = this.areas.externalIps + i * P.EXT_IP_SIZE;
      view.setBigUint64(at, BigInt.asUintN(64, ip), true);
      view.setBigUint64(at + 8, ip >> 64n, true);
    });
    const status = this.ex.pktExternalIps(ips.length);
    if (status !== A.E_OK) throw new NvpRuntimeError(MODULE_CODES.inventory, `the engine rejected the Service externalIPs: ${engineStatusText(status)}`, "this is a bug in nvp; please report it");
  }

  setDns(bytes: Uint8Array): void {
    this.regions.setDns(bytes);
  }

  addrClass(ip: bigint): number {
    return this.ex.addrClass(BigInt.asUintN(64, ip), ip >> 64n);
  }

  /** Bytes in use: table, scratch, packet region, inventory and DNS regions. */
  get usedBytes(): number {
    return this.regions.end;
  }
}
