/**
 * The packet-path host API: a PacketEngine runs a policy module's engine over packets (IP packets
 * inside captured frames, as runtime/capture delivers them), keeps the inventory and DNS regions
 * up to date, and hands out per-packet verdicts, typed events and counters.
 *
 *   const engine = new PacketEngine(loadModule(bytes), { inventory });
 *   const verdicts = engine.process(parseCaptureBuffer(pcap).packets);
 *   for (const e of engine.drainEvents()) console.log(eventLine(e));
 *   engine.flush();            // end every flow: flow-end records
 *
 * docs/formats.md "Events and flow records" documents verdicts, events, counters and bounds.
 */
import * as P from "../common/abi-packet.js";
import { parseIp } from "../common/ip.js";
import { emptyInventory, type Inventory } from "../common/schema.js";
import type { Enforcer } from "./enforcer.js";
import { MODULE_CODES, NvpRuntimeError, engineStatusText } from "./errors.js";
import { buildInventoryRegion } from "./inventory-region.js";
import { MembershipMatcher } from "./membership.js";
import type { PolicyModule } from "./module.js";
import { buildDnsRegion, readSnooped } from "./packet/dns.js";
import { externalIpList } from "./packet/external-ips.js";
import { decodeEvent, EndpointNamer, type PacketEvent } from "./packet/events.js";
import { PacketInstance } from "./packet/instance.js";
import { type PacketSettings, type PacketSettingsInput, resolveSettings } from "./packet/settings.js";
import { decodeVerdict, type PacketAction, type PacketStats, type PacketVerdict, readStats, verdictKey } from "./packet/stats.js";
import { TableView } from "./table-view.js";

export { DEFAULT_PACKET_SETTINGS, type PacketSettings, type PacketSettingsInput, type PacketTimeouts } from "./packet/settings.js";
export { eventLine, type PacketEvent, type PacketEndpoint, type PacketEventType, type FlowEndReason, type TcpState, type ThreatActionTaken } from "./packet/events.js";
export { MALFORMED_REASONS, type MalformedReason, type PacketAction, type PacketStats, type PacketVerdict } from "./packet/stats.js";

/** One packet: its frame, where the IP header starts (-1: none), capture time in ns. */
export interface PacketInput {
  data: Uint8Array;
  l3Offset: number;
  ts: bigint;
  /** Bytes on the wire (the frame's original length), when the capture was cut short. */
  originalLength?: number;
}

export interface PacketEngineOptions {
  inventory?: Inventory;
  settings?: PacketSettingsInput;
  /** Events kept for drainEvents() (default 65536); more are counted as dropped. */
  eventQueue?: number;
}

/** What feed() saw: packets by verdict action. */
export type VerdictCounts = Record<PacketAction, number>;

export class PacketEngine {
  readonly settings: PacketSettings;
  private readonly inst: PacketInstance;
  private readonly table: TableView;
  private readonly matcher: MembershipMatcher;
  private namer: EndpointNamer;
  private readonly hostNames = new Map<string, bigint[]>();
  /** Events decoded ahead of drainEvents (before an inventory change). */
  private early: PacketEvent[] = [];
  private snooped = new Map<string, bigint[]>();
  private dnsGen = 0;
  /** Raw EV_SIZE records moved out of the engine's ring, decoded by drainEvents(). */
  private raw = new Uint8Array(0);
  private rawCount = 0;
  private readonly queueCap: number;
  private hostDropped = 0;

  constructor(
    readonly module: PolicyModule,
    options: PacketEngineOptions = {},
  ) {
    this.settings = resolveSettings(options.settings);
    this.queueCap = options.eventQueue ?? 65536;
    this.inst = new PacketInstance(module, this.settings);
    this.table = new TableView(module.table, module.meta);
    this.matcher = new MembershipMatcher(module.meta.groups, module.meta.settings.defaultMode);
    this.namer = new EndpointNamer(module.meta.groups, emptyInventory(), this.matcher);
    this.setInventory(options.inventory ?? emptyInventory());
  }

  /** A packet engine for an Enforcer's module (its own engine instance) with that inventory. */
  static forEnforcer(enforcer: Enforcer, inventory: Inventory, options: Omit<PacketEngineOptions, "inventory"> = {}): PacketEngine {
    return new PacketEngine(enforcer.module, { ...options, inventory });
  }

