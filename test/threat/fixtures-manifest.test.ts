/**
 * The threat captures (test/fixtures/threats/manifest.yaml, made by scripts/threat-fixtures.sh):
 * the manifest and the folder agree, every capture reads cleanly, every catalog detection has a
 * capture that must raise it and a look-alike that must not, the settings the expectations assume
 * are real settings, and the captures hold what the manifest says where a few lines of decoding can
 * tell (flood rates, MSS values, overlapping fragments, encoded DNS labels, slow headers).
 * Running the captures through the engine is test/threat's replay tests' business, not this file's.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { parseIpv4 } from "../../common/ip.js";
import { THREATS, threatBySlug } from "../../common/threats.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/threats");
const MAX_FILE = 200 * 1024;
const MAX_TOTAL = 3 * 1024 * 1024;

interface Entry {
  file: string;
  kind: "crafted" | "real";
  description: string;
  how: string;
  client: string;
  server: string;
  "external-ips"?: string[];
  settings: string[];
  expect: Record<string, number>;
  "negative-for"?: string[];
}

const entries = parse(readFileSync(join(DIR, "manifest.yaml"), "utf8")) as Entry[];
const positive = (e: Entry) => Object.keys(e.expect ?? {}).length > 0;

// --- a small IPv4/TCP/UDP decoder, enough for the structural facts ------------------------------

interface Pkt {
  /** microseconds */
  t: number;
  src: string;
  dst: string;
  proto: number;
  ipid: number;
  fragOff: number;
  more: boolean;
  /** L4 bytes of this packet (a fragment's share when fragmented) */
  l4: Uint8Array;
}

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const SYN = 0x02;
const ACK = 0x10;

const ip4 = (b: Uint8Array, o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;

function load(file: string): Pkt[] {
  const { packets } = parseCaptureBuffer(readFileSync(join(DIR, file)));
  return packets.flatMap((p) => {
    if (p.l3Proto !== "ipv4") return [];
    const b = p.data.subarray(p.l3Offset);
    const ihl = (b[0]! & 15) * 4;
    const frag = u16(b, 6);
    return [
      {
        t: Number(p.ts / 1000n),
        src: ip4(b, 12),
        dst: ip4(b, 16),
        proto: b[9]!,
        ipid: u16(b, 4),
        fragOff: (frag & 0x1fff) * 8,
        more: (frag & 0x2000) !== 0,
        l4: b.subarray(ihl, u16(b, 2)),
      },
    ];
  });
}

const whole = (p: Pkt) => p.fragOff === 0;
const tcpFlags = (p: Pkt) => p.l4[13]!;
const pureSyn = (p: Pkt) => p.proto === TCP && whole(p) && (tcpFlags(p) & (SYN | ACK)) === SYN;
const dport = (p: Pkt) => u16(p.l4, 2);
const dnsQuery = (p: Pkt) => p.proto === UDP && whole(p) && dport(p) === 53 && (p.l4[10]! & 0x80) === 0;

/** The most events of `times` (µs, any order) inside one window of `span` µs. */
function maxInWindow(times: number[], span: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j]! <= t[i]! - span) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** maxInWindow over the packets of each (source, destination) pair, the largest. */
function maxPerPair(pkts: Pkt[], span: number): number {
  const by = new Map<string, number[]>();
  for (const p of pkts) by.set(`${p.src}>${p.dst}`, [...(by.get(`${p.src}>${p.dst}`) ?? []), p.t]);
  return Math.max(0, ...[...by.values()].map((ts) => maxInWindow(ts, span)));
}

function synMss(pkts: Pkt[]): number[] {
  const out: number[] = [];
  for (const p of pkts.filter(pureSyn)) {
    const end = (p.l4[12]! >> 4) * 4;
    for (let i = 20; i < end; ) {
      const kind = p.l4[i]!;
      if (kind === 0 || kind === 1) {
        i++;
        continue;
      }
      if (kind === 2) out.push(u16(p.l4, i + 2));
      i += Math.max(2, p.l4[i + 1]!);
    }
  }
  return out;
}

/** Fragments that overlap one already seen of the same datagram. */
function overlaps(pkts: Pkt[]): number {
  const held = new Map<string, [number, number][]>();
  let n = 0;
  for (const p of pkts.filter((x) => x.more || x.fragOff > 0)) {
    const k = `${p.src}>${p.dst}/${p.proto}/${p.ipid}`;
    const a = p.fragOff;
    const b = a + p.l4.length;
    const seen = held.get(k) ?? [];
    if (seen.some(([x, y]) => a < y && x < b)) n++;
    held.set(k, [...seen, [a, b]]);
  }
  return n;
}

/** Reassembled L4 length of each fragmented datagram sent by `src`. */
function datagramSizes(pkts: Pkt[], src: string): number[] {
  const end = new Map<string, number>();
  for (const p of pkts.filter((x) => x.src === src && (x.more || x.fragOff > 0))) {
    const k = `${p.dst}/${p.proto}/${p.ipid}`;
    end.set(k, Math.max(end.get(k) ?? 0, p.fragOff + p.l4.length));
  }
  return [...end.values()];
}

