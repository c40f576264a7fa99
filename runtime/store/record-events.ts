/**
 * The store as one more sink of a replay: the same NDJSON the `--events` and `--flows` writers
 * stream (runtime/output/), into a private temp folder, then ingested in one transaction when the
 * replay has finished, split into its captures by flow id. Memory stays flat whatever the size.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventSink } from "../output/event-sink.js";
import { NdjsonSink } from "../output/ndjson-sink.js";
import { StreamedFile } from "../output/streamed-file.js";
import type { PacketEngine } from "../packet/engine.js";
import { ingestReplay, type IngestResult, type ReplayCapture, type RunContext, type RunInfo } from "./ingest.js";
import type { FlowStore } from "./store.js";

export class StoreRecorder {
  readonly captures: ReplayCapture[] = [];
  private readonly names = new Map<string, Set<string>>();

  private constructor(
    private readonly dir: string,
    readonly files: string[],
    readonly sinks: EventSink[],
  ) {}

  static async open(): Promise<StoreRecorder> {
    const dir = mkdtempSync(join(tmpdir(), "nvp-store-"));
    const files = [join(dir, "events.ndjson"), join(dir, "flows.ndjson")];
    const sinks = [NdjsonSink.events(await StreamedFile.open(files[0]!)), NdjsonSink.flows(await StreamedFile.open(files[1]!))];
    return new StoreRecorder(dir, files, sinks);
  }

  /** After each capture: where its flow ids end, and the DNS names known then (snooped answers expire). */
  mark(engine: PacketEngine, run: { file: string; packets: number; bytes: number; error?: { message: string } }): void {
    this.captures.push({ capture: run.file, lastFlow: engine.stats().flows.created, packets: run.packets, bytes: run.bytes, ...(run.error ? { error: run.error.message } : {}) });
    for (const [name, ips] of engine.resolutions()) {
      const set = this.names.get(name) ?? new Set<string>();
      for (const ip of ips) set.add(ip);
      this.names.set(name, set);
    }
  }

  /** Ingest what the sinks wrote (call after the replay finished them), then remove the temp files. */
  async store(store: FlowStore, run: RunInfo, ctx: RunContext): Promise<IngestResult> {
    try {
      const dns = new Map([...this.names].map(([n, s]) => [n, [...s]]));
      return await ingestReplay(store, run, this.files, this.captures, { ...ctx, dns });
    } finally {
      this.cleanup();
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
