/**
 * Crafted packets for the packet-path tests: IPv4 (options, fragments), IPv6 (extension headers,
 * fragment header), TCP (options, flags), UDP, ICMP/ICMPv6, and whole TCP conversations. Every
 * builder returns the IP packet's bytes; `input` wraps them as a capture packet.
 */
import { parseIp } from "../../common/ip.js";
import type { PacketInput } from "../../runtime/packet/engine.js";

export const FIN = 1;
export const SYN = 2;
export const RST = 4;
export const PSH = 8;
export const ACK = 16;

const enc = new TextEncoder();

export function bytesOf(x: Uint8Array | string): Uint8Array {
  return typeof x === "string" ? enc.encode(x) : x;
}

function addrBytes(text: string, v6: boolean): Uint8Array {
  const ip = parseIp(text);
  if (ip === null) throw new Error(`bad address ${text}`);
  const out = new Uint8Array(v6 ? 16 : 4);
  const n = v6 ? 16 : 4;
  for (let i = 0; i < n; i++) out[i] = Number((ip >> BigInt((n - 1 - i) * 8)) & 0xffn);
  return out;
}

export function isV6(text: string): boolean {
  return text.includes(":");
}

export interface Ip4Options {
  id?: number;
  /** Fragment offset in bytes (a multiple of 8) and more-fragments. */
  fragOffset?: number;
  more?: boolean;
  ttl?: number;
  options?: Uint8Array;
  /** Override the total-length field. */
  totalLength?: number;
  ihl?: number;
}

export function ipv4(src: string, dst: string, proto: number, payload: Uint8Array, o: Ip4Options = {}): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const hl = 20 + opts.length;
  const out = new Uint8Array(hl + payload.length);
  const v = new DataView(out.buffer);
  out[0] = 0x40 | (o.ihl ?? hl / 4);
  v.setUint16(2, o.totalLength ?? out.length);
  v.setUint16(4, o.id ?? 1);
  v.setUint16(6, ((o.fragOffset ?? 0) >> 3) | (o.more ? 0x2000 : 0));
  out[8] = o.ttl ?? 64;
  out[9] = proto;
  out.set(addrBytes(src, false), 12);
  out.set(addrBytes(dst, false), 16);
  out.set(opts, 20);
  out.set(payload, hl);
  return out;
}

/** An IPv6 extension header: its type and body (the next-header byte is filled in). */
export interface Ext {
  type: number;
  body: Uint8Array;
}

/** Hop-by-hop / destination options / routing header of 8·k bytes (padding options). */
export function optionsExt(type: number, units = 1): Ext {
  const body = new Uint8Array(units * 8);
  body[1] = units - 1;
  body[2] = 1; // PadN
  body[3] = units * 8 - 4;
  return { type, body };
}

export function fragmentExt(offset: number, more: boolean, id: number): Ext {
  const body = new Uint8Array(8);
  const v = new DataView(body.buffer);
  v.setUint16(2, offset | (more ? 1 : 0));
  v.setUint32(4, id);
  return { type: 44, body };
}

export function ipv6(src: string, dst: string, proto: number, payload: Uint8Array, exts: Ext[] = [], payloadLength?: number): Uint8Array {
  const extLen = exts.reduce((n, e) => n + e.body.length, 0);
  const out = new Uint8Array(40 + extLen + payload.length);
  const v = new DataView(out.buffer);
  out[0] = 0x60;
  v.setUint16(4, payloadLength ?? extLen + payload.length);
  out[6] = exts.length ? (exts[0] as Ext).type : proto;
  out[7] = 64;
  out.set(addrBytes(src, true), 8);
  out.set(addrBytes(dst, true), 24);
  let at = 40;
  exts.forEach((e, i) => {
    const body = new Uint8Array(e.body);
    body[0] = i + 1 < exts.length ? (exts[i + 1] as Ext).type : proto;
    out.set(body, at);
    at += body.length;
  });
  out.set(payload, at);
  return out;
}

