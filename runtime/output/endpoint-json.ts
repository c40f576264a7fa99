/**
 * An endpoint's JSON around its address, as the NDJSON encoder writes it: `","kind":…,"groups":[…]`
 * after the address and `,"name":…}` (or `}`) after the port. Where it comes from depends on the
 * thread: in the replay's own thread the namer describes each record's endpoints and the JSON is
 * cached per description (NamerEndpoints); for the writer thread (ndjson-worker.ts) the main thread,
 * which has the engine the namer needs, turns descriptions into small ids (DescriptionIds) and the
 * worker keeps the JSON by id (IdEndpoints). Both give the same bytes for the same description.
 */
import * as P from "../../common/abi-packet.js";
import type { EndpointKind } from "../../common/schema.js";
import { readAddr } from "../packet/dns.js";
import { KINDS, type EndpointDescription, type EndpointNamer } from "../packet/events.js";

const utf8 = new TextEncoder();

export interface EndpointJson {
  mid: Uint8Array;
  tail: Uint8Array;
}

/** Record k's client (`server` false) or server endpoint's JSON; `view` holds the records. */
export interface EndpointSource {
  endpoint(view: DataView, k: number, server: boolean): EndpointJson;
}

/** The two JSON pieces of a description, as text. */
export function endpointText(d: EndpointDescription, kind: EndpointKind): [mid: string, tail: string] {
  return [`","kind":${JSON.stringify(kind)},"groups":${JSON.stringify(d.groups)}`, d.name !== undefined ? `,"name":${JSON.stringify(d.name)}}` : "}"];
}

/** The namer's description of record k's client or server endpoint, and its kind. */
function describeSide(namer: EndpointNamer, view: DataView, k: number, server: boolean): [EndpointDescription, EndpointKind] {
  const at = k * P.EV_SIZE;
  const kind = KINDS[view.getUint8(at + (server ? P.EV_SERVER_KIND : P.EV_CLIENT_KIND))] ?? "external";
  return [namer.describe(readAddr(view, at + (server ? P.EV_SERVER : P.EV_CLIENT)), kind), kind];
}

/** Endpoints described by the namer as records are encoded (the replay's own thread). */
export class NamerEndpoints implements EndpointSource {
  /** By description: the namer hands out the same object while nothing changed. */
  private readonly json = new WeakMap<EndpointDescription, EndpointJson>();

  constructor(readonly namer: EndpointNamer) {}

  endpoint(view: DataView, k: number, server: boolean): EndpointJson {
    const [d, kind] = describeSide(this.namer, view, k, server);
    let e = this.json.get(d);
    if (!e) {
      const [mid, tail] = endpointText(d, kind);
      e = { mid: utf8.encode(mid), tail: utf8.encode(tail) };
      this.json.set(d, e);
    }
    return e;
  }
}

/** A description new to the writer thread: its id and JSON text. */
export type NewDescription = [id: number, mid: string, tail: string];

/**
 * Past this many distinct descriptions (by default) the ids start again (the worker drops its
 * table), so neither side's table grows with the number of addresses in a replay.
 */
export const MAX_IDS = 65536;
/** Slots of DescriptionIds' address cache (a power of two). */
const ADDR_CACHE_BITS = 12;
const ADDR_CACHE = 1 << ADDR_CACHE_BITS;

/**
 * The main thread's side: a small id for each endpoint's description, the same id for the same
 * JSON (descriptions are deduplicated by content, so a namer that forgets and rebuilds its
 * descriptions does not grow the worker's table), and the descriptions the worker has not seen.
 */
