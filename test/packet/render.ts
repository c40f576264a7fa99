/**
 * Render a policy-model flow (test/arbitraries/model.ts) as the packets a real connection would
 * put on the wire: a TCP handshake and the application's first messages (taken from the real
 * capture fixtures, or crafted for HTTP with its Host and X-Forwarded-For and TLS with its SNI),
 * a UDP exchange, an ICMP echo, or a bare packet of another protocol. `revealed` is the flow as
 * those packets let the engine see it: the application identified, the virtual host (or none),
 * the X-Forwarded-For client — what the reference evaluator must be given to agree.
 */
import { join } from "node:path";
import { findApp } from "../../common/apps.js";
import type { Flow } from "../../common/schema.js";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { captureFlows } from "../dpi/flows.js";
import { CAPTURES } from "./engine.js";
import { bytesOf, conversation, icmp, input, ip, isV6, udp } from "./craft.js";

type Messages = [boolean, Uint8Array | string][];

/** The first message of each side of a fixture flow, in the order they were sent. */
function firstMessages(file: string, index = 0): Messages {
  const f = captureFlows(join(CAPTURES, file))[index];
  if (!f) throw new Error(`${file} has no flow ${index}`);
  const out: Messages = [];
  for (const dir of [0, 1] as const) {
    const at = f.packets.findIndex((p) => p.dir === dir && p.payload.length > 0);
    const p = f.packets[at];
    if (p) out.push([dir === 0, p.payload]);
  }
  const order = (m: Messages[number]) => f.packets.findIndex((p) => p.dir === (m[0] ? 0 : 1) && p.payload.length > 0);
  return out.sort((a, b) => order(a) - order(b));
}

const FIXTURE: Record<string, Messages> = {
  MySQL: firstMessages("mysql.pcap"),
  Redis: firstMessages("redis.pcap"),
  PostgreSQL: firstMessages("postgresql.pcap"),
  SSH: firstMessages("ssh.pcap"),
  DNS: firstMessages("dns-tcp.pcap"),
  unknown: firstMessages("neg-random-5432.pcap"),
};
const DNS_UDP = firstMessages("dns.pcap");

function tlsClientHello(sni: string): Uint8Array {
  const name = bytesOf(sni);
  const ext = sni ? [0, 0, 0, name.length + 5, 0, name.length + 3, 0, 0, name.length, ...name] : [];
  const body = [3, 3, ...new Array(32).fill(7), 0, 0, 2, 0x13, 0x01, 1, 0, ext.length >> 8, ext.length & 255, ...ext];
  const hs = [1, 0, body.length >> 8, body.length & 255, ...body];
  return new Uint8Array([22, 3, 1, hs.length >> 8, hs.length & 255, ...hs]);
}

function tlsServerHello(): Uint8Array {
  const body = [3, 3, ...new Array(32).fill(9), 0, 0x13, 0x01, 0, 0, 0];
  const hs = [2, 0, body.length >> 8, body.length & 255, ...body];
  return new Uint8Array([22, 3, 3, hs.length >> 8, hs.length & 255, ...hs]);
}

/** The host as a TLS SNI carries it: no port. */
function sniOf(host: string): string {
  const m = /^([^:]*):\d+$/.exec(host);
  return m ? (m[1] ?? "") : host;
}

export interface Rendered {
  packets: PacketInput[];
  /** The flow as the packets reveal it. */
  revealed: Flow;
  /** False when the flow cannot be packets (source and destination of different families). */
  ok: boolean;
}

let nextPort = 20000;

/** The canonical application a flow asks for, as the renderer can produce it. */
function appOf(f: Flow): string | undefined {
  if (f.app === undefined) return undefined;
  const info = findApp(f.app);
  return info && ["HTTP", "nginx", "SSL", "DNS", "MySQL", "Redis", "PostgreSQL", "SSH"].includes(info.name) ? info.name : "unknown";
}

export function render(f: Flow, t0: number): Rendered {
  const proto = f.proto === "tcp" ? 6 : f.proto === "udp" ? 17 : f.proto === "icmp" ? 1 : f.proto;
  const revealed: Flow = { src: f.src, dst: f.dst, proto: f.proto };
  if (f.port !== undefined) revealed.port = f.port;
  if (isV6(f.src) !== isV6(f.dst)) return { packets: [], revealed, ok: false };
  nextPort = nextPort >= 60000 ? 20000 : nextPort + 1;
  let cport = nextPort;
  if (cport === f.port) cport++;
  if (proto === 1 || proto === 58) {
    const v6 = isV6(f.src);
    const t = v6 ? 128 : 8;
    revealed.app = "unknown";
    revealed.host = "";
    return { packets: [input(ip(f.src, f.dst, v6 ? 58 : proto, icmp(t, 0, cport, 1)), t0), input(ip(f.dst, f.src, v6 ? 58 : proto, icmp(t + (v6 ? 1 : -8), 0, cport, 1)), t0 + 1)], revealed, ok: true };
  }
  if (proto !== 6 && proto !== 17) {
    revealed.app = "unknown";
    revealed.host = "";
    return { packets: [input(ip(f.src, f.dst, proto, new Uint8Array(8)), t0)], revealed, ok: true };
  }
  const port = f.port ?? 0;
  const app = appOf(f);
  if (app === undefined) {
    // Nothing is sent that could be inspected: the application stays unknown to the engine.
    if (proto === 17) return { packets: [input(ip(f.src, f.dst, 17, udp(cport, port)), t0)], revealed, ok: true };
    return { packets: conversation({ client: f.src, server: f.dst, cport, sport: port, messages: [], t0 }), revealed, ok: true };
  }
  let messages: Messages;
  let host = "";
  let shown = app;
  if (proto === 17) {
    shown = app === "DNS" ? "DNS" : "unknown";
    messages = app === "DNS" ? DNS_UDP : (FIXTURE.unknown as Messages);
  } else if (app === "HTTP" || app === "nginx") {
    host = f.host ?? "";
    let req = "GET / HTTP/1.1\r\n";
    if (host) req += `Host: ${host}\r\n`;
    if (f.xff !== undefined) {
      req += `X-Forwarded-For: ${f.xff}\r\n`;
      revealed.xff = f.xff;
    }
    const res = `HTTP/1.1 200 OK\r\n${app === "nginx" ? "Server: nginx/1.22.1\r\n" : ""}Content-Length: 0\r\n\r\n`;
    messages = [[true, `${req}\r\n`], [false, res]];
  } else if (app === "SSL") {
    host = sniOf(f.host ?? "");
    messages = [[true, tlsClientHello(host)], [false, tlsServerHello()]];
  } else {
    messages = FIXTURE[app] as Messages;
  }
  revealed.app = shown;
  revealed.host = host;
  if (proto === 17) {
    const packets = messages.map(([c, m], i) => input(c ? ip(f.src, f.dst, 17, udp(cport, port, bytesOf(m))) : ip(f.dst, f.src, 17, udp(port, cport, bytesOf(m))), t0 + i));
    return { packets, revealed, ok: true };
  }
  return { packets: conversation({ client: f.src, server: f.dst, cport, sport: port, messages, t0 }), revealed, ok: true };
}
