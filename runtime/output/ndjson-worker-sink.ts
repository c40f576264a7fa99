/**
 * --events and --flows written by a worker thread: the replay's thread copies the raw records the
 * files want into message slots of about 256 KiB (ndjson-wire.ts), with each endpoint's
 * description as a small id (endpoint-json.ts: the namer needs the engine, which lives here) and
 * each record's capture; the worker (ndjson-worker.ts) encodes and writes, byte for byte what
 * NdjsonSink writes in one thread. Back-pressure: SLOTS messages can be unacknowledged; ready()
 * holds the replay while fewer than half are free, so a slow disk slows the replay and memory
 * stays bounded (a batch larger than the free slots overflows into buffers of its own, bounded by
 * the engine's event queue, given back by the worker and reused). Errors keep their codes (ENOSPC, EISDIR…) across the thread boundary.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as P from "../../common/abi-packet.js";
import type { RawEventBatch } from "../packet/raw-events.js";
import type { CaptureMarks } from "../replay/capture-marks.js";
import { DescriptionIds, MAX_IDS } from "./endpoint-json.js";
import type { EventSink } from "./event-sink.js";
import { fromWire, NO_CAPTURE, WIRE_BYTES, WIRE_RECORDS, WIRE_SIDE, WIRE_SIDE_AT, type FromWorker, type ToWorker, type WireError, type WorkerFiles } from "./ndjson-wire.js";

/** Message slots shared with the worker. */
export const SLOTS = 16;

/** An output the worker could not open: which one (index into the files given) and why. */
export class OutputOpenError extends Error {
  constructor(
    readonly file: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export class NdjsonWorkerSink implements EventSink {
  private readonly wanted = new Uint8Array(256);
  private readonly free: number[] = [];
  /** The message being packed: its slot (-1: its own buffer), records and u32 words. */
  private slot = -1;
  private buf: ArrayBuffer | undefined;
  private rec: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private side: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private count = 0;
  private readonly ids: DescriptionIds;
  private capturesSent = 0;
  /** Buffers of overflow messages the worker gave back. */
  private readonly spare: ArrayBuffer[] = [];
  /** Buffers ever made for overflow messages (tests: reuse keeps it at the most in flight at once). */
  buffersMade = 0;
  /** Messages in their own buffers not yet acknowledged (tests: a slow writer keeps it small). */
  overflow = 0;
  peakOverflow = 0;
  private failure: Error | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private reply: { t: FromWorker["t"]; resolve: () => void; reject: (e: Error) => void } | undefined;
  private gone = false;

  private constructor(
    private readonly worker: Worker,
    private readonly slots: SharedArrayBuffer,
    types: readonly number[],
    private readonly marks: CaptureMarks | undefined,
    maxIds: number,
  ) {
    this.ids = new DescriptionIds(maxIds);
    for (let i = 0; i < SLOTS; i++) this.free.push(i);
    for (const t of types) this.wanted[t] = 1;
    worker.on("message", (m: FromWorker) => this.heard(m));
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", () => {
      this.gone = true;
      this.fail(new Error("the output writer thread stopped"));
    });
  }

  /**
   * Start the writer thread and open `files` there (each with the EVT_* types it takes);
   * rejects with an OutputOpenError naming the file that could not be opened. `maxIds`: distinct
   * endpoint descriptions kept before their ids start again (endpoint-json.ts).
   */
  static async open(files: { path: string; types: readonly number[] }[], marks?: CaptureMarks, maxIds = MAX_IDS): Promise<NdjsonWorkerSink> {
    const slots = new SharedArrayBuffer(SLOTS * WIRE_BYTES);
    const data: WorkerFiles = { files: files.map((f) => ({ path: f.path, types: [...f.types] })), slots };
    const sink = new NdjsonWorkerSink(startWorker(data), slots, files.flatMap((f) => f.types), marks, maxIds);
    try {
      await sink.expect("opened");
    } catch (e) {
      await sink.worker.terminate();
      throw e;
    }
    return sink;
  }

  /** Messages the worker has not acknowledged. */
  get unacknowledged(): number {
    return SLOTS - this.free.length + this.overflow;
  }