  setInventory(inv: Inventory): void {
    // Events already out of the engine are named with the inventory they happened under.
    const pending = this.rawCount ? this.decodeQueued() : [];
    this.early.push(...pending);
    const external = externalIpList(inv, this.settings.externalIps);
    const image = buildInventoryRegion(inv, this.table, this.matcher, (ip) => this.inst.addrClass(ip));
    this.inst.setInventory(image.bytes);
    this.inst.setExternalIps(external);
    this.namer = new EndpointNamer(this.module.meta.groups, inv, this.matcher);
    this.installDns();
  }

  /** Host-provided resolutions, used beside the snooped ones (docs/semantics.md S6). */
  addDnsResolution(name: string, ips: readonly string[]): void {
    if (typeof name !== "string" || name.trim() === "") throw new NvpRuntimeError(MODULE_CODES.dns, `DNS name \`${String(name)}\` is empty`, "give the name that was resolved");
    const parsed = ips.map((t) => {
      const ip = typeof t === "string" ? parseIp(t.trim()) : null;
      if (ip === null) throw new NvpRuntimeError(MODULE_CODES.dns, `DNS address \`${String(t)}\` for \`${name}\` is not an IP address`, "give IPv4 or IPv6 addresses");
      return ip;
    });
    const key = name.trim().toLowerCase().replace(/\.$/, "");
    this.hostNames.set(key, [...new Set([...(this.hostNames.get(key) ?? []), ...parsed])]);
    this.installDns();
  }

  private installDns(): void {
    this.inst.setDns(buildDnsRegion(this.module.meta.groups, this.table, this.hostNames, this.snooped));
    const all = new Map<string, bigint[]>(this.hostNames);
    for (const [n, ips] of this.snooped) all.set(n, [...new Set([...(all.get(n) ?? []), ...ips])]);
    this.namer.setResolutions(all);
  }

  /** The snooped table changed: read it back and rebuild the DNS region. */
  private refreshDns(): void {
    const view = this.inst.view();
    const a = this.inst.areas;
    this.dnsGen = view.getUint32(a.base + P.PH_DNS_GEN, true);
    this.snooped = readSnooped(view, a.dnsNames, this.settings.dnsNames, view.getBigUint64(a.base + P.PH_NOW, true));
    this.installDns();
  }

  private dnsChanged(): boolean {
    return this.inst.view().getUint32(this.inst.areas.base + P.PH_DNS_GEN, true) !== this.dnsGen;
  }

  /** Copy packets[i..] into the batch area; returns how many went in. */
  private load(packets: readonly PacketInput[], i: number): number {
    const a = this.inst.areas;
    const s = this.settings;
    const mem = new Uint8Array(this.inst.memory.buffer);
    const view = new DataView(this.inst.memory.buffer);
    let n = 0;
    let bytes = 0;
    while (i + n < packets.length && n < s.batchPackets) {
      const p = packets[i + n] as PacketInput;
      const data = p.data;
      const l3 = p.l3Offset;
      const ok = Number.isInteger(l3) && l3 >= 0 && l3 <= data.length;
      // The whole frame goes in (no view per packet); the descriptor points at its IP header.
      const frame = ok ? Math.min(data.length, s.batchBytes) : 0;
      if (bytes + frame > s.batchBytes) break;
      if (frame === data.length) mem.set(data, a.data + bytes);
      else if (frame > 0) mem.set(data.subarray(0, frame), a.data + bytes);
      const d = a.desc + n * P.PD_SIZE;
      view.setBigUint64(d + P.PD_TS, p.ts >= 0n ? p.ts : BigInt.asUintN(64, p.ts), true);
      view.setUint32(d + P.PD_OFF, bytes + (ok ? Math.min(l3, frame) : 0), true);
      view.setUint32(d + P.PD_LEN, ok ? Math.max(0, frame - l3) : 0, true);
      const wire = ok && p.originalLength !== undefined ? Math.max(0, p.originalLength - l3) : 0;
      view.setUint32(d + P.PD_WIRE, wire >>> 0, true);
      view.setUint32(d + P.PD_FLAGS, ok ? 0 : P.PDF_NOT_IP, true);
      bytes += (frame + 7) & ~7;
      n++;
    }
    return n;
  }

  /** Run `n` loaded packets, rebuilding the DNS region whenever snooping changed it. */
  private runLoaded(n: number): void {
    let at = 0;
    while (at < n) {
      const r = this.inst.ex.pktProcess(at, n);
      if (r < 0) throw new NvpRuntimeError(MODULE_CODES.flow, `the engine refused the packet batch: ${engineStatusText(-r)}`, "this is a bug in nvp; please report it");
      at = r;
      if (this.dnsChanged()) this.refreshDns();
    }
    this.drainRing();
  }

