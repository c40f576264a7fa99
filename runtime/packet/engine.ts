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
import * as P from "../../common/abi-packet.js";
import { formatIp } from "../../common/ip.js";
import { emptyInventory, type Inventory } from "../../common/schema.js";
import type { Enforcer } from "../flow/enforcer.js";
import { MODULE_CODES, NvpRuntimeError, engineStatusText } from "../errors.js";
import { HostCore } from "../host/core.js";
import type { EngineExports } from "../module/bind.js";
import type { PolicyModule } from "../module/policy-module.js";
import { readSnoopedExpiring, type SnoopedAddr, unexpired } from "./dns.js";
import { externalIpList } from "./external-ips.js";
import { EndpointNamer, type PacketEvent } from "./events.js";
import { EventQueue } from "./event-queue.js";
import type { RawEventBatch } from "./raw-events.js";
import { type PacketAreas, placePacketRegion, setExternalIps } from "./region.js";
import { type PacketSettings, type PacketSettingsInput, resolveSettings } from "./settings.js";
import {
  addCounters, decodeVerdict, type EngineCounters, type PacketAction, type PacketStats, type PacketVerdict, readStats, TALLY_KEYS, verdictSlot,
} from "./stats.js";

export { DEFAULT_PACKET_SETTINGS, type PacketSettings, type PacketSettingsInput, type PacketTimeouts } from "./settings.js";
export { RawEventBatch } from "./raw-events.js";
export { eventLine, type PacketEvent, type PacketEndpoint, type PacketEventType, type FlowEndReason, type TcpState, type ThreatActionTaken } from "./events.js";
export { MALFORMED_REASONS, type MalformedReason, type PacketAction, type PacketStats, type PacketVerdict } from "./stats.js";

/** One packet: its frame, where the IP header starts (-1: none), capture time in ns. */
export interface PacketInput {
  data: Uint8Array;
  l3Offset: number;
  ts: bigint;
  /** Bytes on the wire (the frame's original length), when the capture was cut short. */
  originalLength?: number;
  /** The frame's VLAN key (capture `vlan`: outer id << 12 | second tag id); flows on different VLANs never merge. */
  vlan?: number;
}

export interface PacketEngineOptions {
  inventory?: Inventory;
  settings?: PacketSettingsInput;
  /** Events kept for drainEvents() (default 65536); more are counted as dropped. */
  eventQueue?: number;
}

/**
 * Bytes between two frames of one buffer that still join them into one copy: a pcap record header
 * is 16, a pcapng enhanced packet block's framing 28 to 32 plus padding and options.
 */
const RUN_GAP = 256;

/**
 * Frames in one buffer for feedFrames(): `count` frames, frame k at `buf[at[k], at[k] + len[k])`
 * in ascending order, its IP header at `l3[k]` within it (-1: none), `wire[k]` bytes on the wire,
 * its time in ns as two u32 halves (`tsLo`, `tsHi`), its VLAN key (`vlan`, as PacketInput.vlan; 0:
 * untagged).
 */
export interface FrameBatch {
  buf: Uint8Array;
  count: number;
  vlan: Uint32Array;
  at: Uint32Array;
  len: Uint32Array;
  l3: Int32Array;
  wire: Uint32Array;
  tsLo: Uint32Array;
  tsHi: Uint32Array;
}

/** What feed() saw: packets by verdict action. */
export type VerdictCounts = Record<PacketAction, number>;