  write(batch: RawEventBatch): void {
    if (this.failure) return;
    const src = batch.bytes;
    const v = batch.view;
    const marks = this.marks;
    for (let k = 0; k < batch.count; ) {
      if (!this.wanted[src[k * P.EV_SIZE + P.EV_TYPE] as number]) {
        k++;
        continue;
      }
      if (this.ids.full) {
        this.send();
        this.ids.restart();
      }
      if (this.count === 0) this.begin();
      // A run of wanted records, copied at once.
      let end = k + 1;
      const room = WIRE_RECORDS - this.count;
      while (end < batch.count && end - k < room && this.wanted[src[end * P.EV_SIZE + P.EV_TYPE] as number]) end++;
      this.rec.set(src.subarray(k * P.EV_SIZE, end * P.EV_SIZE), this.count * P.EV_SIZE);
      for (let j = k; j < end; j++) {
        const s = (this.count + j - k) * WIRE_SIDE;
        this.side[s] = this.ids.id(batch.namer, v, j, false);
        this.side[s + 1] = this.ids.id(batch.namer, v, j, true);
        this.side[s + 2] = marks ? marks.indexOf(v.getUint32(j * P.EV_SIZE + P.EV_FLOW, true)) : NO_CAPTURE;
      }
      this.count += end - k;
      k = end;
      if (this.count === WIRE_RECORDS) this.send();
    }
  }

  /** Where the next message goes: a free slot, or (none free) a buffer of its own. */
  private begin(): void {
    const slot = this.free.pop();
    if (slot === undefined) {
      this.slot = -1;
      this.buf = this.spare.pop() ?? this.makeBuffer();
      this.rec = new Uint8Array(this.buf, 0, WIRE_SIDE_AT);
      this.side = new Uint32Array(this.buf, WIRE_SIDE_AT);
    } else {
      this.slot = slot;
      this.buf = undefined;
      this.rec = new Uint8Array(this.slots, slot * WIRE_BYTES, WIRE_SIDE_AT);
      this.side = new Uint32Array(this.slots, slot * WIRE_BYTES + WIRE_SIDE_AT, WIRE_RECORDS * WIRE_SIDE);
    }
  }

  private makeBuffer(): ArrayBuffer {
    this.buffersMade++;
    return new ArrayBuffer(WIRE_BYTES);
  }

  /** Hand the packed message over (with what the worker has not seen of descriptions and captures). */
  private send(): void {
    const n = this.count;
    if (n === 0 || this.failure) return;
    this.count = 0;
    const { fresh, restarted } = this.ids.take();
    const names = this.marks?.names ?? [];
    const captures = names.slice(this.capturesSent);
    this.capturesSent = names.length;
    const m: ToWorker = { t: "batch", slot: this.slot, count: n, fresh, restarted, captures };
    if (this.buf) {
      m.buf = this.buf;
      this.overflow++;
      this.peakOverflow = Math.max(this.peakOverflow, this.overflow);
      this.post(m, [this.buf]);
      this.buf = undefined;
    } else this.post(m);
  }

  ready(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.overflow === 0 && this.free.length >= SLOTS / 2) return undefined;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async end(): Promise<void> {
    this.send();
    if (this.failure) throw this.failure;
    this.post({ t: "end" });
    await this.expect("ended");
  }

  async commit(): Promise<void> {
    this.post({ t: "commit" });
    await this.expect("committed");
    await this.worker.terminate();
  }

  async abort(): Promise<void> {
    if (!this.gone) {
      this.post({ t: "abort" });
      await this.expect("aborted").catch(() => {});
    }
    await this.worker.terminate();
  }

  private post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.gone) this.worker.postMessage(m, transfer);
  }

  /** Wait for the worker's reply `t` (a failure rejects it). */
  private expect(t: FromWorker["t"]): Promise<void> {
    if (this.failure && t !== "aborted") return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.reply = { t, resolve, reject }));
  }

  private heard(m: FromWorker): void {
    if (m.t === "ack") {
      if (m.slot >= 0) this.free.push(m.slot);
      else {
        this.overflow--;
        if (m.buf) this.spare.push(m.buf);
      }
      if (this.overflow === 0 && this.free.length >= SLOTS / 2) for (const w of this.waiters.splice(0)) w.resolve();
      return;
    }
    if (m.t === "failed") {
      this.fail(openError(m.error));
      return;
    }
    const r = this.reply;
    if (r && r.t === m.t) {
      this.reply = undefined;
      r.resolve();
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
    const r = this.reply;
    // An abort waits for its own answer even after a failure.
    if (r && r.t !== "aborted") {
      this.reply = undefined;
      r.reject(this.failure);
    } else if (r && this.gone) {
      this.reply = undefined;
      r.resolve();
    }
  }
}

function openError(w: WireError): Error {
  return w.file !== undefined ? new OutputOpenError(w.file, w.code, w.message) : fromWire(w);
}

/**
 * The worker from the built JavaScript; from the TypeScript sources (tests, benches under tsx
 * or vitest) through tsx's loader, registered inside the worker.
 */
function startWorker(workerData: WorkerFiles): Worker {
  const js = new URL("./ndjson-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData });
  const ts = new URL("./ndjson-worker.ts", import.meta.url).href;
  const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href;
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(ts)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}
