/**
 * A replay: captures through one PacketEngine, packets counted by verdict without objects, events
 * counted from their raw records (EventTally) and handed to sinks (NDJSON files, a store…) batch by
 * batch, waiting on the sinks' back-pressure. Nothing held grows with the capture: the capture is
 * streamed, the engine's tables are bounded, and events leave as they come.
 *
 *   const replay = new Replay(engine, [NdjsonSink.flows(await StreamedFile.open("flows.ndjson"))]);
 *   const run = await replay.capture("big.pcap");
 *   await replay.finish();
 *   replay.counts, replay.tally.summary(), run.error
 */
import { readCapture } from "../capture/read.js";
import type { EventSink } from "../output/event-sink.js";
import { EventTally } from "../packet/event-tally.js";
import type { RawEventBatch } from "../packet/raw-events.js";
import { emptyCounts, type PacketEngine, type PacketInput, type VerdictCounts } from "../packet/engine.js";
import type { CaptureRun } from "./capture-run.js";
import { readPcapFrames } from "./pcap-frames.js";

export type { CaptureRun } from "./capture-run.js";

export interface CaptureOptions {
  /** Called every few thousand packets: raw bytes read so far, packets so far. */
  progress?: (inputBytes: number, packets: number) => void;
  /** Read with the general reader even a plain pcap file (tests compare the two readers). */
  general?: boolean;
}

const BATCH = 4096;

export class Replay {
  readonly counts: VerdictCounts = emptyCounts();
  readonly tally = new EventTally();
  private readonly take = (b: RawEventBatch): void => {
    this.tally.add(b);
    for (const s of this.sinks) s.write(b);
  };

  constructor(
    readonly engine: PacketEngine,
    readonly sinks: readonly EventSink[] = [],
  ) {}

  /** Move the engine's events to the tally and the sinks; wait while a sink is full. */
  private async events(): Promise<void> {
    this.engine.takeRawEvents(this.take);
    for (const s of this.sinks) {
      const wait = s.ready();
      if (wait) await wait;
    }
  }

  /**
   * Replay one capture (a path, pcap or pcapng, gzip or not). Plain classic pcap files take the
   * frame reader (pcap-frames.ts: large reads, no object per packet); anything else the general
   * reader. Capture faults end up in the result's `error`, never thrown.
   */
  async capture(path: string, shown: string, opts: CaptureOptions = {}): Promise<CaptureRun> {
    const fast = opts.general
      ? undefined
      : await readPcapFrames(path, this.engine, this.counts, async (inputBytes, packets) => {
          opts.progress?.(inputBytes, packets);
          await this.events();
        });
    if (fast) {
      await this.events();
      return { file: shown, ...fast };
    }
    const reader = readCapture(path);
    const batch: PacketInput[] = [];
    const run = async () => {
      this.engine.feed(batch, this.counts);
      batch.length = 0;
      await this.events();
    };
    for await (const p of reader) {
      batch.push(p);
      if (batch.length === BATCH) {
        await run();
        opts.progress?.(reader.summary.inputBytes, reader.summary.packets);
      }
    }
    await run();
    const s = reader.summary;
    const out: CaptureRun = { file: shown, gzip: s.gzip, packets: s.packets, bytes: s.bytes, notIp: s.notIpKinds, skipped: s.skipped };
    if (s.format) out.format = s.format;
    if (s.gzipTrailing) out.gzipTrailing = s.gzipTrailing;
    if (s.error) out.error = s.error;
    return out;
  }

  /** End every flow (flow-end records), move the last events out, finish the sinks (all or none). */
  async finish(): Promise<void> {
    while (this.engine.flushSome()) await this.events();
    await this.events();
    for (const s of this.sinks) await s.end();
    for (const s of this.sinks) await s.commit();
  }

  /** Stop: every sink's file keeps its old contents. */
  async abort(): Promise<void> {
    for (const s of this.sinks) await s.abort();
  }
}