/** Length of the longest label of a DNS query's question name. */
function longestLabel(p: Pkt): number {
  let best = 0;
  for (let i = 8 + 12; i < p.l4.length && p.l4[i]! > 0 && p.l4[i]! < 64; i += 1 + p.l4[i]!) best = Math.max(best, p.l4[i]!);
  return best;
}

// --- the manifest --------------------------------------------------------------------------------

describe("threat fixtures manifest", () => {
  test("every entry is well formed", () => {
    for (const e of entries) {
      const at = `${e.file}`;
      expect(e.file, at).toMatch(/^[a-z0-9.-]+\.pcap$/);
      expect(["crafted", "real"], at).toContain(e.kind);
      expect(typeof e.description === "string" && e.description.length > 10, `${at}: description`).toBe(true);
      expect(typeof e.how === "string" && e.how.length > 3, `${at}: how`).toBe(true);
      for (const a of [e.client, e.server, ...(e["external-ips"] ?? [])]) expect(parseIpv4(String(a)), `${at}: address ${a}`).not.toBeNull();
      expect(Array.isArray(e.settings), `${at}: settings`).toBe(true);
      expect(typeof e.expect === "object" && e.expect !== null && !Array.isArray(e.expect), `${at}: expect`).toBe(true);
    }
    expect(new Set(entries.map((e) => e.file)).size).toBe(entries.length);
  });

  test("the manifest lists exactly the captures of the folder", () => {
    const present = readdirSync(DIR).filter((f) => f.endsWith(".pcap")).sort();
    expect(entries.map((e) => e.file).sort()).toEqual(present);
    for (const e of entries) expect(existsSync(join(DIR, e.file)), e.file).toBe(true);
  });

  test("expectations name catalog slugs; look-alikes say what they resemble", () => {
    for (const e of entries) {
      for (const [slug, n] of Object.entries(e.expect)) {
        expect(threatBySlug(slug), `${e.file}: expect ${slug}`).toBeDefined();
        expect(Number.isInteger(n) && n > 0, `${e.file}: ${slug}: ${n}`).toBe(true);
      }
      if (positive(e)) {
        expect(e["negative-for"], `${e.file}: a positive has no negative-for`).toBeUndefined();
      } else {
        expect(e["negative-for"]?.length, `${e.file}: negative-for`).toBeGreaterThan(0);
        for (const slug of e["negative-for"]!) expect(threatBySlug(slug), `${e.file}: negative-for ${slug}`).toBeDefined();
      }
    }
  });

  test("settings are threat settings, and turn on every off-by-default detection an entry relies on", () => {
    for (const e of entries) {
      const on = new Set<string>();
      for (const s of e.settings) {
        const m = /^([a-z0-9.-]+?)(?:\.([a-z-]+))? (\S+)$/.exec(s);
        expect(m, `${e.file}: setting ${s}`).not.toBeNull();
        const t = threatBySlug(m![1]!);
        expect(t, `${e.file}: setting ${s}`).toBeDefined();
        if (m![2] === undefined) {
          expect(["on", "off"], `${e.file}: setting ${s}`).toContain(m![3]);
          if (m![3] === "on") on.add(t!.slug);
        } else {
          expect(t!.params.map((p) => p.name), `${e.file}: setting ${s}`).toContain(m![2]);
        }
      }
      for (const slug of [...Object.keys(e.expect), ...(e["negative-for"] ?? [])]) {
        if (!threatBySlug(slug)!.enabled) expect(on.has(slug), `${e.file}: ${slug} is off by default; settings must turn it on`).toBe(true);
      }
    }
  });

  test("every catalog detection has a positive capture and a look-alike", () => {
    for (const t of THREATS) {
      const pos = entries.filter((e) => (e.expect[t.slug] ?? 0) > 0).map((e) => e.file);
      const neg = entries.filter((e) => !positive(e) && e["negative-for"]!.includes(t.slug)).map((e) => e.file);
      expect(pos.length, `${t.slug}: positives`).toBeGreaterThan(0);
      expect(neg.length, `${t.slug}: look-alikes`).toBeGreaterThan(0);
    }
  });
});