  private each(packets: readonly PacketInput[], per: (view: DataView, at: number) => void): void {
    let i = 0;
    while (i < packets.length) {
      const n = this.load(packets, i);
      this.runLoaded(n);
      const view = this.inst.view();
      for (let k = 0; k < n; k++) per(view, this.inst.areas.verdicts + k * P.PV_SIZE);
      i += n;
    }
  }

  /** Process packets in order; one verdict per packet. */
  process(packets: readonly PacketInput[]): PacketVerdict[] {
    const out: PacketVerdict[] = [];
    this.each(packets, (view, at) => out.push(decodeVerdict(view, at)));
    return out;
  }

  /** Process packets without building verdict objects (replays, benchmarks): counts by action. */
  feed(packets: readonly PacketInput[], counts: VerdictCounts = emptyCounts()): VerdictCounts {
    this.each(packets, (view, at) => {
      counts[verdictKey(view, at)]++;
    });
    return counts;
  }

  /** Advance the engine clock without packets (ns): idle flows time out, DNS answers expire. */
  tick(ts: bigint): void {
    if (this.inst.ex.pktTick(BigInt.asUintN(64, ts)) !== 0 || this.dnsChanged()) this.refreshDns();
    this.drainRing();
  }

  /** End every active flow now (flow-end records with reason `flush`), e.g. at the end of a capture. */
  flush(): void {
    const chunk = Math.max(1, Math.floor(this.settings.events / 4));
    while (this.inst.ex.pktFlush(chunk) > 0) this.drainRing();
    this.drainRing();
  }

  /** Move the engine's ring into the host queue (raw records; bounded, overflow counted). */
  private drainRing(): void {
    const a = this.inst.areas;
    const view = this.inst.view();
    const head = view.getUint32(a.base + P.PH_EV_HEAD, true);
    let tail = view.getUint32(a.base + P.PH_EV_TAIL, true);
    const cap = this.settings.events;
    // At most a ring's worth is outstanding; anything else means the tail was overwritten.
    if (((head - tail) >>> 0) > cap) tail = (head - cap) >>> 0;
    const n = (head - tail) >>> 0;
    if (n === 0) return;
    const room = Math.max(0, this.queueCap - this.rawCount - this.early.length);
    const take = Math.min(n, room);
    this.hostDropped += n - take;
    if ((this.rawCount + take) * P.EV_SIZE > this.raw.length) {
      const grown = new Uint8Array(Math.max((this.rawCount + take) * P.EV_SIZE, this.raw.length * 2));
      grown.set(this.raw.subarray(0, this.rawCount * P.EV_SIZE));
      this.raw = grown;
    }
    const mem = new Uint8Array(this.inst.memory.buffer);
    for (let k = 0; k < take; k++) {
      const at = a.events + (((tail + k) >>> 0) & (cap - 1)) * P.EV_SIZE;
      this.raw.set(mem.subarray(at, at + P.EV_SIZE), (this.rawCount + k) * P.EV_SIZE);
    }
    this.rawCount += take;
    view.setUint32(a.base + P.PH_EV_TAIL, head, true);
  }

  private decodeQueued(): PacketEvent[] {
    const view = new DataView(this.raw.buffer, 0, this.rawCount * P.EV_SIZE);
    const out: PacketEvent[] = [];
    for (let k = 0; k < this.rawCount; k++) {
      const e = decodeEvent(view, k * P.EV_SIZE, this.namer);
      if (e) out.push(e);
    }
    this.rawCount = 0;
    return out;
  }

  /** Events since the last call, oldest first. */
  drainEvents(): PacketEvent[] {
    const out = this.early.length ? [...this.early, ...this.decodeQueued()] : this.decodeQueued();
    this.early = [];
    if (this.raw.length > 64 * P.EV_SIZE * 1024) this.raw = new Uint8Array(0);
    return out;
  }

  stats(): PacketStats {
    const view = this.inst.view();
    const raw = readStats(view, this.inst.areas.counters);
    return {
      ...raw,
      events: { emitted: raw.events.emitted, dropped: raw.events.dropped + this.hostDropped, queued: this.rawCount + this.early.length },
      memory: { engineBytes: this.inst.memory.buffer.byteLength, packetRegionBytes: this.inst.areas.length, usedBytes: this.inst.usedBytes },
    };
  }
}

export function emptyCounts(): VerdictCounts {
  return { allow: 0, learn: 0, pending: 0, violate: 0, deny: 0, skip: 0, hold: 0 };
}