export class DescriptionIds {
  private byObject = new WeakMap<EndpointDescription, number>();
  private readonly byText = new Map<string, number>();
  private namer: EndpointNamer | undefined;
  private generation = -1;
  private fresh: NewDescription[] = [];
  private restarted = false;
  /**
   * Ids by IPv4 address and kind code, direct-mapped: a description depends only on those while
   * the namer and its generation stay, and most records repeat the addresses of the ones before,
   * so most endpoints cost no BigInt and no namer lookup.
   */
  private readonly hitAddr = new Uint32Array(ADDR_CACHE);
  private readonly hitKind = new Uint8Array(ADDR_CACHE);
  private readonly hitId = new Int32Array(ADDR_CACHE).fill(-1);

  constructor(private readonly maxIds = MAX_IDS) {}

  /** True when a record's two endpoints might not fit: send what is packed, then restart(). */
  get full(): boolean {
    return this.byText.size > this.maxIds - 2;
  }

  /** Start the ids again; the next take() tells the worker to drop its table first. */
  restart(): void {
    this.byText.clear();
    this.byObject = new WeakMap();
    this.hitId.fill(-1);
    this.fresh = [];
    this.restarted = true;
  }

  id(namer: EndpointNamer, view: DataView, k: number, server: boolean): number {
    if (namer !== this.namer || namer.generation !== this.generation) {
      if (namer !== this.namer) this.byObject = new WeakMap();
      this.namer = namer;
      this.generation = namer.generation;
      this.hitId.fill(-1);
    }
    const at = k * P.EV_SIZE + (server ? P.EV_SERVER : P.EV_CLIENT);
    const kindCode = view.getUint8(k * P.EV_SIZE + (server ? P.EV_SERVER_KIND : P.EV_CLIENT_KIND));
    // An IPv4-mapped address (::ffff:a.b.c.d): its low 32 bits are the key.
    const v4 = view.getUint32(at + 4, true) === 0xffff && view.getUint32(at + 8, true) === 0 && view.getUint32(at + 12, true) === 0;
    const addr = view.getUint32(at, true);
    // Fibonacci hashing: the product's top bits depend on every bit of the address.
    const slot = Math.imul(addr ^ (kindCode << 29), 0x9e3779b1) >>> (32 - ADDR_CACHE_BITS);
    if (v4 && this.hitId[slot] !== -1 && this.hitAddr[slot] === addr && this.hitKind[slot] === kindCode) return this.hitId[slot] as number;
    const [d, kind] = describeSide(namer, view, k, server);
    let id = this.byObject.get(d);
    if (id === undefined) {
      const [mid, tail] = endpointText(d, kind);
      const text = `${mid}\u0000${tail}`;
      id = this.byText.get(text);
      if (id === undefined) {
        id = this.byText.size;
        this.byText.set(text, id);
        this.fresh.push([id, mid, tail]);
      }
      this.byObject.set(d, id);
    }
    if (v4) {
      this.hitAddr[slot] = addr;
      this.hitKind[slot] = kindCode;
      this.hitId[slot] = id;
    }
    return id;
  }

  /** What is new since the last call, for the message that carries the records using it. */
  take(): { fresh: NewDescription[]; restarted: boolean } {
    const out = { fresh: this.fresh, restarted: this.restarted };
    this.fresh = [];
    this.restarted = false;
    return out;
  }
}

/** The writer thread's side: JSON by id, each record's two ids from the main thread. */
export class IdEndpoints implements EndpointSource {
  private readonly table: EndpointJson[] = [];
  /** Record k's client id at `stride * k`, its server id next, for the batch being encoded. */
  ids: Uint32Array = new Uint32Array(0);

  constructor(private readonly stride: number) {}

  learn(fresh: readonly NewDescription[], restarted: boolean): void {
    if (restarted) this.table.length = 0;
    for (const [id, mid, tail] of fresh) this.table[id] = { mid: utf8.encode(mid), tail: utf8.encode(tail) };
  }

  endpoint(_view: DataView, k: number, server: boolean): EndpointJson {
    const id = this.ids[this.stride * k + (server ? 1 : 0)] as number;
    const e = this.table[id];
    if (!e) throw new Error(`endpoint description ${id} was never sent`);
    return e;
  }
}
