/**
 * The host's event queue for the packet path: raw EV_SIZE records moved out of the engine's ring
 * (bounded; what does not fit is counted as dropped), and batches set aside ahead of an inventory
 * change or a swap, each with the namer of its time, so an event is named as when it happened.
 */
import * as P from "../../common/abi-packet.js";
import type { EndpointNamer } from "./events.js";
import type { PacketAreas } from "./region.js";
import { RawEventBatch } from "./raw-events.js";

export class EventQueue {
  /** Raw records taken out ahead of an inventory change or swap, each batch with its namer. */
  private early: RawEventBatch[] = [];
  private earlyCount = 0;
  /** Raw records moved out of the engine's ring since, named by the current namer. */
  private raw = new Uint8Array(0);
  private rawCount = 0;
  /** Records the full queue dropped. */
  dropped = 0;

  constructor(private readonly cap: number) {}

  /** Records waiting to be taken. */
  get queued(): number {
    return this.rawCount + this.earlyCount;
  }

  /** Keep the records out so far with `namer`, the namer of their time. */
  setAside(namer: EndpointNamer): void {
    if (this.rawCount === 0) return;
    this.early.push(new RawEventBatch(this.raw.slice(0, this.rawCount * P.EV_SIZE), this.rawCount, namer));
    this.earlyCount += this.rawCount;
    this.rawCount = 0;
  }

  /** Move the engine's ring (`ringCap` records at `areas.events`) into the queue. */
  drainRing(mem: Uint8Array, u32: Uint32Array, areas: PacketAreas, ringCap: number): void {
    const head = u32[(areas.base + P.PH_EV_HEAD) >>> 2] as number;
    let tail = u32[(areas.base + P.PH_EV_TAIL) >>> 2] as number;
    // At most a ring's worth is outstanding; anything else means the tail was overwritten.
    if (((head - tail) >>> 0) > ringCap) tail = (head - ringCap) >>> 0;
    const n = (head - tail) >>> 0;
    if (n === 0) return;
    const room = Math.max(0, this.cap - this.rawCount - this.earlyCount);
    const take = Math.min(n, room);
    this.dropped += n - take;
    if ((this.rawCount + take) * P.EV_SIZE > this.raw.length) {
      const grown = new Uint8Array(Math.max((this.rawCount + take) * P.EV_SIZE, this.raw.length * 2));
      grown.set(this.raw.subarray(0, this.rawCount * P.EV_SIZE));
      this.raw = grown;
    }
    // At most two runs of records: from the tail to the ring's end, then from its start.
    let k = 0;
    while (k < take) {
      const slot = ((tail + k) >>> 0) & (ringCap - 1);
      const run = Math.min(take - k, ringCap - slot);
      const at = areas.events + slot * P.EV_SIZE;
      this.raw.set(mem.subarray(at, at + run * P.EV_SIZE), (this.rawCount + k) * P.EV_SIZE);
      k += run;
    }
    this.rawCount += take;
    u32[(areas.base + P.PH_EV_TAIL) >>> 2] = head;
  }

  /** Hand every queued batch to `visit`, oldest first (the newest named by `namer`), and empty the queue. */
  take(namer: EndpointNamer, visit: (batch: RawEventBatch) => void): void {
    for (const b of this.early) visit(b);
    this.early = [];
    this.earlyCount = 0;
    if (this.rawCount === 0) return;
    const n = this.rawCount;
    this.rawCount = 0;
    visit(new RawEventBatch(this.raw.subarray(0, n * P.EV_SIZE), n, namer));
  }

  /** Give back a large buffer once it is empty (after a burst of events). */
  shrink(): void {
    if (this.rawCount === 0 && this.raw.length > 64 * P.EV_SIZE * 1024) this.raw = new Uint8Array(0);
  }
}