describe("threat fixture captures", () => {
  test.each(entries.map((e) => [e.file, e] as const))("%s reads cleanly and stays between its addresses", (_f, e) => {
    const bytes = readFileSync(join(DIR, e.file));
    expect(bytes.length).toBeLessThan(MAX_FILE);
    const { packets, summary } = parseCaptureBuffer(bytes);
    expect(summary.error).toBeUndefined();
    expect(packets.length).toBeGreaterThan(0);
    expect(summary.notIp).toBe(0);
    const allowed = new Set([e.client, e.server, ...(e["external-ips"] ?? [])]);
    for (const p of load(e.file)) {
      expect(allowed.has(p.src) && allowed.has(p.dst), `${p.src} -> ${p.dst}`).toBe(true);
    }
  });

  test("all captures together stay small", () => {
    const total = entries.reduce((n, e) => n + statSync(join(DIR, e.file)).size, 0);
    expect(total).toBeLessThan(MAX_TOTAL);
  });

  const S5 = 5_000_000;
  const S1 = 1_000_000;

  test("SYN floods: 800 or more SYNs from one source to one address within 5 s; the look-alike 700", () => {
    for (const f of ["syn-flood.pcap", "syn-flood-hping3.pcap"]) expect(maxPerPair(load(f).filter(pureSyn), S5), f).toBeGreaterThanOrEqual(800);
    const low = load("syn-700.pcap").filter(pureSyn);
    expect(low.length).toBe(700);
    expect(maxPerPair(low, S5)).toBeLessThan(800);
  });

  test("ICMP flood: over 100 ICMP packets to one address within 1 s; 90 pings a second stay at or under 100", () => {
    expect(maxPerPair(load("icmp-flood.pcap").filter((p) => p.proto === ICMP), S1)).toBeGreaterThan(100);
    const calm = load("icmp-90.pcap").filter((p) => p.proto === ICMP);
    expect(calm.length).toBe(180);
    expect(maxPerPair(calm, S1)).toBeLessThanOrEqual(100);
  });

  test("DNS flood: over 1000 queries from one source within 1 s; the look-alike 900", () => {
    expect(maxPerPair(load("dns-flood.pcap").filter(dnsQuery), S1)).toBeGreaterThan(1000);
    expect(maxPerPair(load("dns-900.pcap").filter(dnsQuery), S1)).toBe(900);
  });

  test("SYN MSS: 48 and 88 are small, 256 and 1460 are not", () => {
    expect(synMss(load("tcp-small-mss.pcap"))).toEqual([48]);
    expect(synMss(load("tcp-small-mss-88.pcap"))).toEqual([88]);
    expect(synMss(load("tcp-mss-256.pcap"))).toEqual([256]);
    expect(synMss(load("tcp-normal-handshake.pcap"))).toEqual([1460]);
  });

  test("fragments: the teardrops overlap; the adjacent, large-ping and DNS fragments do not", () => {
    expect(overlaps(load("teardrop.pcap"))).toBe(1);
    expect(overlaps(load("teardrop-overwrite.pcap"))).toBe(1);
    for (const f of ["fragments-adjacent.pcap", "ping-3000.pcap", "ping-death-40000.pcap", "ping-death-65535.pcap", "dns-large-legal.pcap"]) {
      expect(overlaps(load(f)), f).toBe(0);
    }
    expect(datagramSizes(load("dns-large-legal.pcap"), "10.0.0.10").length).toBe(1);
  });

  test("ping of death: the client's datagram reassembles past 32000 (and past 65535); 3000-byte pings do not", () => {
    expect(Math.max(...datagramSizes(load("ping-death-40000.pcap"), "10.0.0.9"))).toBeGreaterThan(32000);
    expect(20 + Math.max(...datagramSizes(load("ping-death-65535.pcap"), "10.0.0.9"))).toBeGreaterThan(65535);
    const legal = datagramSizes(load("ping-3000.pcap"), "10.0.0.9");
    expect(legal.length).toBe(3);
    expect(Math.max(...legal)).toBeLessThan(32000);
  });

  test("DNS tunneling: 10 or more queries with a 40-character label within a minute; the slow capture at most 7", () => {
    const encoded = (f: string) => load(f).filter((p) => dnsQuery(p) && longestLabel(p) >= 40).map((p) => p.t);
    expect(maxInWindow(encoded("dns-tunnel.pcap"), 60 * S1)).toBe(15);
    expect(maxInWindow(encoded("dns-tunnel-slow.pcap"), 60 * S1)).toBeLessThanOrEqual(7);
    expect(encoded("dns-short-names.pcap")).toEqual([]);
  });

  test("slowloris: the request's bytes span more than 3 s; the slow upload's headers come at once", () => {
    const spans = (f: string) => {
      const data = load(f).filter((p) => p.src === "10.0.0.9" && p.proto === TCP && p.l4.length > (p.l4[12]! >> 4) * 4);
      return data.map((p) => p.t - data[0]!.t);
    };
    expect(Math.max(...spans("http-slowloris.pcap"))).toBeGreaterThan(3 * S1);
    const upload = load("http-slow-upload.pcap").find((p) => p.src === "10.0.0.9" && p.l4.length > (p.l4[12]! >> 4) * 4)!;
    const head = Buffer.from(upload.l4.subarray((upload.l4[12]! >> 4) * 4)).toString("latin1");
    expect(head).toMatch(/^PUT \/upload\/slow\.bin HTTP\/1\.1\r\n[^]*Content-Length: 5000\r\n\r\n$/);
  });
});
