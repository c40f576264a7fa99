/**
 * Test-only flow assembly over runtime/capture packets: group TCP/UDP packets by 5-tuple, order
 * TCP payload by sequence number into per-direction stream prefixes, and replay a flow the way the
 * packet path will call the DPI stage: after every payload packet, on the prefixes as they are
 * then (TCP: the in-order stream, capped at DPI_PREFIX_CAP; UDP: each direction's first
 * datagram), until an application or DPI_UNKNOWN, giving up after DPI_MAX_PACKETS payload packets
 * in either direction (then R_PROVISIONAL, or unknown).
 */
import { readFileSync } from "node:fs";
import { formatIp } from "../../common/ip.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import { DPI_MAX_PACKETS, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN, TCP, UDP, type Dpi, type DpiResult } from "./harness.js";

export interface Segment {
  /** 0: client to server, 1: server to client. */
  dir: 0 | 1;
  payload: Uint8Array;
  /** TCP sequence number (0 for UDP). */
  seq: number;
  syn: boolean;
}

export interface Flow {
  proto: number;
  /** Addresses as text (IPv6 in its compressed form, as the manifests write it). */
  client: string;
  server: string;
  sport: number;
  dport: number;
  /** Every TCP/UDP packet of the flow in capture order, payload or not. */
  packets: Segment[];
}

interface Decoded {
  proto: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  syn: boolean;
  ack: boolean;
  payload: Uint8Array;
}

function v6Text(b: Uint8Array): string {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return formatIp(v);
}

/** IPv4/IPv6 + TCP/UDP headers of one frame, or undefined. */
function decode(data: Uint8Array, l3: number): Decoded | undefined {
  if (l3 < 0 || l3 >= data.length) return undefined;
  const v = data[l3]! >> 4;
  let proto: number;
  let src: string;
  let dst: string;
  let l4: number;
  let end: number;
  if (v === 4) {
    const ihl = (data[l3]! & 15) * 4;
    proto = data[l3 + 9]!;
    src = [...data.subarray(l3 + 12, l3 + 16)].join(".");
    dst = [...data.subarray(l3 + 16, l3 + 20)].join(".");
    l4 = l3 + ihl;
    end = Math.min(data.length, l3 + ((data[l3 + 2]! << 8) | data[l3 + 3]!));
  } else if (v === 6) {
    proto = data[l3 + 6]!;
    src = v6Text(data.subarray(l3 + 8, l3 + 24));
    dst = v6Text(data.subarray(l3 + 24, l3 + 40));
    l4 = l3 + 40;
    end = Math.min(data.length, l4 + ((data[l3 + 4]! << 8) | data[l3 + 5]!));
    // Hop-by-hop, routing and destination options headers.
    while ((proto === 0 || proto === 43 || proto === 60) && l4 + 2 <= end) {
      proto = data[l4]!;
      l4 += (data[l4 + 1]! + 1) * 8;
    }
  } else return undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (proto === TCP && l4 + 20 <= end) {
    const off = (data[l4 + 12]! >> 4) * 4;
    const flags = data[l4 + 13]!;
    return {
      proto, src, dst,
      sport: view.getUint16(l4), dport: view.getUint16(l4 + 2), seq: view.getUint32(l4 + 4),
      syn: (flags & 2) !== 0, ack: (flags & 16) !== 0,
      payload: data.subarray(l4 + off, end),
    };
  }
  if (proto === UDP && l4 + 8 <= end) {
    return { proto, src, dst, sport: view.getUint16(l4), dport: view.getUint16(l4 + 2), seq: 0, syn: false, ack: false, payload: data.subarray(l4 + 8, end) };
  }
  return undefined;
}

/**
 * The flows of a capture file in order of their first packet. The client is the sender of a SYN
 * without ACK, else of the first packet.
 */