export interface TcpOptions {
  seq?: number;
  ack?: number;
  window?: number;
  /** Raw option bytes (padded to 4 by the caller), e.g. mssOption(1460). */
  options?: Uint8Array;
  dataOffset?: number;
}

export function mssOption(mss: number, wscale?: number): Uint8Array {
  const o = [2, 4, mss >> 8, mss & 255];
  if (wscale !== undefined) o.push(1, 3, 3, wscale);
  return new Uint8Array(o);
}

export function tcp(sport: number, dport: number, flags: number, payload: Uint8Array | string = new Uint8Array(0), o: TcpOptions = {}): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  const p = bytesOf(payload);
  const hl = 20 + opts.length;
  const out = new Uint8Array(hl + p.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint32(4, (o.seq ?? 1000) >>> 0);
  v.setUint32(8, (o.ack ?? 0) >>> 0);
  out[12] = (o.dataOffset ?? hl / 4) << 4;
  out[13] = flags;
  v.setUint16(14, o.window ?? 65535);
  out.set(opts, 20);
  out.set(p, hl);
  return out;
}

export function udp(sport: number, dport: number, payload: Uint8Array | string = new Uint8Array(0), length?: number): Uint8Array {
  const p = bytesOf(payload);
  const out = new Uint8Array(8 + p.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, length ?? out.length);
  out.set(p, 8);
  return out;
}

export function icmp(type: number, code: number, id: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = type;
  out[1] = code;
  v.setUint16(4, id);
  v.setUint16(6, seq);
  out.set(payload, 8);
  return out;
}

/** An IP packet from src to dst carrying `l4` (protocol number `proto`), v4 or v6 by address. */
export function ip(src: string, dst: string, proto: number, l4: Uint8Array): Uint8Array {
  return isV6(src) ? ipv6(src, dst, proto, l4) : ipv4(src, dst, proto, l4);
}

/** A capture packet at `ms` milliseconds. */
export function input(bytes: Uint8Array, ms: number): PacketInput {
  return { data: bytes, l3Offset: 0, ts: BigInt(Math.round(ms * 1e6)) };
}

export interface Conversation {
  client: string;
  server: string;
  cport: number;
  sport: number;
  /** Payloads in order: [from client?, bytes]. */
  messages: [boolean, Uint8Array | string][];
  /** Start time (ms) and spacing (ms). */
  t0?: number;
  step?: number;
  /** Close with FIN both ways (default true). */
  close?: boolean;
  isn?: [number, number];
}

/** A TCP conversation: handshake, the messages (each acknowledged), and FIN both ways. */
export function conversation(c: Conversation): PacketInput[] {
  const out: PacketInput[] = [];
  let t = c.t0 ?? 0;
  const step = c.step ?? 1;
  let cs = c.isn?.[0] ?? 1000;
  let ss = c.isn?.[1] ?? 5000;
  const send = (fromClient: boolean, flags: number, payload: Uint8Array = new Uint8Array(0)) => {
    const [src, dst, sp, dp] = fromClient ? [c.client, c.server, c.cport, c.sport] : [c.server, c.client, c.sport, c.cport];
    const seq = fromClient ? cs : ss;
    const ack = fromClient ? ss : cs;
    out.push(input(ip(src, dst, 6, tcp(sp, dp, flags, payload, { seq, ack })), t));
    t += step;
    const grow = payload.length + (flags & (SYN | FIN) ? 1 : 0);
    if (fromClient) cs = (cs + grow) >>> 0;
    else ss = (ss + grow) >>> 0;
  };
  send(true, SYN);
  send(false, SYN | ACK);
  send(true, ACK);
  for (const [fromClient, m] of c.messages) {
    send(fromClient, PSH | ACK, bytesOf(m));
    send(!fromClient, ACK);
  }
  if (c.close ?? true) {
    send(true, FIN | ACK);
    send(false, FIN | ACK);
    send(true, ACK);
  }
  return out;
}
