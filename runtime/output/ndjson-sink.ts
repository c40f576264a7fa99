/**
 * Events or flow records to an NDJSON file, streamed: lines are gathered into chunks of about
 * 1 MiB, at most two chunks wait for the disk (ready() holds the producer back beyond that), and
 * the file appears at its path only when the replay finished (streamed-file.ts). Memory stays at
 * a few MiB whatever the number of events.
 */
import * as P from "../../common/abi-packet.js";
import type { RawEventBatch } from "../packet/raw-events.js";
import type { EventSink } from "./event-sink.js";
import { StreamedFile } from "./streamed-file.js";

const CHUNK = 1 << 20;
const MAX_PENDING = 2;

export class NdjsonSink implements EventSink {
  private text = "";
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  /** Lines written. */
  lines = 0;

  /** `types`: the EVT_* codes written (flow-end only for a flows file, the others for events). */
  constructor(
    private readonly file: StreamedFile,
    private readonly types: ReadonlySet<number>,
  ) {}

  static flows(file: StreamedFile): NdjsonSink {
    return new NdjsonSink(file, new Set([P.EVT_FLOW_END]));
  }

  static events(file: StreamedFile): NdjsonSink {
    return new NdjsonSink(file, new Set([P.EVT_VIOLATION, P.EVT_DENY, P.EVT_LEARN, P.EVT_RESET, P.EVT_THREAT]));
  }

  write(batch: RawEventBatch): void {
    for (let k = 0; k < batch.count; k++) {
      if (!this.types.has(batch.type(k))) continue;
      const e = batch.decode(k);
      if (!e) continue;
      this.text += JSON.stringify(e) + "\n";
      this.lines++;
      if (this.text.length >= CHUNK) this.flush();
    }
  }

  private flush(): void {
    if (!this.text) return;
    const bytes = Buffer.from(this.text, "utf8");
    this.text = "";
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        if (!this.failure) await this.file.write(bytes);
      } catch (error) {
        this.failure ??= { error };
      } finally {
        this.pending--;
      }
    });
  }

  ready(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.pending < MAX_PENDING) return undefined;
    return this.chain.then(() => {
      if (this.failure) throw this.failure.error;
    });
  }

  async close(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure) {
      await this.file.abort();
      throw this.failure.error;
    }
    await this.file.commit();
  }

  async abort(): Promise<void> {
    this.text = "";
    await this.chain;
    await this.file.abort();
  }
}