export function captureFlows(path: string): Flow[] {
  const { packets } = parseCaptureBuffer(readFileSync(path));
  const flows = new Map<string, Flow>();
  const order: Flow[] = [];
  for (const p of packets) {
    const d = decode(p.data, p.l3Offset);
    if (!d) continue;
    const a = `${d.proto} ${d.src} ${d.sport} ${d.dst} ${d.dport}`;
    const b = `${d.proto} ${d.dst} ${d.dport} ${d.src} ${d.sport}`;
    let f = flows.get(a) ?? flows.get(b);
    if (!f) {
      const reverse = d.proto === TCP && d.syn && d.ack;
      f = reverse
        ? { proto: d.proto, client: d.dst, server: d.src, sport: d.dport, dport: d.sport, packets: [] }
        : { proto: d.proto, client: d.src, server: d.dst, sport: d.sport, dport: d.dport, packets: [] };
      flows.set(a, f);
      order.push(f);
    }
    const dir = d.src === f.client && d.sport === f.sport ? 0 : 1;
    f.packets.push({ dir, payload: d.payload, seq: d.seq, syn: d.syn });
  }
  return order;
}

/** One direction's in-order TCP stream, grown segment by segment (retransmissions and overlaps merged). */
class Stream {
  private next = -1;
  private data = new Uint8Array(DPI_PREFIX_CAP);
  private len = 0;
  private pending: Segment[] = [];

  add(s: Segment, udp: boolean): void {
    if (udp) {
      if (this.next < 0 && s.payload.length > 0) {
        this.len = Math.min(s.payload.length, DPI_PREFIX_CAP);
        this.data.set(s.payload.subarray(0, this.len));
        this.next = 0;
      }
      return;
    }
    if (s.syn) {
      this.next = (s.seq + 1) >>> 0;
      return;
    }
    if (this.next < 0) this.next = s.seq;
    if (s.payload.length) this.pending.push(s);
    for (let progress = true; progress; ) {
      progress = false;
      const keep: Segment[] = [];
      for (const q of this.pending) {
        const ahead = (q.seq - this.next) | 0;
        if (ahead > 0) {
          keep.push(q);
          continue;
        }
        if (-ahead >= q.payload.length) continue;
        const fresh = q.payload.subarray(-ahead);
        const n = Math.min(fresh.length, DPI_PREFIX_CAP - this.len);
        this.data.set(fresh.subarray(0, n), this.len);
        this.len += n;
        this.next = (this.next + fresh.length) >>> 0;
        progress = true;
      }
      this.pending = keep;
    }
  }

  bytes(): Uint8Array {
    return this.data.slice(0, this.len);
  }
}

/** Both directions' prefixes after all of the flow's packets (at most DPI_PREFIX_CAP each). */
export function flowPrefixes(f: Flow): [Uint8Array, Uint8Array] {
  const s = [new Stream(), new Stream()];
  for (const p of f.packets) s[p.dir]!.add(p, f.proto === UDP);
  return [s[0]!.bytes(), s[1]!.bytes()];
}

export interface Replay {
  /** The app id reported, or DPI_UNKNOWN. */
  app: number;
  /** The result record of the deciding call. */
  result: DpiResult;
  /** Payload packets seen when it was decided. */
  packets: number;
  /** How it ended: identified, unknown (identify said so), gave-up (packet bound), ended (flow over). */
  how: "identified" | "unknown" | "gave-up" | "ended";
}

/** Replay a flow through identify as the packet path will (see the file comment). */
export function replay(dpi: Dpi, f: Flow): Replay {
  const s = [new Stream(), new Stream()];
  const counts = [0, 0];
  let last: DpiResult = { code: DPI_MORE, provisional: 0 };
  let n = 0;
  for (const p of f.packets) {
    s[p.dir]!.add(p, f.proto === UDP);
    if (p.payload.length === 0) continue;
    n++;
    counts[p.dir]!++;
    last = dpi.identify(f.proto, f.sport, f.dport, s[0]!.bytes(), s[1]!.bytes());
    if (last.code !== DPI_MORE) return { app: last.code, result: last, packets: n, how: last.code === DPI_UNKNOWN ? "unknown" : "identified" };
    if (counts[p.dir]! >= DPI_MAX_PACKETS) return { app: last.provisional || DPI_UNKNOWN, result: last, packets: n, how: "gave-up" };
  }
  return { app: last.provisional || DPI_UNKNOWN, result: last, packets: n, how: "ended" };
}
