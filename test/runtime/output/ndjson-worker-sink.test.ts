/**
 * The writer thread (NdjsonWorkerSink + ndjson-worker.ts) writes byte for byte what the in-thread
 * NdjsonSink writes: the committed captures replayed together (every event type, the `capture`
 * field), a generated capture of many flows (bench/replay-capture.ts), and records whose endpoints
 * have more distinct descriptions than the id table holds (the ids start again). A writer that
 * cannot keep up holds the producer back with at most SLOTS messages outstanding; a disk-full
 * write and an output that cannot be opened come back with their codes.
 */
import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as P from "../../../common/abi-packet.js";
import type { EventSink } from "../../../runtime/output/event-sink.js";
import { NdjsonEncoder } from "../../../runtime/output/ndjson-encode.js";
import { EVENT_TYPES, FLOW_TYPES, NdjsonSink } from "../../../runtime/output/ndjson-sink.js";
import { NdjsonWorkerSink, OutputOpenError, SLOTS } from "../../../runtime/output/ndjson-worker-sink.js";
import { StreamedFile } from "../../../runtime/output/streamed-file.js";
import type { EndpointNamer } from "../../../runtime/packet/events.js";
import { RawEventBatch } from "../../../runtime/packet/raw-events.js";
import { CaptureMarks } from "../../../runtime/replay/capture-marks.js";
import { Replay } from "../../../runtime/replay/driver.js";
import { writeReplayCapture } from "../../../bench/replay-capture.js";
import { eventEngine } from "./event-policy.js";

const fixtures = join(import.meta.dirname, "../../fixtures");
const committed = ["captures", "threats", "wild"].flatMap((d) =>
  readdirSync(join(fixtures, d))
    .filter((f) => f.endsWith(".pcap"))
    .sort()
    .map((f) => join(fixtures, d, f)),
);

/** Replay `captures` writing events and flows, in this thread or the writer thread; the two files' bytes. */
async function replayFiles(captures: string[], thread: boolean): Promise<{ events: Buffer; flows: Buffer }> {
  const dir = mkdtempSync(join(tmpdir(), "nvp-worker-sink-"));
  const [ev, fl] = [join(dir, "events.ndjson"), join(dir, "flows.ndjson")];
  const marks = captures.length > 1 ? new CaptureMarks() : undefined;
  const sinks: EventSink[] = thread
    ? [
        await NdjsonWorkerSink.open(
          [
            { path: ev, types: EVENT_TYPES },
            { path: fl, types: FLOW_TYPES },
          ],
          marks,
        ),
      ]
    : [NdjsonSink.events(await StreamedFile.open(ev), marks), NdjsonSink.flows(await StreamedFile.open(fl), marks)];
  const engine = eventEngine();
  const replay = new Replay(engine, sinks);
  for (const c of captures) {
    marks?.begin(c.slice(fixtures.length + 1));
    const run = await replay.capture(c, c);
    expect(run.error).toBeUndefined();
    marks?.end(engine.stats().flows.created);
  }
  await replay.finish();
  expect(readdirSync(dir).sort()).toEqual(["events.ndjson", "flows.ndjson"]);
  return { events: readFileSync(ev), flows: readFileSync(fl) };
}

/** `count` flow-end records from 10.0.x.y to 10.1.x.y (record k's own addresses). */
function flowEnds(count: number, first = 0): Uint8Array {
  const bytes = new Uint8Array(count * P.EV_SIZE);
  const v = new DataView(bytes.buffer);
  for (let k = 0; k < count; k++) {
    const at = k * P.EV_SIZE;
    const n = first + k;
    bytes[at + P.EV_TYPE] = P.EVT_FLOW_END;
    bytes[at + P.EV_PROTO] = 6;
    v.setUint32(at + P.EV_FLOW, n + 1, true);
    v.setUint32(at + P.EV_TIME + 4, 0x17000000 + n, true);
    for (const [addr, net] of [
      [P.EV_CLIENT, 0],
      [P.EV_SERVER, 1],
    ] as const) {
      v.setUint32(at + addr + 4, 0xffff, true);
      v.setUint32(at + addr, (10 << 24) | (net << 16) | (n & 0xffff), true);
    }
    v.setUint16(at + P.EV_CPORT, 40000 + (n % 1000), true);
    v.setUint16(at + P.EV_SPORT, 443, true);
  }
  return bytes;
}

