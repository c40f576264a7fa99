/**
 * The NDJSON encoder prints exactly `JSON.stringify(decodeEvent(record))` for every record: the
 * events and flow records of every committed capture (clean sessions, attacks and the wild corpus
 * with its VLANs and tunnels, under a policy
 * that gives every event type), and records of random bytes (any type, action, mode, time, count).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import * as P from "../../../common/abi-packet.js";
import { parseCaptureBuffer } from "../../../runtime/capture/index.js";
import { NdjsonEncoder } from "../../../runtime/output/ndjson-encode.js";
import { RawEventBatch } from "../../../runtime/packet/engine.js";
import { eventEngine } from "./event-policy.js";

const fixtures = join(import.meta.dirname, "../../fixtures");

function encodeAll(batch: RawEventBatch): string[] {
  const chunks: Uint8Array[] = [];
  // A small chunk size: records split across chunks must join up.
  const enc = new NdjsonEncoder((b) => chunks.push(b), 700);
  for (let k = 0; k < batch.count; k++) enc.record(batch, k);
  enc.end();
  return Buffer.concat(chunks).toString("utf8").split("\n").filter(Boolean);
}

function decodeAll(batch: RawEventBatch): string[] {
  const out: string[] = [];
  for (let k = 0; k < batch.count; k++) {
    const e = batch.decode(k);
    if (e) out.push(JSON.stringify(e));
  }
  return out;
}

describe("NDJSON encoder", () => {
  test("prints every fixture's events exactly as JSON.stringify(decodeEvent)", () => {
    const e = eventEngine();
    const types = new Set<string>();
    let n = 0;
    const check = (b: RawEventBatch) => {
      const want = decodeAll(b);
      expect(encodeAll(b)).toEqual(want);
      for (const l of want) types.add(JSON.parse(l).type);
      n += want.length;
    };
    const keys = new Set<string>();
    const check2 = (b: RawEventBatch) => {
      check(b);
      for (const l of decodeAll(b)) for (const k of Object.keys(JSON.parse(l))) keys.add(k);
    };
    for (const dir of ["captures", "threats", "wild"]) {
      for (const f of readdirSync(join(fixtures, dir)).filter((x) => x.endsWith(".pcap")).sort()) {
        e.feed(parseCaptureBuffer(readFileSync(join(fixtures, dir, f))).packets);
        e.takeRawEvents(check2);
      }
    }
    e.flush();
    e.takeRawEvents(check2);
    // The wild captures carry VLANs, tunnels and flows identified or not, with why.
    for (const k of ["confidence", "unidentified", "vlan", "innerVlan", "tunnel"]) expect([k, keys.has(k)]).toEqual([k, true]);
    expect([...types].sort()).toEqual(["deny", "flow-end", "learn", "reset", "threat", "violation"]);
    expect(n).toBeGreaterThan(500);
  });

  test("prints records of random bytes exactly as JSON.stringify(decodeEvent)", () => {
    const e = eventEngine();
    let namer: RawEventBatch["namer"] | undefined;
    e.feed(parseCaptureBuffer(readFileSync(join(fixtures, "captures/postgresql.pcap"))).packets);
    e.flush();
    e.takeRawEvents((b) => (namer = b.namer));
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 255;
    const count = 2000;
    const bytes = new Uint8Array(count * P.EV_SIZE);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rnd();
    for (let k = 0; k < count; k++) {
      const at = k * P.EV_SIZE;
      // Mostly valid codes, so every branch is taken; sometimes anything.
      if (k % 8) {
        bytes[at + P.EV_TYPE] = 1 + (rnd() % 6);
        bytes[at + P.EV_PROTO] = [6, 17, 1, 58, 47][rnd() % 5]!;
        bytes[at + P.EV_ACTION] = rnd() % 6;
        bytes[at + P.EV_MODE] = rnd() % 5;
        bytes[at + P.EV_THREAT] = rnd() % 40;
        bytes[at + P.EV_XFF] = rnd() % 4 === 0 ? 1 : 0;
        bytes[at + P.EV_APP + 2] = 0;
        bytes[at + P.EV_APP + 3] = 0;
        bytes[at + P.EV_CLIENT_KIND] = rnd() % 5;
        // IPv4-mapped addresses half the time.
        if (rnd() & 1) bytes.fill(0, at + P.EV_CLIENT, at + P.EV_CLIENT + 10).fill(255, at + P.EV_CLIENT + 10, at + P.EV_CLIENT + 12);
        if (rnd() & 1) bytes.fill(0, at + P.EV_TIME + 6, at + P.EV_TIME + 8);
      }
    }
    const batch = new RawEventBatch(bytes, count, namer!);
    expect(encodeAll(batch)).toEqual(decodeAll(batch));
  });
});
