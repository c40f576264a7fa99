/**
 * Replaying one capture file into the store (the explorer's uploads): the replay driver with the
 * store recorder as its only sink, progress by bytes read, one transaction. A capture that cannot
 * be read (not a capture, corrupt) is refused and nothing is stored; one cut short stores what was
 * read, with the reason in `captures.error`.
 */
import type { Inventory } from "../../common/schema.js";
import type { PolicyModule } from "../module/load.js";
import { PacketEngine } from "../packet/engine.js";
import { Replay } from "../replay/driver.js";
import type { IngestResult } from "./ingest.js";
import { StoreRecorder } from "./record-events.js";
import { STORE_CODES, StoreError, type FlowStore } from "./store.js";

export interface ReplayProgress {
  bytesRead: number;
  totalBytes?: number;
  packets: number;
}

export async function replayFileIntoStore(
  store: FlowStore,
  module: PolicyModule,
  inventory: Inventory,
  path: string,
  name: string,
  onProgress: (p: ReplayProgress) => void = () => undefined,
  totalBytes?: number,
): Promise<IngestResult> {
  const engine = new PacketEngine(module, { inventory });
  const recorder = await StoreRecorder.open();
  const replay = new Replay(engine, recorder.sinks);
  try {
    const run = await replay.capture(path, name, { progress: (bytesRead, packets) => onProgress({ bytesRead, packets, ...(totalBytes !== undefined ? { totalBytes } : {}) }) });
    if (run.error && run.error.kind !== "truncated") {
      throw new StoreError(STORE_CODES.capture, `\`${name}\` cannot be replayed: ${run.error.message} (byte ${run.error.offset})`, "upload a pcap or pcapng capture (gzip allowed); the store was not changed");
    }
    recorder.mark(engine, run);
    await replay.finish();
  } catch (e) {
    await replay.abort();
    recorder.cleanup();
    throw e;
  }
  return recorder.store(store, { kind: "replay", note: "explorer upload" }, { meta: module.meta, inventory });
}
