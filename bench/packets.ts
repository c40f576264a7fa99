/**
 * Packet-path benchmark (not a test): packets per second and Gbit/s, single-threaded, through the
 * whole path (host copy into engine memory, decode, reassembly, flow table, TCP state, decisions,
 * DPI and re-decision, DNS snooping, threat detection, verdicts counted, events moved out of the
 * engine), with threat detection off (the PSF_THREATS switch) and with every detection on (the
 * off-by-default ones too), the two engines taking turns pass by pass in the same run, on
 *   1. every committed capture fixture, looped 64 times in memory per pass (times shifted per loop),
 *   2. the threat captures (test/fixtures/threats: floods and attacks), looped 16 times, and
 *   3. a large generated mixed capture (TCP conversations with real application first bytes and
 *      bulk data, DNS over UDP, ICMP echo, fragmented datagrams), written to a pcap file;
 * the inventory names every server (and the loopback and threat-capture addresses) as a workload,
 * so the floods meter them. Decoding the queued events into objects (drainEvents) is a column of
 * its own: "on, events decoded too". When `ndpiReader` is there (or `apt-get install -y
 * libndpi-bin` gets it), nDPI's own single-threaded throughput on the generated file, and the ratio.
 * Figures: docs/formats.md "Throughput", docs/threats.md "Cost", docs/performance.md.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { join } from "node:path";
import { frameFor, LINKTYPE, parseCaptureBuffer, writePcap, type PacketToWrite } from "../runtime/capture/index.js";
import { loadModule } from "../runtime/index.js";
import type { Inventory } from "../common/schema.js";
import { PacketEngine, type PacketInput } from "../runtime/packets.js";
import { checkSources, compileModule } from "../compiler/pipeline.js";
import { captureFlows } from "../test/dpi/flows.js";
import { ACK, FIN, PSH, SYN, bytesOf, icmp, ip, ipv4, tcp, udp } from "../test/packet/craft.js";

const USAGE = `usage: npx tsx bench/packets.ts [--quick] [--no-ndpi]
  --quick    shorter passes, the small inputs looped 8 times (not 64) and a 4,000-flow generated
             capture (not 40,000)
  --no-ndpi  skip nDPI's throughput on the generated capture`;
if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
const quick = process.argv.includes("--quick");
const CAPTURES = join(import.meta.dirname, "../test/fixtures/captures");
const THREAT_CAPTURES = join(import.meta.dirname, "../test/fixtures/threats");
const POLICY = `policy bench
settings { default-mode monitor }
service web = nv.web.shop { mode protect }
group names { address "www.example.test", "*.example.test", vh:www.example.test }
rule 10 allow any -> any app http, ssl
rule 20 allow any -> any app postgresql, mysql, redis
rule 30 allow any -> any port udp/53
rule 40 deny any -> any app ssh
rule 50 allow any -> names
`;
/** Every detection on, the ones off by default too. */
const ALL_THREATS = "settings { tls-1.0 on; tls-1.1 on; dns-null-type on; http-slowloris on; tcp-small-window on }\n";

/** The mixed capture's servers (172.16.0.0/20) and DNS server, the loopback and the threat captures' hosts. */
function benchInventory(): Inventory {
  const servers = Array.from({ length: 4096 }, (_, i) => `172.16.${(i >> 8) & 15}.${i & 255}`);
  const ips = [...servers, "10.255.0.53", "127.0.0.1", "::1", "10.0.0.9", "10.0.0.10"];
  return { workloads: [{ name: "servers", namespace: "bench", service: "servers", labels: {}, nsLabels: {}, images: [], containers: [], node: "node-1", ips }], nodes: [], internalSubnets: [], serviceExternalIps: [] };
}
const INVENTORY = benchInventory();

function engine(threats: boolean): PacketEngine {
  const r = checkSources({ "bench.nvp": POLICY + ALL_THREATS }, ["bench.nvp"]);
  if (!r.model) throw new Error("the bench policy does not check");
  return new PacketEngine(loadModule(compileModule(r.model).bytes), { eventQueue: 4096, inventory: INVENTORY, settings: { threats } });
}

