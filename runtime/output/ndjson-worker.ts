/**
 * The NDJSON writer thread: takes raw event records from the replay's thread (ndjson-wire.ts),
 * encodes them into the --events and --flows files (NdjsonSink, the same encoder and file writer
 * as in one thread) and writes them, so the encoding runs on the second core beside the engine.
 * Messages are handled strictly in order, one at a time: a batch is acknowledged only once the
 * files' writers took it, so the replay's thread, which waits for acknowledgements beyond a few
 * MiB, slows down with the disk instead of piling up records (ndjson-worker-sink.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import * as P from "../../common/abi-packet.js";
import { IdEndpoints } from "./endpoint-json.js";
import { NdjsonSink } from "./ndjson-sink.js";
import { NO_CAPTURE, toWire, WIRE_BYTES, WIRE_SIDE, WIRE_SIDE_AT, type FromWorker, type ToWorker, type WorkerFiles } from "./ndjson-wire.js";
import { StreamedFile } from "./streamed-file.js";

const port = parentPort;
if (!port) throw new Error("ndjson-worker.ts runs as a worker thread");
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

const { files, slots } = workerData as WorkerFiles;
const sinks: NdjsonSink[] = [];
const ends = new IdEndpoints(WIRE_SIDE);
const captures: string[] = [];
/** Once a write failed, batches are acknowledged unread: the replay stops at its next wait. */
let failed = false;

async function open(): Promise<void> {
  for (let i = 0; i < files.length; i++) {
    const f = files[i] as WorkerFiles["files"][number];
    try {
      sinks.push(new NdjsonSink(await StreamedFile.open(f.path), new Set(f.types)));
    } catch (e) {
      for (const s of sinks) await s.abort();
      sinks.length = 0;
      post({ t: "failed", error: toWire(e, i) });
      return;
    }
  }
  post({ t: "opened" });
}

async function batch(m: Extract<ToWorker, { t: "batch" }>): Promise<void> {
  if (!failed) {
    ends.learn(m.fresh, m.restarted);
    captures.push(...m.captures);
    const buffer = m.buf ?? slots;
    const base = m.slot < 0 ? 0 : m.slot * WIRE_BYTES;
    const view = new DataView(buffer, base, m.count * P.EV_SIZE);
    const side = new Uint32Array(buffer, base + WIRE_SIDE_AT, m.count * WIRE_SIDE);
    ends.ids = side;
    const capture = captures.length ? (k: number) => (side[k * WIRE_SIDE + 2] === NO_CAPTURE ? undefined : captures[side[k * WIRE_SIDE + 2] as number]) : undefined;
    try {
      for (const s of sinks) {
        s.encodeRecords(view, m.count, ends, capture);
        const wait = s.ready();
        if (wait) await wait;
      }
    } catch (e) {
      failed = true;
      post({ t: "failed", error: toWire(e) });
    }
  }
  // An overflow message's own buffer goes back for the next one.
  if (m.buf) post({ t: "ack", slot: m.slot, buf: m.buf }, [m.buf]);
  else post({ t: "ack", slot: m.slot });
}

/** end, commit or abort every file, then say so (or the first error). */
async function finish(step: "end" | "commit" | "abort", done: FromWorker): Promise<void> {
  try {
    for (const s of sinks) await s[step]();
    post(done);
  } catch (e) {
    post({ t: "failed", error: toWire(e) });
  }
}

let chain = open();
port.on("message", (m: ToWorker) => {
  chain = chain.then(() => {
    if (m.t === "batch") return batch(m);
    if (m.t === "end") return finish("end", { t: "ended" });
    if (m.t === "commit") return finish("commit", { t: "committed" });
    return finish("abort", { t: "aborted" });
  });
});
