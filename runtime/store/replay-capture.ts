/**
 * Replaying one capture file into the store (the explorer's uploads): stream it through a fresh
 * PacketEngine, report progress by bytes read, and store the run in one transaction. A capture that
 * cannot be read (not a capture, corrupt) is refused and nothing is stored; one cut short stores
 * what was read, with the reason in `captures.error`.
 */
import type { Inventory } from "../../common/schema.js";
import { readCapture } from "../capture/index.js";
import type { PolicyModule } from "../module.js";
import { PacketEngine, type PacketEvent, type PacketInput } from "../packets.js";
import type { IngestResult } from "./ingest.js";
import { storeReplay } from "./record-events.js";
import { STORE_CODES, StoreError, type FlowStore } from "./store.js";

export interface ReplayProgress {
  bytesRead: number;
  totalBytes?: number;
  packets: number;
}

const BATCH = 1024;

export async function replayFileIntoStore(
  store: FlowStore,
  module: PolicyModule,
  inventory: Inventory,
  path: string,
  name: string,
  onProgress: (p: ReplayProgress) => void = () => undefined,
): Promise<IngestResult> {
  const engine = new PacketEngine(module, { inventory });
  const reader = readCapture(path);
  const events: PacketEvent[] = [];
  let batch: PacketInput[] = [];
  const run = () => {
    engine.feed(batch);
    events.push(...engine.drainEvents());
    batch = [];
  };
  for await (const p of reader) {
    batch.push({ data: p.data, l3Offset: p.l3Offset, ts: p.ts, originalLength: p.originalLength });
    if (batch.length === BATCH) {
      run();
      const s = reader.summary;
      onProgress({ bytesRead: s.inputBytes, packets: s.packets, ...(s.inputSize !== undefined ? { totalBytes: s.inputSize } : {}) });
    }
  }
  const s = reader.summary;
  if (s.error && s.error.kind !== "truncated") {
    throw new StoreError(STORE_CODES.capture, `\`${name}\` cannot be replayed: ${s.error.message} (byte ${s.error.offset})`, "upload a pcap or pcapng capture (gzip allowed); the store was not changed");
  }
  run();
  engine.flush();
  events.push(...engine.drainEvents());
  const created = engine.stats().flows.created;
  const capture = { capture: name, packets: s.packets, bytes: s.bytes, flowMark: created, eventMark: events.length, ...(s.error ? { error: s.error.message } : {}) };
  return storeReplay(store, { kind: "replay", note: "explorer upload" }, [capture], events, { meta: module.meta, inventory, dns: engine.resolutions() });
}
