/**
 * The packet path with every threat detector running never traps and never hangs: every detection
 * on (the off-by-default ones too) with thresholds, windows and timeouts low enough that random
 * traffic reaches every rate, tracker and timer state; the threat captures mutated and reordered
 * with gaps in time; TCP segments of random payload, sequence numbers, windows and flags on the
 * ports whose flows the stream detectors read (in-order, overlapping, retransmitted, past a gap);
 * random DNS over UDP and TCP, ICMP echoes; idle time (expiry runs the end-of-flow checks). Each
 * run checks one verdict per packet, bounded flows and memory unchanged, in Monitor and Protect.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Mode } from "../../common/schema.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import type { PacketEngine, PacketInput } from "../../runtime/packet/engine.js";
import { icmp, input, ipv4, tcp, udp } from "../packet/craft.js";
import { engineFor, inventory, workload } from "../packet/engine.js";
import { mutate, mutation } from "../packet/mutate.js";
import { propertyRuns } from "../property-runs.js";

const RUNS = propertyRuns(300, 300);
const SMALL = { flows: 64, prefixSlots: 8, fragSlots: 4, fragBytes: 4096, events: 64, dnsNames: 8, batchPackets: 64, batchBytes: 256 * 1024, meterSlots: 16 };
const EAGER = [
  "tls-1.0 on; tls-1.1 on; dns-null-type on; http-slowloris on; tcp-small-window on",
  "syn-flood.threshold 3; syn-flood.release 1; syn-flood.window 100ms",
  "icmp-flood.threshold 3; icmp-flood.release 2; icmp-flood.window 100ms",
  "dns-flood.threshold 3; dns-flood.release 1; dns-flood.window 100ms",
  "dns-tunneling.threshold 2; dns-tunneling.label-length 8; dns-tunneling.window 1s",
  "icmp-tunneling.threshold 1; tcp-small-window.size 4096; tcp-small-window.duration 100ms",
  "http-slowloris.header-timeout 100ms; http-slowloris.body-timeout 100ms; dns-overflow.size 512",
].join("; ");

const C = "10.0.0.9";
const S = "10.0.0.10";

function engine(mode: Mode): PacketEngine {
  const policy = [`policy fuzz`, `service lab = nv.lab.fuzz { mode ${mode} }`, "rule 10 allow any -> any", `settings { ${EAGER} }`].join("\n");
  return engineFor(policy, { inventory: inventory([workload("client-1", "fuzz", "lab", [C]), workload("server-1", "fuzz", "lab", [S])]), settings: SMALL });
}

function check(e: PacketEngine, packets: PacketInput[]): void {
  const before = e.stats().memory.engineBytes;
  const v = e.process(packets);
  expect(v).toHaveLength(packets.length);
  const last = packets.at(-1)?.ts ?? 0n;
  // Idle long enough that every flow expires: the end-of-flow checks run without packets.
  e.tick(last + 7_200_000_000_000n);
  const s = e.stats();
  expect(s.flows.active).toBeLessThanOrEqual(SMALL.flows);
  expect(s.memory.engineBytes).toBe(before);
  e.drainEvents();
}

/** The detectors did run: threats were reported along the way (printed for a look with NVP_FUZZ_SHOW). */
function reached(e: PacketEngine): void {
  const t = e.stats().threats;
  if (process.env.NVP_FUZZ_SHOW) console.log(JSON.stringify(t.byThreat), t.streamGaps);
  expect(t.reported).toBeGreaterThan(0);
}

const DIR = join(import.meta.dirname, "../fixtures/threats");
const attacks: Uint8Array[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".pcap"))
  .flatMap((f) => parseCaptureBuffer(readFileSync(join(DIR, f))).packets.map((p) => p.data.slice(Math.max(0, p.l3Offset))));

