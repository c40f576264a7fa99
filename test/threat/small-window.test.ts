/**
 * asm/threat/small-window.ts: a client window that collapses early in a connection and stays
 * small for the duration reports once; a window that recovers before the duration, a bulk
 * transfer, a small drop or a client that already sent data never fires.
 */
import { describe, expect, test } from "vitest";
import { loadTrackers, type Trackers } from "./trackers-harness.js";

/** A flow's 16-byte state; client packets carry a window, server packets only move time. */
function flow(t: Trackers) {
  const state = t.alloc(16);
  let client = 0n;
  let server = 0n;
  return {
    client(window: number, now: number, sent = 0) {
      client += BigInt(sent);
      t.ex.tcpWindow(state, 1, window, client, server, BigInt(now));
    },
    server(now: number, sent = 0) {
      server += BigInt(sent);
      t.ex.tcpWindow(state, 0, 0, client, server, BigInt(now));
    },
  };
}

describe("TCP small window", () => {
  test("a window that falls to 0 and stays there 8 s reports once", async () => {
    const t = await loadTrackers();
    const f = flow(t);
    f.client(65535, 0); // handshake ACK
    f.client(65535, 10, 120); // the request
    f.client(0, 100);
    for (let now = 1100; now < 8100; now += 1000) {
      f.server(now); // zero-window probe
      f.client(0, now + 1);
    }
    expect(t.findings()).toEqual([]);
    f.server(8100);
    expect(t.findings()).toEqual([{ threat: "tcp-small-window", evidence: "client window 0 bytes for 8000ms" }]);
    for (let now = 9000; now < 30_000; now += 1000) f.client(0, now);
    f.client(65535, 30_000);
    f.client(0, 30_001);
    f.server(60_000);
    expect(t.findings()).toEqual([]);
  });

  test("a window that recovers before the duration never fires", async () => {
    const t = await loadTrackers();
    const f = flow(t);
    f.client(65535, 0);
    f.client(8, 100);
    f.client(8, 7000);
    f.client(16, 8000); // back at the size: over
    for (let now = 9000; now < 30_000; now += 500) f.client(65535, now);
    expect(t.findings()).toEqual([]);
  });

  test("a bulk transfer whose reader stalls never fires", async () => {
    const t = await loadTrackers();
    const f = flow(t);
    f.client(65535, 0, 200);
    for (let now = 10; now < 2000; now += 10) {
      f.server(now, 1448);
      f.client(65535 - ((now * 97) % 60_000), now + 1);
    }
    // The reader stops: the window closes with 300 KB already sent by the server.
    for (let now = 2000; now < 30_000; now += 200) {
      f.client(0, now);
      f.server(now + 1);
    }
    expect(t.findings()).toEqual([]);
  });

  test("a drop of 4 KB or less, or a client that sent 8 KB, does not start it", async () => {
    const t = await loadTrackers();
    const small = flow(t);
    small.client(4096, 0);
    small.client(0, 100);
    small.server(20_000);
    const busy = flow(t);
    busy.client(65535, 0, 8192);
    busy.client(0, 100);
    busy.server(20_000);
    const busyServer = flow(t);
    busyServer.client(65535, 0);
    busyServer.server(50, 16384);
    busyServer.client(0, 100);
    busyServer.server(20_000);
    expect(t.findings()).toEqual([]);
    const justOver = flow(t);
    justOver.client(4097, 0, 8191);
    justOver.server(50, 16383);
    justOver.client(0, 100);
    justOver.server(8100);
    expect(t.findings().map((x) => x.threat)).toEqual(["tcp-small-window"]);
  });

  test("size and duration come from the parameters", async () => {
    const t = await loadTrackers();
    t.set("tcp-small-window.size", 1024).set("tcp-small-window.duration", 2000);
    const f = flow(t);
    f.client(65535, 0);
    f.client(1000, 500);
    f.client(1023, 2499);
    expect(t.findings()).toEqual([]);
    f.client(1023, 2500);
    expect(t.findings()).toEqual([{ threat: "tcp-small-window", evidence: "client window 1023 bytes for 2000ms" }]);
  });
});
