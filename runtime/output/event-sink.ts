/**
 * Where a replay's events go as they come out of the engine. A sink takes raw record batches
 * (runtime/packet/raw-events.ts), keeps what it needs from them during the call, and flushes on
 * its own schedule; `ready()` is the back-pressure: the producer waits on it before feeding more
 * packets, so a slow disk slows the replay instead of growing memory. NDJSON files are one
 * implementation (ndjson-sink.ts); a store or a socket is another.
 */
import type { RawEventBatch } from "../packet/raw-events.js";

export interface EventSink {
  /** Take the batch's records (the bytes are valid only during the call). */
  write(batch: RawEventBatch): void;
  /** A promise while the sink holds too much unwritten output; wait on it before producing more. */
  ready(): Promise<void> | undefined;
  /** Write out everything held. Rejects with the first output error. */
  end(): Promise<void>;
  /**
   * Finish (for a file: put it in place). Called only once every sink's end() succeeded, so one
   * failing output leaves every other one as it was.
   */
  commit(): Promise<void>;
  /** Stop without finishing (a file's old contents stay). */
  abort(): Promise<void>;
}