interface Figure {
  packets: number;
  bytes: number;
  /** Median pass (s), threats off and on: feed(), events moved out of the engine. */
  off: number;
  on: number;
  /** Median of (threats-on pass + its drainEvents()), and the events that drainEvents() decoded per pass. */
  onDrained: number;
  events: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/**
 * A young-generation collection between passes, outside the timing: the time shift below
 * allocates a BigInt per packet, and collecting that in a timed pass would charge the engine for
 * the bench's garbage (feed() itself allocates nothing per packet). Not a full collection: its
 * concurrent sweeping would share the CPU with the next pass. A no-op where V8 refuses the flag.
 */
const collect: () => void = (() => {
  v8.setFlagsFromString("--expose-gc");
  const gc = runInNewContext("typeof gc === 'function' ? gc : undefined") as ((options?: { type: string }) => void) | undefined;
  return gc ? () => gc({ type: "minor" }) : () => {};
})();

/**
 * Feed the packets again and again to an engine with threats off and one with every detection
 * on, taking turns (the order alternating; times shifted by `shift` ns before each pair of passes,
 * outside the timing, so the previous pass's flows time out as they would), for about `ms`; the
 * median passes. A pass is feed(): every packet copied in, decoded and run through the whole
 * path, its verdict counted, the events moved out of the engine into the host queue (raw, up to
 * `eventQueue`). Decoding those events into objects (drainEvents) is timed on its own.
 */
function measure(packets: PacketInput[], ms: number, shift: bigint): Figure {
  const off = engine(false);
  const on = engine(true);
  const bytes = packets.reduce((n, p) => n + p.data.length - Math.max(0, p.l3Offset), 0);
  off.feed(packets);
  on.feed(packets);
  off.drainEvents();
  on.drainEvents();
  const passes: [number[], number[]] = [[], []];
  const drained: number[] = [];
  let events = 0;
  const start = performance.now();
  while (performance.now() - start < ms || passes[0].length < 3) {
    for (const p of packets) p.ts += shift;
    collect();
    const order = passes[0].length % 2 ? [1, 0] : [0, 1];
    for (const k of order) {
      const e = k ? on : off;
      const t = performance.now();
      e.feed(packets);
      const fed = performance.now();
      const n = e.drainEvents().length;
      passes[k]!.push((fed - t) / 1000);
      if (k) {
        drained.push((performance.now() - t) / 1000);
        events = n;
      }
    }
  }
  return { packets: packets.length, bytes, off: median(passes[0]), on: median(passes[1]), onDrained: median(drained), events };
}

// ---- the generated mixed capture ------------------------------------------------------------

type Msgs = [boolean, Uint8Array][];

function firstMessages(file: string): Msgs {
  const f = captureFlows(join(CAPTURES, file))[0];
  if (!f) return [];
  const out: Msgs = [];
  for (const p of f.packets) if (p.payload.length && !out.some((m) => m[0] === (p.dir === 0))) out.push([p.dir === 0, p.payload]);
  return out;
}

const APPS: Msgs[] = [
  [[true, bytesOf("GET /index.html HTTP/1.1\r\nHost: www.example.test\r\nUser-Agent: bench\r\n\r\n")], [false, bytesOf("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 28000\r\n\r\n")]],
  firstMessages("nginx-tls.pcap"),
  firstMessages("postgresql.pcap"),
  firstMessages("redis.pcap"),
  firstMessages("mysql.pcap"),
  firstMessages("ssh.pcap"),
];
const DNS = firstMessages("dns.pcap");

/** One flow's IP packets (times are assigned when flows are interleaved). */
function flowPackets(i: number): Uint8Array[] {
  const c = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const s = `172.16.${(i >> 8) & 15}.${i & 255}`;
  const cp = 10000 + (i % 50000);
  const kind = i % 20;
  if (kind < 12) {
    const msgs = APPS[i % APPS.length] as Msgs;
    const out: Uint8Array[] = [];
    let cs = 1000;
    let ss = 9000;
    const seg = (fromClient: boolean, flags: number, payload: Uint8Array = new Uint8Array(0)) => {
      out.push(fromClient ? ipv4(c, s, 6, tcp(cp, 443, flags, payload, { seq: cs, ack: ss })) : ipv4(s, c, 6, tcp(443, cp, flags, payload, { seq: ss, ack: cs })));
      const grow = payload.length + (flags & (SYN | FIN) ? 1 : 0);
      if (fromClient) cs += grow;
      else ss += grow;
    };
    seg(true, SYN);
    seg(false, SYN | ACK);
    seg(true, ACK);
    for (const [fromClient, m] of msgs) seg(fromClient, PSH | ACK, m);
    const bulk = new Uint8Array(1400).fill(0x5a);
    for (let k = 0; k < 20; k++) {
      seg(false, ACK, bulk);
      if (k % 2) seg(true, ACK);
    }
    seg(true, FIN | ACK);
    seg(false, FIN | ACK);
    seg(true, ACK);
    return out;
  }
  if (kind < 17) return DNS.map(([q, m]) => (q ? ipv4(c, "10.255.0.53", 17, udp(cp, 53, m)) : ipv4("10.255.0.53", c, 17, udp(53, cp, m))));
  if (kind < 19) return [ip(c, s, 1, icmp(8, 0, i & 0xffff, 1, new Uint8Array(56))), ip(s, c, 1, icmp(0, 0, i & 0xffff, 1, new Uint8Array(56)))];
  const dgram = udp(cp, 5000, new Uint8Array(3000).fill(1));
  const frags: Uint8Array[] = [];
  for (let off = 0; off < dgram.length; off += 1480) frags.push(ipv4(c, s, 17, dgram.subarray(off, off + 1480), { id: i & 0xffff, fragOffset: off, more: off + 1480 < dgram.length }));
  return frags;
}

/** `flows` flows, about 200 open at a time, interleaved packet by packet; Ethernet frames. */
function mixedCapture(flows: number): Uint8Array {
  const out: PacketToWrite[] = [];
  const open: Uint8Array[][] = [];
  let next = 0;
  let t = 1_700_000_000_000_000_000n;
  while (next < flows || open.length) {
    while (open.length < 200 && next < flows) open.push(flowPackets(next++));
    for (let k = open.length - 1; k >= 0; k--) {
      const f = open[k] as Uint8Array[];
      const p = f.shift();
      if (p) out.push({ data: frameFor(LINKTYPE.ETHERNET, p), ts: (t += 2000n) });
      if (!f.length) open.splice(k, 1);
    }
  }
  return writePcap(out, LINKTYPE.ETHERNET);
}

/** nDPI's throughput line, `nDPI throughput: 89.29 K pps / 84.81 Mb/sec`, as pps and bit/s. */
function ndpi(file: string): { pps: number; bps: number } | string {
  if (process.argv.includes("--no-ndpi")) return "skipped";
  const have = () => spawnSync("ndpiReader", ["-h"], { stdio: "ignore" }).error === undefined;
  if (!have()) {
    const r = spawnSync("apt-get", ["install", "-y", "libndpi-bin"], { stdio: "ignore" });
    if (r.status !== 0 || !have()) return "not installable";
  }
  const text = execFileSync("ndpiReader", ["-i", file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const m = /nDPI throughput:\s+([\d.]+)\s*([KMG]?)\s*pps\s*\/\s*([\d.]+)\s*([KMG]?)b\/sec/.exec(text);
  if (!m) return "no throughput line";
  const unit = (u: string | undefined) => (u === "K" ? 1e3 : u === "M" ? 1e6 : u === "G" ? 1e9 : 1);
  return { pps: Number(m[1]) * unit(m[2]), bps: Number(m[3]) * unit(m[4]) };
}

const rate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${(x / 1e3).toFixed(1)} k`);
const gbit = (bps: number) => `${(bps / 1e9).toFixed(2)}`;

function row(name: string, f: Figure, other?: { pps: number; bps: number } | string): void {
  const off = f.packets / f.off;
  const on = f.packets / f.on;
  const nd = typeof other === "object" ? `${rate(other.pps)}pkt/s, ${gbit(other.bps)} Gbit/s | ${(on / other.pps).toFixed(2)}×` : `${other ?? "—"} | —`;
  const drained = `${rate(f.packets / f.onDrained)}pkt/s (${f.events.toLocaleString("en")} events)`;
  console.log(`| ${name} | ${f.packets.toLocaleString("en")} pkts, ${(f.bytes / 1e6).toFixed(1)} MB | ${rate(off)}pkt/s | ${rate(on)}pkt/s | ${(on / off).toFixed(2)} | ${gbit((f.bytes * 8) / f.on)} | ${drained} | ${nd} |`);
}

const load = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".pcap"))
    .sort()
    .flatMap((f) => parseCaptureBuffer(readFileSync(join(dir, f))).packets);

const SHIFT = 7_200_000_000_000n;

/**
 * The packets `loops` times over, each loop's times `SHIFT` later (its flows time out before the
 * next begins, as between passes), so that a pass of the small inputs lasts long enough to time
 * (tens of ms rather than one) and the pass's fixed costs weigh as little as in a long replay.
 */
function looped(packets: PacketInput[], loops: number): PacketInput[] {
  return Array.from({ length: loops }, (_, k) => packets.map((p) => ({ ...p, ts: p.ts + BigInt(k) * SHIFT }))).flat();
}

console.log(`nvp packet-path benchmark — ${os.cpus()[0]?.model ?? "cpu"} ×${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]?.toFixed(2)}`);
console.log("");
console.log("| input | size | threats off | all detections on | on/off | Gbit/s (on, IP bytes) | on, events decoded too | ndpiReader (same file, whole process) | nvp (on, packets in memory)/nDPI |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");

const pass = quick ? 1000 : 4000;
const loops = quick ? 8 : 64;
const fixtures = load(CAPTURES);
const threatCaptures = load(THREAT_CAPTURES);
row(`capture fixtures, ${loops}× looped`, measure(looped(fixtures, loops), pass, SHIFT * BigInt(loops)));
row(`threat captures, ${loops / 4}× looped`, measure(looped(threatCaptures, loops / 4), pass, SHIFT * BigInt(loops / 4)));

const file = join(os.tmpdir(), "nvp-bench-mixed.pcap");
writeFileSync(file, mixedCapture(quick ? 4000 : 40_000));
const mixed = parseCaptureBuffer(readFileSync(file)).packets;
row("generated mixed capture", measure(mixed, pass, SHIFT), ndpi(file));
console.log("");
console.log("on/off: packets per second with every threat detection on over the same with PSF_THREATS off (target ≥ 0.7)");
console.log("a pass: feed() (copy in, the whole path, verdicts counted, events moved out of the engine); \"events decoded too\": the same pass plus drainEvents() turning the queued events (at most 4,096) into objects");
console.log(`mixed capture: ${file}`);
console.log("nvp's figures start from packets already in memory, nDPI's include reading the file; bench/replay-process.ts compares whole processes");
