/**
 * The packet path's region in an engine instance: placed by the host core (runtime/host/core.ts)
 * right after the engine's own data, before the inventory and DNS regions, so those can grow
 * without moving it; sized by the engine from the settings and fixed for the instance's life.
 * Then the DNS pattern table the engine snoops by, and the Service externalIPs.
 */
import * as A from "../../common/abi.js";
import * as P from "../../common/abi-packet.js";
import { engineStatusText, MODULE_CODES, NvpRuntimeError } from "../errors.js";
import { reserveMemory } from "../host/regions.js";
import type { EngineExports } from "../module/bind.js";
import type { PolicyModule } from "../module/policy-module.js";
import { buildPatternTable } from "./dns.js";
import { type PacketSettings, writeSettings } from "./settings.js";

const MEMORY_HELP = "lower the packet settings (flows, prefixSlots, events) or give the process more memory";
const BUG = "this is a bug in nvp; please report it";

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

/**
 * Lay the packet region out at `base` (64-aligned) in `ex`'s memory for `module` and `settings`:
 * the engine sizes and initialises it and gets the pattern table. Returns its areas.
 */
export function placePacketRegion(ex: EngineExports, base: number, module: PolicyModule, settings: PacketSettings): PacketAreas {
  const patterns = buildPatternTable(module.meta.groups);
  reserveMemory(ex.memory, base + P.PH_SIZE, MEMORY_HELP);
  writeSettings(new DataView(ex.memory.buffer), base, settings, patterns.length);
  const need = ex.pktNeed(base);
  if (need === 0) throw new NvpRuntimeError(MODULE_CODES.engine, "the engine refused the packet settings", "use settings within the documented limits");
  reserveMemory(ex.memory, base + need + 64, MEMORY_HELP);
  const init = ex.pktInit(base, need);
  if (init !== A.E_OK) throw new NvpRuntimeError(MODULE_CODES.engine, `the engine refused the packet region: ${engineStatusText(init)}`, BUG);
  const view = new DataView(ex.memory.buffer);
  const at = (f: number) => base + view.getUint32(base + f, true);
  const areas: PacketAreas = {
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
  new Uint8Array(ex.memory.buffer).set(patterns, areas.patterns);
  if (ex.pktPatterns() !== A.E_OK) throw new NvpRuntimeError(MODULE_CODES.engine, "the engine refused the DNS pattern table", BUG);
  return areas;
}

/** Install the Service externalIPs (sorted, distinct, at most settings.externalIps). */
export function setExternalIps(ex: EngineExports, areas: PacketAreas, ips: readonly bigint[]): void {
  const view = new DataView(ex.memory.buffer);
  ips.forEach((ip, i) => {
    const at = areas.externalIps + i * P.EXT_IP_SIZE;
    view.setBigUint64(at, BigInt.asUintN(64, ip), true);
    view.setBigUint64(at + 8, ip >> 64n, true);
  });
  const status = ex.pktExternalIps(ips.length);
  if (status !== A.E_OK) throw new NvpRuntimeError(MODULE_CODES.inventory, `the engine rejected the Service externalIPs: ${engineStatusText(status)}`, BUG);
}