export class PacketEngine {
  readonly settings: PacketSettings;
  private core: HostCore;
  /** The packet region of the core's instance. */
  private areas: PacketAreas;
  private namer: EndpointNamer;
  /** Snooped answers carried over a swap from the engines before, with their expiry. */
  private carried = new Map<string, SnoopedAddr[]>();
  /** The earliest expiry among the carried answers: the DNS region is rebuilt when it passes. */
  private carriedUntil = 0n;
  private dnsGen = 0;
  /** Events moved out of the engine's ring, decoded by drainEvents(). */
  private readonly queue: EventQueue;
  /** Counters of the engines swapped out (their flows ended at the swap). */
  private retired?: EngineCounters;
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);
  private i64 = new BigInt64Array(0);
  /** feed()'s counts by verdictSlot. */
  private readonly tally = new Float64Array(TALLY_KEYS.length);

  constructor(module: PolicyModule, options: PacketEngineOptions = {}) {
    this.settings = resolveSettings(options.settings);
    this.queue = new EventQueue(options.eventQueue ?? 65536);
    const inventory = options.inventory ?? emptyInventory();
    ({ core: this.core, areas: this.areas } = this.build(module, inventory));
    setExternalIps(this.core.ex, this.areas, externalIpList(inventory, this.settings.externalIps));
    this.namer = this.namerFor(inventory);
    this.namer.setResolutions(this.core.resolutions());
  }

  /** A core for `module` with the packet region placed in it: new (with `from`, an inventory), or the successor of `from`. */
  private build(module: PolicyModule, from: HostCore | Inventory): { core: HostCore; areas: PacketAreas } {
    let areas: PacketAreas | undefined;
    const place = (ex: EngineExports, at: number) => {
      areas = placePacketRegion(ex, at, module, this.settings);
      return at + areas.length;
    };
    const core = from instanceof HostCore ? from.successor(module, place) : new HostCore(module, place, from);
    return { core, areas: areas as PacketAreas };
  }

  /** The module the engine runs now (`swap` replaces it). */
  get module(): PolicyModule {
    return this.core.module;
  }

  private namerFor(inv: Inventory): EndpointNamer {
    const core = this.core;
    return new EndpointNamer(core.module.meta.groups, inv, core.matcher, (ip) => core.addrClass(ip), (cls) => core.table.classGroups(cls));
  }

  /** A packet engine for an Enforcer's module (its own engine instance) with that inventory. */
  static forEnforcer(enforcer: Enforcer, inventory: Inventory, options: Omit<PacketEngineOptions, "inventory"> = {}): PacketEngine {
    return new PacketEngine(enforcer.module, { ...options, inventory });
  }

  setInventory(inv: Inventory): void {
    // Events already out of the engine are named with the inventory they happened under.
    this.queue.setAside(this.namer);
    this.core.setInventory(inv);
    setExternalIps(this.core.ex, this.areas, externalIpList(inv, this.settings.externalIps));
    this.namer = this.namerFor(inv);
    this.namer.setResolutions(this.core.resolutions());
  }

  /** Host-provided resolutions, used beside the snooped ones (docs/semantics.md S6). */
  addDnsResolution(name: string, ips: readonly string[]): void {
    this.core.addDnsResolution(name, ips);
    this.namer.setResolutions(this.core.resolutions());
  }

  /** Every name → addresses resolution in force now (host-given and snooped), e.g. for a store's FQDNs. */
  resolutions(): Map<string, string[]> {
    return new Map([...this.core.resolutions()].map(([n, ips]) => [n, ips.map(formatIp)]));
  }

  /**
   * Switch to another module atomically. The new module's engine instance is built completely
   * first, with the inventory, the Service externalIPs and every resolution (host-given, and the
   * snooped answers until they expire); a failure leaves this engine on the old module. Then the
   * old engine's flows end (flow-end records, reason `flush`: a flow's record belongs to one
   * policy), their events stay queued, named as under the old module, its counters add to
   * stats(), and every packet after the call is decided by the new module. A flow that goes on is
   * a new flow to the new engine, picked up mid-stream (docs/formats.md).
   */
  swap(module: PolicyModule): void {
    const { core: next, areas: nextAreas } = this.build(module, this.core);
    setExternalIps(next.ex, nextAreas, externalIpList(this.core.inventory, this.settings.externalIps));
    this.flush();
    const view = this.view();
    for (const [name, addrs] of readSnoopedExpiring(view, this.areas.dnsNames, this.settings.dnsNames)) this.carried.set(name, [...(this.carried.get(name) ?? []), ...addrs]);
    this.retired = this.engineCounters();
    this.queue.setAside(this.namer);
    this.core = next;
    this.areas = nextAreas;
    this.dnsGen = 0;
    this.namer = this.namerFor(next.inventory);
    this.refreshDns();
  }

  /**
   * The snooped table changed (or a swap, or a carried answer expired): read it back, with the
   * carried answers unexpired at the engine's clock or `at`, and rebuild the DNS region.
   */
  private refreshDns(at = 0n): void {
    const view = this.view();
    const a = this.areas;
    this.dnsGen = view.getUint32(a.base + P.PH_DNS_GEN, true);
    // The engine's clock, or a later time the host knows (the next batch's first packet).
    const clock = view.getBigUint64(a.base + P.PH_NOW, true);
    const now = at > clock ? at : clock;
    const snooped = unexpired(readSnoopedExpiring(view, a.dnsNames, this.settings.dnsNames), now);
    this.carriedUntil = 0n;
    for (const [name, addrs] of this.carried) {
      const live = addrs.filter((x) => x.expiry > now);
      if (live.length) this.carried.set(name, live);
      else this.carried.delete(name);
      for (const x of live) if (this.carriedUntil === 0n || x.expiry < this.carriedUntil) this.carriedUntil = x.expiry;
    }
    this.core.setSnooped(unexpired(this.carried, now, snooped));
    this.namer.setResolutions(this.core.resolutions());
  }

  /** The engine's snooped table changed, or a carried answer expired. */
  private dnsChanged(): boolean {
    this.mem();
    if (this.u32[(this.areas.base + P.PH_DNS_GEN) >>> 2] !== this.dnsGen) return true;
    return this.carried.size > 0 && this.view().getBigUint64(this.areas.base + P.PH_NOW, true) >= this.carriedUntil;
  }

  /** The engine's counters, with those of the engines swapped out. */
  private engineCounters(): EngineCounters {
    const live = readStats(this.view(), this.areas.counters);
    return this.retired ? addCounters(this.retired, live) : live;
  }

  /** A DataView of the whole memory (renewed: memory growth detaches the old buffer). */
  private view(): DataView {
    return new DataView(this.core.memory.buffer);
  }

  /** Byte, u32 and i64 views of engine memory, renewed when it grew (growth detaches the old buffer). */
  private mem(): Uint8Array {
    const buf = this.core.memory.buffer;
    if (this.u8.buffer !== buf) {
      this.u8 = new Uint8Array(buf);
      this.u32 = new Uint32Array(buf);
      this.i64 = new BigInt64Array(buf);
    }
    return this.u8;
  }

  /**
   * Copy packets[i..] into the batch area; returns how many went in. Typed views, no DataView or
   * object per packet. Frames that lie one after the other in one buffer (a capture file read into
   * memory: only record headers between them) go in as one run, one copy for the whole run with
   * those few header bytes: the copy is bound by memory bandwidth, and one long copy streams the
   * cold capture bytes faster than a copy per frame (docs/performance.md).
   */
  private load(packets: readonly PacketInput[], i: number): number {
    const a = this.areas;
    const cap = this.settings.batchBytes;
    const mem = this.mem();
    const u32 = this.u32;
    const i64 = this.i64;
    const max = Math.min(packets.length - i, this.settings.batchPackets);
    let n = 0;
    // Batch bytes taken by the runs before the current one; the current run: its source buffer,
    // the source range [lo, hi), placed at `at` in the batch area.
    let bytes = 0;
    let runBuf: ArrayBufferLike | undefined;
    let lo = 0;
    let hi = 0;
    let at = 0;
    // Descriptor fields as u32 indexes (the area is 8-aligned, PD_SIZE a multiple of 8).
    let d = a.desc >>> 2;
    for (; n < max; n++, d += P.PD_SIZE >>> 2) {
      const p = packets[i + n] as PacketInput;
      const data = p.data;
      const len = data.length;
      const l3 = p.l3Offset;
      const ok = l3 >= 0 && l3 <= len && Number.isInteger(l3);
      // The whole frame goes in (no view per packet); the descriptor points at its IP header.
      const frame = ok ? (len < cap ? len : cap) : 0;
      let where: number;
      const off = data.byteOffset;
      if (frame === len && frame > 0 && data.buffer === runBuf && off >= hi && off - hi <= RUN_GAP && at + (off + len - lo) <= cap) {
        where = at + (off - lo);
        hi = off + len;
      } else {
        if (runBuf !== undefined) {
          mem.set(new Uint8Array(runBuf, lo, hi - lo), a.data + at);
          bytes = at + ((hi - lo + 7) & ~7);
          runBuf = undefined;
        }
        if (bytes + frame > cap) break;
        where = bytes;
        if (frame === len && frame > 0) {
          runBuf = data.buffer;
          lo = off;
          hi = off + len;
          at = bytes;
        } else {
          if (frame > 0) mem.set(data.subarray(0, frame), a.data + bytes);
          bytes += (frame + 7) & ~7;
        }
      }
      // A BigInt64Array store wraps a negative time modulo 2^64, as BigInt.asUintN(64) did.
      i64[(d + (P.PD_TS >>> 2)) >>> 1] = p.ts;
      u32[d + (P.PD_OFF >>> 2)] = where + (ok ? (l3 < frame ? l3 : frame) : 0);
      u32[d + (P.PD_LEN >>> 2)] = ok && frame > l3 ? frame - l3 : 0;
      const orig = p.originalLength;
      u32[d + (P.PD_WIRE >>> 2)] = ok && orig !== undefined ? Math.max(0, orig - l3) >>> 0 : 0;
      u32[d + (P.PD_FLAGS >>> 2)] = ok ? ((p.vlan ?? 0) & 0xffffff) << P.PDF_VLAN_SHIFT >>> 0 : P.PDF_NOT_IP;
    }
    if (runBuf !== undefined) mem.set(new Uint8Array(runBuf, lo, hi - lo), a.data + at);
    return n;
  }

  /** Run `n` loaded packets, rebuilding the DNS region whenever snooping changed it. */
  private runLoaded(n: number): void {
    if (this.carried.size > 0 && n > 0) {
      // A carried answer past its expiry at this batch's first packet goes before the batch runs.
      this.mem();
      const first = BigInt.asUintN(64, this.i64[(this.areas.desc + P.PD_TS) >>> 3] as bigint);
      if (first >= this.carriedUntil) this.refreshDns(first);
    }
    let at = 0;
    while (at < n) {
      const r = this.core.ex.pktProcess(at, n);
      if (r < 0) throw new NvpRuntimeError(MODULE_CODES.flow, `the engine refused the packet batch: ${engineStatusText(-r)}`, "this is a bug in nvp; please report it");
      at = r;
      if (this.dnsChanged()) this.refreshDns();
    }
    this.drainRing();
  }

  /** Load and run packets batch by batch; `batch(n)` reads the n verdicts at the verdict area. */
  private each(packets: readonly PacketInput[], batch: (n: number) => void): void {
    let i = 0;
    while (i < packets.length) {
      const n = this.load(packets, i);
      this.runLoaded(n);
      batch(n);
      i += n;
    }
  }

  /** Process packets in order; one verdict per packet. */
  process(packets: readonly PacketInput[]): PacketVerdict[] {
    const out: PacketVerdict[] = [];
    this.each(packets, (n) => {
      const view = this.view();
      for (let k = 0; k < n; k++) out.push(decodeVerdict(view, this.areas.verdicts + k * P.PV_SIZE));
    });
    return out;
  }

  /**
   * Process packets without building verdict objects (replays, benchmarks): counts by action,
   * tallied from the verdict records' bytes, nothing allocated per packet.
   */
  feed(packets: readonly PacketInput[], counts: VerdictCounts = emptyCounts()): VerdictCounts {
    const tally = this.tally.fill(0);
    this.each(packets, (n) => this.countVerdicts(n, tally));
    TALLY_KEYS.forEach((key, k) => {
      counts[key] += tally[k] as number;
    });
    return counts;
  }

  /**
   * feed() for frames that lie in one buffer, described by typed arrays (FrameBatch) instead of an
   * object per packet: the capture's bytes go into engine memory as one copy per engine batch
   * (record headers between frames ride along), the descriptors are written from the arrays, and
   * the verdicts are counted. Nothing is allocated per packet.
   */
  feedFrames(b: FrameBatch, counts: VerdictCounts = emptyCounts()): VerdictCounts {
    const tally = this.tally.fill(0);
    const a = this.areas;
    const cap = this.settings.batchBytes;
    const max = this.settings.batchPackets;
    let i = 0;
    while (i < b.count) {
      const mem = this.mem();
      const u32 = this.u32;
      // The span from frame i's start: as many whole frames as the batch takes.
      const lo = b.at[i] as number;
      let n = 0;
      let hi = lo;
      for (; n < max && i + n < b.count; n++) {
        const end = (b.at[i + n] as number) + (b.len[i + n] as number);
        if (end - lo > cap && n > 0) break;
        hi = end;
      }
      // A single frame larger than the batch area goes in cut to it, as load() does.
      const span = Math.min(hi - lo, cap);
      mem.set(b.buf.subarray(lo, lo + span), a.data);
      let d = a.desc >>> 2;
      for (let k = 0; k < n; k++, d += P.PD_SIZE >>> 2) {
        const f = i + k;
        const where = (b.at[f] as number) - lo;
        const len = b.len[f] as number;
        const frame = Math.min(len, span - where);
        const l3 = b.l3[f] as number;
        const ok = l3 >= 0 && l3 <= len;
        u32[d + (P.PD_TS >>> 2)] = b.tsLo[f] as number;
        u32[d + (P.PD_TS >>> 2) + 1] = b.tsHi[f] as number;
        u32[d + (P.PD_OFF >>> 2)] = where + (ok ? Math.min(l3, frame) : 0);
        u32[d + (P.PD_LEN >>> 2)] = ok && frame > l3 ? frame - l3 : 0;
        u32[d + (P.PD_WIRE >>> 2)] = ok ? Math.max(0, (b.wire[f] as number) - l3) >>> 0 : 0;
        u32[d + (P.PD_FLAGS >>> 2)] = ok ? ((b.vlan[f] as number) & 0xffffff) << P.PDF_VLAN_SHIFT >>> 0 : P.PDF_NOT_IP;
      }
      this.runLoaded(n);
      this.countVerdicts(n, tally);
      i += n;
    }
    TALLY_KEYS.forEach((key, k) => {
      counts[key] += tally[k] as number;
    });
    return counts;
  }

  private countVerdicts(n: number, tally: Float64Array): void {
    const mem = this.mem();
    const end = this.areas.verdicts + n * P.PV_SIZE;
    for (let at = this.areas.verdicts; at < end; at += P.PV_SIZE) {
      const k = verdictSlot(mem[at + P.PV_STATUS] as number, mem[at + P.PV_ACTION] as number);
      tally[k] = (tally[k] as number) + 1;
    }
  }

  /** Advance the engine clock without packets (ns): idle flows time out, DNS answers expire. */
  tick(ts: bigint): void {
    if (this.core.ex.pktTick(BigInt.asUintN(64, ts)) !== 0 || this.dnsChanged()) this.refreshDns();
    this.drainRing();
  }

  /** End every active flow now (flow-end records with reason `flush`), e.g. at the end of a capture. */
  flush(): void {
    while (this.flushSome());
  }

  /**
   * End up to a quarter ring's worth of flows and move their records out; false once no flow was
   * left. flush() in steps, for a consumer that takes the events between steps (takeRawEvents), so
   * a table of many flows never overflows the host queue.
   */
  flushSome(): boolean {
    const n = this.core.ex.pktFlush(Math.max(1, Math.floor(this.settings.events / 4)));
    this.drainRing();
    return n > 0;
  }

  /** Move the engine's ring into the host queue (raw records; bounded, overflow counted). */
  private drainRing(): void {
    const mem = this.mem();
    this.queue.drainRing(mem, this.u32, this.areas, this.settings.events);
  }

  /**
   * Hand the queued events to `visit` as raw records, oldest first, and empty the queue: replays
   * count them from their bytes and decode only what a writer asks for (RawEventBatch.decode).
   * The batch's bytes are valid only during the call.
   */
  takeRawEvents(visit: (batch: RawEventBatch) => void): void {
    this.queue.take(this.namer, visit);
  }

  /** Events since the last call, oldest first. */
  drainEvents(): PacketEvent[] {
    const out: PacketEvent[] = [];
    this.takeRawEvents((b) => {
      for (let k = 0; k < b.count; k++) {
        const e = b.decode(k);
        if (e) out.push(e);
      }
    });
    this.queue.shrink();
    return out;
  }

  stats(): PacketStats {
    const raw = this.engineCounters();
    return {
      ...raw,
      events: { emitted: raw.events.emitted, dropped: raw.events.dropped + this.queue.dropped, queued: this.queue.queued },
      memory: { engineBytes: this.core.memory.buffer.byteLength, packetRegionBytes: this.areas.length, usedBytes: this.core.usedBytes },
    };
  }
}

export function emptyCounts(): VerdictCounts {
  return { allow: 0, learn: 0, pending: 0, violate: 0, deny: 0, skip: 0, hold: 0 };
}
