/**
 * Events or flow records to an NDJSON file, streamed: records are encoded straight from their raw
 * bytes (ndjson-encode.ts) into chunks of about 1 MiB, at most two chunks wait for the disk (ready() holds the producer back beyond that), and
 * the file appears at its path only when the replay finished (streamed-file.ts). Memory stays at
 * a few MiB whatever the number of events.
 */
import * as P from "../../common/abi-packet.js";
import type { RawEventBatch } from "../packet/raw-events.js";
import type { CaptureMarks } from "../replay/capture-marks.js";
import { NamerEndpoints, type EndpointSource } from "./endpoint-json.js";
import type { EventSink } from "./event-sink.js";
import { NdjsonEncoder } from "./ndjson-encode.js";
import { StreamedFile } from "./streamed-file.js";

const CHUNK = 1 << 20;
const MAX_PENDING = 2;
/** The EVT_* types of a flows file and of an events file. */
export const FLOW_TYPES: readonly number[] = [P.EVT_FLOW_END];
export const EVENT_TYPES: readonly number[] = [P.EVT_VIOLATION, P.EVT_DENY, P.EVT_LEARN, P.EVT_RESET, P.EVT_THREAT];

export class NdjsonSink implements EventSink {
  private readonly encoder = new NdjsonEncoder((bytes) => this.send(bytes), CHUNK);
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private ends: NamerEndpoints | undefined;
  /** Lines written. */
  lines = 0;

  /** `types`: the EVT_* codes written (flow-end only for a flows file, the others for events). */
  /** `marks`: when given, each line names its capture (`capture`, replay/capture-marks.ts). */
  constructor(
    private readonly file: StreamedFile,
    private readonly types: ReadonlySet<number>,
    private readonly marks?: CaptureMarks,
  ) {}

  static flows(file: StreamedFile, marks?: CaptureMarks): NdjsonSink {
    return new NdjsonSink(file, new Set(FLOW_TYPES), marks);
  }

  static events(file: StreamedFile, marks?: CaptureMarks): NdjsonSink {
    return new NdjsonSink(file, new Set(EVENT_TYPES), marks);
  }

  write(batch: RawEventBatch): void {
    if (batch.namer !== this.ends?.namer) this.ends = new NamerEndpoints(batch.namer);
    const marks = this.marks;
    const v = batch.view;
    this.encodeRecords(v, batch.count, this.ends, marks && ((k) => marks.names[marks.indexOf(v.getUint32(k * P.EV_SIZE + P.EV_FLOW, true))]));
  }

  /**
   * Encode the records of this file's types among `count` records of `view`, their endpoints'
   * JSON from `ends`, each line naming the capture `capture(k)` gives (write() in this thread; the
   * writer thread with what the main thread resolved, ndjson-worker.ts).
   */
  encodeRecords(view: DataView, count: number, ends: EndpointSource, capture?: (k: number) => string | undefined): void {
    for (let k = 0; k < count; k++) {
      if (!this.types.has(view.getUint8(k * P.EV_SIZE + P.EV_TYPE))) continue;
      if (capture) this.encoder.setCapture(capture(k));
      this.encoder.encode(view, k, ends);
      this.lines++;
    }
  }

  private send(bytes: Uint8Array): void {
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

  async end(): Promise<void> {
    this.encoder.end();
    await this.chain;
    if (this.failure) throw this.failure.error;
  }

  async commit(): Promise<void> {
    await this.file.commit();
  }

  async abort(): Promise<void> {
    this.failure ??= { error: new Error("aborted") };
    await this.chain;
    await this.file.abort();
  }
}