/** A payload that starts like the protocol on its port often enough to get the parsers going. */
const PREFIXES = ["GET / HTTP/1.1\r\nContent-Length: 5\r\n", "\x16\x03\x01\x00\x30\x01", "\x80\x25\x01\x00\x02", "\x00\x1d\x12\x34\x01\x00\x00\x01", "SSH-1.5-x\r\n", "\x03\x00\x00\x20"];
const segment = fc.record({
  fromClient: fc.boolean(),
  port: fc.constantFrom(53, 80, 443, 3306, 5432, 1433, 1521, 22, 8080),
  flags: fc.constantFrom(0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x19),
  seq: fc.oneof(fc.nat({ max: 4000 }), fc.nat({ max: 0xffffffff })),
  window: fc.nat({ max: 65535 }),
  prefix: fc.nat({ max: PREFIXES.length }),
  body: fc.uint8Array({ maxLength: 300 }),
  dt: fc.nat({ max: 400 }),
});

describe("fuzz: the packet path with every threat detector", () => {
  for (const mode of ["monitor", "protect"] as const) {
    test(`${mode}: mutated threat captures`, () => {
      const e = engine(mode);
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat({ max: attacks.length - 1 }), fc.array(mutation, { maxLength: 3 })), { minLength: 1, maxLength: 80 }), fc.nat(), (xs, t) => {
          check(e, xs.map(([k, ms], i) => input(mutate(attacks[k] as Uint8Array, ms), t + i)));
        }),
        { numRuns: RUNS },
      );
      reached(e);
    });

    test(`${mode}: threat captures in random order with gaps in time`, () => {
      const e = engine(mode);
      fc.assert(
        fc.property(fc.shuffledSubarray(attacks, { minLength: 1, maxLength: 120 }), fc.array(fc.nat({ max: 40_000 }), { maxLength: 120 }), (ps, gaps) => {
          let t = 0;
          check(e, ps.map((p, i) => input(p, (t += gaps[i] ?? 1))));
        }),
        { numRuns: RUNS },
      );
      reached(e);
    });

    test(`${mode}: TCP streams of random segments on the detectors' ports`, () => {
      const e = engine(mode);
      fc.assert(
        fc.property(fc.array(segment, { minLength: 1, maxLength: 60 }), (segs) => {
          let t = 0;
          check(e, segs.map((s) => {
            const head = PREFIXES[s.prefix] ?? "";
            const payload = new Uint8Array([...Buffer.from(head, "latin1"), ...s.body]);
            const [src, dst, sp, dp] = s.fromClient ? [C, S, 40000, s.port] : [S, C, s.port, 40000];
            return input(ipv4(src, dst, 6, tcp(sp, dp, s.flags, payload, { seq: s.seq, window: s.window })), (t += s.dt));
          }));
        }),
        { numRuns: RUNS },
      );
      reached(e);
    });

    test(`${mode}: DNS queries over UDP and TCP, ICMP echoes`, () => {
      const e = engine(mode);
      const query = fc.tuple(fc.uint8Array({ minLength: 12, maxLength: 120 }), fc.nat({ max: 255 })).map(([b, label]) => {
        const d = new Uint8Array(b);
        d[2] = 0x01;
        d[3] = 0x00;
        d[4] = 0;
        d[5] = 1;
        if (d.length > 13) d[12] = label & 63;
        return d;
      });
      const packet = fc.oneof(
        fc.tuple(query, fc.nat({ max: 3 })).map(([d, port]) => ipv4(C, S, 17, udp(30000 + port, 53, d))),
        fc.tuple(query, fc.nat({ max: 5000 })).map(([d, seq]) => ipv4(C, S, 6, tcp(30001, 53, 0x18, new Uint8Array([d.length >> 8, d.length & 255, ...d]), { seq }))),
        fc.tuple(fc.boolean(), fc.nat({ max: 3 }), fc.uint8Array({ maxLength: 64 })).map(([reply, seq, body]) => (reply ? ipv4(S, C, 1, icmp(0, 0, 7, seq, body)) : ipv4(C, S, 1, icmp(8, 0, 7, seq, body)))),
      );
      fc.assert(
        fc.property(fc.array(fc.tuple(packet, fc.nat({ max: 60 })), { minLength: 1, maxLength: 80 }), (xs) => {
          let t = 0;
          check(e, xs.map(([d, dt]) => input(d, (t += dt))));
        }),
        { numRuns: RUNS },
      );
      reached(e);
    });
  }
});
