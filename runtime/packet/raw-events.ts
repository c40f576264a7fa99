/**
 * Events as the engine wrote them: EV_SIZE-byte records (common/abi-packet.ts), taken out of the
 * host queue in batches. Counting and filtering read the bytes; an event becomes an object only
 * when `decode` is asked for it, with the endpoint names of the inventory it happened under.
 */
import * as P from "../../common/abi-packet.js";
import { decodeEvent, type EndpointNamer, type PacketEvent } from "./events.js";

export class RawEventBatch {
  readonly view: DataView;

  constructor(
    /** `count` records, record k at k * EV_SIZE. */
    readonly bytes: Uint8Array,
    readonly count: number,
    /** Names endpoints as the inventory of the events' time had them. */
    readonly namer: EndpointNamer,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, count * P.EV_SIZE);
  }

  /** The EVT_* type byte of record k. */
  type(k: number): number {
    return this.bytes[k * P.EV_SIZE + P.EV_TYPE] as number;
  }

  /** Record k as a typed event (undefined for an unknown type byte). */
  decode(k: number): PacketEvent | undefined {
    return decodeEvent(this.view, k * P.EV_SIZE, this.namer);
  }
}
