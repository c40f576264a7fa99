/**
 * A generated capture of examples/report/cluster.nvp's cluster: ingress from the internet to the
 * shop front (clients from many countries), east-west HTTP, DNS through coredns (whose answers the
 * engine snoops, so egress hosts get their FQDN), allowed and forbidden egress, a canary-token leak
 * and small-MSS probes (a threat). Real packets, deterministic for a seed; the report demo and the
 * store benchmark replay it through the engine.
 */
import { LINKTYPE, writePcap, type PacketToWrite } from "../runtime/capture/index.js";
import type { PacketInput } from "../runtime/packet/engine.js";
import { conversation, input, ip, mssOption, SYN, tcp, udp } from "../test/packet/craft.js";
import { rng } from "./gen-policy.js";

const POD = {
  web: ["10.1.0.11", "10.1.0.12", "10.1.0.13"],
  api: ["10.1.1.21", "10.1.1.22"],
  payments: ["10.1.2.31"],
  analytics: ["10.1.3.41"],
  batch: ["10.1.3.51"],
  coredns: ["10.1.9.10"],
};
const ALL_PODS = Object.values(POD).flat();
/** Public client networks in several countries (first octets only; hosts vary). */
const CLIENT_NETS = ["81.2", "31.13", "52.18", "85.214", "89.160", "95.163", "101.53", "110.33", "121.78", "133.242", "151.101", "177.71", "185.60", "190.210", "196.25", "200.147", "41.203", "62.210", "77.88", "203.0"];
const EGRESS = { canary: "52.18.63.80", cdn: "93.184.215.14", upstreamDns: ["8.8.8.8", "1.1.1.1"] };
const T0 = Date.parse("2026-11-23T10:00:00Z");

const enc = new TextEncoder();
const be16 = (n: number) => [(n >> 8) & 255, n & 255];
const labels = (name: string) => [...name.split(".").flatMap((l) => [l.length, ...enc.encode(l)]), 0];

/** A DNS query, or its answer with one A record (TTL one day). */
function dns(name: string, id: number, answer?: string): Uint8Array {
  const q = [...labels(name), ...be16(1), ...be16(1)];
  if (!answer) return Uint8Array.from([...be16(id), 0x01, 0x00, ...be16(1), 0, 0, 0, 0, 0, 0, ...q]);
  const rr = [0xc0, 0x0c, ...be16(1), ...be16(1), 0, 1, 0x51, 0x80, ...be16(4), ...answer.split(".").map(Number)];
  return Uint8Array.from([...be16(id), 0x81, 0x80, ...be16(1), ...be16(1), 0, 0, 0, 0, ...q, ...rr]);
}

const get = (host: string, path: string) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: sim/1.0\r\nAccept: */*\r\n\r\n`;
const ok = (n: number) => `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${n}\r\n\r\n${"x".repeat(n)}`;

function udpPair(c: string, s: string, cp: number, sp: number, q: Uint8Array, a: Uint8Array, ms: number): PacketInput[] {
  return [input(ip(c, s, 17, udp(cp, sp, q)), ms), input(ip(s, c, 17, udp(sp, cp, a)), ms + 1)];
}

/** One flow's packets starting at `ms`. */
function flow(i: number, r: () => number, ms: number): PacketInput[] {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const cport = 20000 + (i % 40000);
  const http = (client: string, server: string, port: number, host: string, body: number) =>
    conversation({ client, server, cport, sport: port, messages: [[true, get(host, `/item/${i % 997}`)], [false, ok(body)]], t0: ms, step: 1 + Math.floor(r() * 20) });
  const x = r();
  // Every 97th flow is a small-MSS probe from outside (a critical threat), so even small captures have some.
  if (i % 97 === 13) return [input(ip(`${pick(CLIENT_NETS)}.66.${1 + (i % 250)}`, pick(POD.web), 6, tcp(cport, 80, SYN, new Uint8Array(0), { options: mssOption(24) })), ms)];
  if (x < 0.3) return http(`${pick(CLIENT_NETS)}.${1 + Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}`, pick(POD.web), 80, "shop.example.com", 200 + Math.floor(r() * 3000));
  if (x < 0.34) return http(`${pick(CLIENT_NETS)}.${1 + Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}`, pick(POD.api), 8080, "api.shop.example.com", 120);
  if (x < 0.56) return http(pick(POD.web), pick(POD.api), 8080, "api", 100 + Math.floor(r() * 800));
  if (x < 0.64) return http(pick(POD.api), POD.payments[0]!, 8443, "payments", 80);
  if (x < 0.7) return http(POD.analytics[0]!, EGRESS.cdn, 80, "assets.cdn.example.net", 1000 + Math.floor(r() * 20000));
  if (x < 0.71) return http(pick([...POD.analytics, ...POD.batch]), EGRESS.canary, 80, "canarytokens.com", 64);
  if (x < 0.73) return http(POD.payments[0]!, `${pick(CLIENT_NETS)}.7.7`, 443, "pay.example.org", 40);
  if (x < 0.85) return udpPair(pick(ALL_PODS), POD.coredns[0]!, cport, 53, dns("api.shop.svc.cluster.local", i & 0xffff), dns("api.shop.svc.cluster.local", i & 0xffff, "10.1.1.21"), ms);
  if (x < 0.9) return udpPair(POD.coredns[0]!, pick(EGRESS.upstreamDns), cport, 53, dns("www.example.org", i & 0xffff), dns("www.example.org", i & 0xffff, "93.184.215.34"), ms);
  return http(POD.batch[0]!, `${pick(CLIENT_NETS)}.${1 + Math.floor(r() * 250)}.9`, 443, "updates.example.com", 300);
}

/** The coredns answers that name the egress hosts, first in the capture so every later flow is decided knowing them. */
function resolutions(): PacketInput[] {
  return [
    ...udpPair(POD.coredns[0]!, EGRESS.upstreamDns[0]!, 53001, 53, dns("canarytokens.com", 1), dns("canarytokens.com", 1, EGRESS.canary), T0),
    ...udpPair(POD.coredns[0]!, EGRESS.upstreamDns[0]!, 53002, 53, dns("assets.cdn.example.net", 2), dns("assets.cdn.example.net", 2, EGRESS.cdn), T0 + 2),
  ];
}

/** `flows` flows over `hours` of capture time, as packets in time order. */
export function clusterPackets(flows: number, seed = 7, hours = 1): PacketInput[] {
  const r = rng(seed);
  const span = hours * 3600_000;
  const out: PacketInput[] = resolutions();
  for (let i = 0; i < flows; i++) out.push(...flow(i, r, T0 + 10 + Math.floor((i * span) / flows)));
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

/** The same as a classic pcap (raw IP link type). */
export function clusterCapture(flows: number, seed = 7, hours = 1): Uint8Array {
  const packets: PacketToWrite[] = clusterPackets(flows, seed, hours).map((p) => ({ data: p.data, ts: p.ts }));
  return writePcap(packets, LINKTYPE.RAW);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n = "3000", out = "build/cluster.pcap"] = process.argv.slice(2);
  const { writeFileSync } = await import("node:fs");
  writeFileSync(out, clusterCapture(Number(n)));
  console.log(`wrote ${out}: ${n} flows`);
}