/** A namer that gives every address its own description (so descriptions outnumber the id table). */
const addressNamer = { describe: (ip: bigint) => ({ name: `host-${ip & 0xffffffffn}`, groups: ["any", "external"] }) } as unknown as EndpointNamer;
/** A namer that gives every address one description (as outside addresses of one class get). */
const outside = { groups: ["any", "external"] };
const classNamer = { describe: () => outside } as unknown as EndpointNamer;

/** What the in-thread encoder prints for these batches (every record). */
function encoded(batches: RawEventBatch[]): Buffer {
  const chunks: Uint8Array[] = [];
  const enc = new NdjsonEncoder((b) => chunks.push(b));
  for (const b of batches) for (let k = 0; k < b.count; k++) enc.record(b, k);
  enc.end();
  return Buffer.concat(chunks);
}

describe("NDJSON files from the writer thread", () => {
  test("the committed captures, replayed together: the same bytes as in one thread", async () => {
    const one = await replayFiles(committed, false);
    const two = await replayFiles(committed, true);
    expect(one.flows.length).toBeGreaterThan(10_000);
    expect(one.events.length).toBeGreaterThan(10_000);
    expect(two.flows.equals(one.flows)).toBe(true);
    expect(two.events.equals(one.events)).toBe(true);
    // Several captures: every line names its capture.
    expect(two.flows.toString().split("\n")[0]).toMatch(/^\{"capture":"captures\//);
  });

  test("a generated capture of many flows: the same bytes as in one thread", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "nvp-worker-sink-")), "many.pcap");
    await writeReplayCapture(file, 40_000);
    const one = await replayFiles([file], false);
    const two = await replayFiles([file], true);
    expect(one.flows.toString().split("\n").length).toBeGreaterThan(3000);
    expect(two.flows.equals(one.flows)).toBe(true);
    expect(two.events.equals(one.events)).toBe(true);
  });

  test("more distinct endpoint descriptions than the id table holds: the ids start again, same bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-worker-sink-"));
    // A table of 1,000 ids; 6,000 records of two addresses each: 12,000 descriptions, 12 restarts.
    const sink = await NdjsonWorkerSink.open([{ path: join(dir, "flows.ndjson"), types: FLOW_TYPES }], undefined, 1000);
    const batches: RawEventBatch[] = [];
    for (let at = 0; at < 6000; at += 1500) {
      const b = new RawEventBatch(flowEnds(1500, at), 1500, addressNamer);
      batches.push(b);
      sink.write(b);
      const wait = sink.ready();
      if (wait) await wait;
    }
    await sink.end();
    await sink.commit();
    const out = readFileSync(join(dir, "flows.ndjson"));
    expect(out.toString().split("\n")[0]).toContain('"name":"host-167772160"');
    expect(out.equals(encoded(batches))).toBe(true);
  });

  test("a new DNS resolution between batches renames the same address in the records after it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-worker-sink-"));
    const sink = await NdjsonWorkerSink.open([{ path: join(dir, "flows.ndjson"), types: FLOW_TYPES }]);
    // As EndpointNamer does: setResolutions() bumps the generation, descriptions follow it.
    const namer = { generation: 0, describe: () => ({ groups: namer.generation ? ["any", "external", "names"] : ["any", "external"] }) };
    const chunks: Uint8Array[] = [];
    const enc = new NdjsonEncoder((b) => chunks.push(b));
    for (let g = 0; g < 3; g++) {
      // The same 200 addresses in every batch.
      const b = new RawEventBatch(flowEnds(200), 200, namer as unknown as EndpointNamer);
      sink.write(b);
      for (let k = 0; k < b.count; k++) enc.record(b, k);
      namer.generation++;
    }
    enc.end();
    await sink.end();
    await sink.commit();
    const out = readFileSync(join(dir, "flows.ndjson"));
    expect(out.toString()).toContain('"groups":["any","external","names"]');
    expect(out.equals(Buffer.concat(chunks))).toBe(true);
  });

  test("batches larger than the free slots overflow into buffers that come back and are reused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-worker-sink-"));
    const sink = await NdjsonWorkerSink.open([{ path: join(dir, "flows.ndjson"), types: FLOW_TYPES }]);
    const batches: RawEventBatch[] = [];
    // Each batch is 40 messages' worth: 16 go into slots, the rest into buffers of their own.
    for (let i = 0; i < 3; i++) {
      const b = new RawEventBatch(flowEnds(40 * 1024, i * 40 * 1024), 40 * 1024, classNamer);
      batches.push(b);
      sink.write(b);
      await sink.ready();
    }
    await sink.end();
    await sink.commit();
    expect(sink.peakOverflow).toBeGreaterThanOrEqual(24);
    expect(sink.buffersMade).toBe(sink.peakOverflow);
    expect(readFileSync(join(dir, "flows.ndjson")).equals(encoded(batches))).toBe(true);
  });

  test.skipIf(!existsSync("/usr/bin/mkfifo"))("a writer that cannot keep up holds the producer back; nothing is lost", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-worker-sink-"));
    const fifo = join(dir, "slow.ndjson");
    execFileSync("mkfifo", [fifo]);
    const reader = createReadStream(fifo);
    const got: Buffer[] = [];
    const closed = new Promise<void>((r) => reader.on("close", () => r()));
    reader.pause();
    const sink = await NdjsonWorkerSink.open([{ path: fifo, types: FLOW_TYPES }]);
    const batches = Array.from({ length: 120 }, (_, i) => new RawEventBatch(flowEnds(500, i * 500), 500, classNamer));
    let sent = 0;
    let held!: () => void;
    const heldBack = new Promise<void>((r) => (held = r));
    const producer = (async () => {
      for (const b of batches) {
        sink.write(b);
        sent++;
        const wait = sink.ready();
        if (wait) {
          held();
          await wait;
        }
      }
    })();
    // The reader reads nothing: the pipe fills, the writer thread waits, the producer is held.
    await heldBack;
    expect(sent).toBeLessThan(batches.length);
    expect(sink.unacknowledged).toBeLessThanOrEqual(SLOTS);
    expect(sink.peakOverflow).toBe(0);
    reader.on("data", (c) => got.push(c as Buffer));
    reader.resume();
    await producer;
    await sink.end();
    await sink.commit();
    await closed;
    expect(sent).toBe(batches.length);
    expect(sink.peakOverflow).toBe(0);
    expect(Buffer.concat(got).equals(encoded(batches))).toBe(true);
  });

  test.skipIf(!existsSync("/dev/full"))("a full disk is ENOSPC, from ready() or end()", async () => {
    const sink = await NdjsonWorkerSink.open([{ path: "/dev/full", types: FLOW_TYPES }]);
    const error = await (async () => {
      for (let i = 0; i < 40; i++) {
        sink.write(new RawEventBatch(flowEnds(1000, i * 1000), 1000, classNamer));
        await sink.ready();
      }
      await sink.end();
    })().catch((e: NodeJS.ErrnoException) => e);
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
    await sink.abort();
  });

  test("an output that cannot be opened names the file and its code; nothing is left behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nvp-worker-sink-"));
    mkdirSync(join(dir, "sub"));
    const opening = (paths: string[]) => NdjsonWorkerSink.open(paths.map((p) => ({ path: join(dir, p), types: FLOW_TYPES }))).catch((e: unknown) => e);
    const a = await opening(["ok.ndjson", "sub"]);
    expect(a).toBeInstanceOf(OutputOpenError);
    expect([(a as OutputOpenError).file, (a as OutputOpenError).code]).toEqual([1, "EISDIR"]);
    const b = await opening(["missing/flows.ndjson"]);
    expect([(b as OutputOpenError).file, (b as OutputOpenError).code]).toEqual([0, "ENOENT"]);
    expect(readdirSync(dir)).toEqual(["sub"]);
  });
});
