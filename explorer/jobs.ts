/**
 * Replays run one at a time on their own store connection (their transaction never mixes with the
 * readers'), each a job the UI polls for progress.
 */
import { statSync } from "node:fs";
import type { Inventory } from "../common/schema.js";
import type { PolicyModule } from "../runtime/module/load.js";
import { replayFileIntoStore, StoreError, type FlowStore, type IngestResult } from "../runtime/store/index.js";

export interface Job {
  id: number;
  capture: string;
  state: "queued" | "running" | "done" | "error";
  bytesRead: number;
  totalBytes?: number;
  packets: number;
  result?: IngestResult;
  error?: { code?: string; message: string; help?: string };
}

export class JobQueue {
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: FlowStore,
    private readonly module: PolicyModule,
    private readonly inventory: Inventory,
  ) {}

  get(id: number): Job | undefined {
    return this.jobs.get(id);
  }

  /** Queue a replay of `path` (shown as `capture`); resolves when it is queued, not when done. */
  add(path: string, capture: string): Job {
    const job: Job = { id: this.nextId++, capture, state: "queued", bytesRead: 0, packets: 0 };
    this.jobs.set(job.id, job);
    this.tail = this.tail.then(() => this.run(job, path));
    return job;
  }

  /** Resolves when every queued job has finished. */
  idle(): Promise<void> {
    return this.tail;
  }

  private async run(job: Job, path: string): Promise<void> {
    job.state = "running";
    const writer = await this.store.fork();
    try {
      job.result = await replayFileIntoStore(writer, this.module, this.inventory, path, job.capture, (p) => {
        job.bytesRead = p.bytesRead;
        job.packets = p.packets;
        if (p.totalBytes !== undefined) job.totalBytes = p.totalBytes;
      }, statSync(path).size);
      job.state = "done";
    } catch (e) {
      job.state = "error";
      job.error = e instanceof StoreError ? { code: e.code, message: e.message, help: e.help } : { message: e instanceof Error ? e.message : String(e) };
    } finally {
      writer.close();
    }
  }
}
