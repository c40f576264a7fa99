/**
 * Raw event records straight to NDJSON bytes, byte for byte what `JSON.stringify(decodeEvent(…))`
 * prints (test/runtime/output/ndjson-encode.test.ts holds it to that on every fixture), without an
 * object or a string per event (the one allocation left is an endpoint's address as a BigInt, the
 * namer's key): the fixed JSON pieces are encoded once, an endpoint's kind, groups and name once
 * per description (endpoint-json.ts, which also lets a worker thread encode with descriptions the
 * main thread resolved), times are formatted from two u32 halves with the second's text cached,
 * numbers and IPv4 addresses are written digit by digit. Rare parts (threat evidence,
 * X-Forwarded-For, IPv6 addresses) take the ordinary path.
 */
import * as A from "../../common/abi.js";
import * as P from "../../common/abi-packet.js";
import { formatIp } from "../../common/ip.js";
import { ACTIONS, MODES } from "../../common/schema.js";
import { THREATS } from "../../common/threats.js";
import { severityName } from "../threat-config.js";
import { readAddr } from "../packet/dns.js";
import { appName, CONFIDENCES, ENDS, protoName, STATES, THREAT_ACTIONS, TUNNELS, TYPES, UNIDENTIFIED } from "../packet/events.js";
import type { RawEventBatch } from "../packet/raw-events.js";
import { NamerEndpoints, type EndpointJson, type EndpointSource } from "./endpoint-json.js";

const utf8 = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const bytes = (s: string) => utf8.encode(s);
const quoted = (s: string) => bytes(JSON.stringify(s));
/** `"key":` pieces; `,"key":` when not first. */
const key = (k: string, first = false) => bytes(`${first ? "" : ","}"${k}":`);

const K = {
  type: key("type", true),
  time: key("time"),
  flow: key("flow"),
  threat: key("threat"),
  id: key("id"),
  slug: key("slug"),
  severity: key("severity"),
  action: key("action"),
  evidence: key("evidence"),
  proto: key("proto"),
  src: key("src"),
  dst: key("dst"),
  app: key("app"),
  confidence: key("confidence"),
  unidentified: key("unidentified"),
  vlan: key("vlan"),
  innerVlan: key("innerVlan"),
  tunnel: key("tunnel"),
  rule: key("rule"),
  mode: key("mode"),
  awaiting: key("awaiting"),
  xff: key("xff"),
  packets: key("packets"),
  bytes: key("bytes"),
  first: key("first"),
  last: key("last"),
  end: key("end"),
  state: key("state"),
  port: key("port"),
};
const table = <T extends string>(m: Record<number, T>) => new Map(Object.entries(m).map(([k, v]) => [Number(k), quoted(v)]));
const TYPE_BYTES = table(TYPES);
const ENDS_BYTES = table(ENDS);
const STATE_BYTES = table(STATES);
const TACTION_BYTES = table(THREAT_ACTIONS);
const CONFIDENCE_BYTES = table(CONFIDENCES);
/** `{"reason":"…","bytes":` by UNID_* code. */
const UNIDENTIFIED_BYTES = new Map(Object.entries(UNIDENTIFIED).map(([k, v]) => [Number(k), bytes(`{"reason":${JSON.stringify(v)},"bytes":`)]));
const UNKNOWN = quoted("unknown");
const ACTION_BYTES = ACTIONS.map(quoted);
const DENY = quoted("deny");
const MODE_BYTES = MODES.map(quoted);
const AWAIT_APP = quoted("app");
const AWAIT_HOST = quoted("host");
const THREAT_BYTES = THREATS.map((t) => ({ name: quoted(t.name), id: bytes(String(t.id)), slug: quoted(t.slug) }));
const PROTO_BYTES = new Map([6, 17, 1, 58].map((p) => [p, quoted(String(protoName(p)))]));

const IP_OPEN = bytes('{"ip":"');

export class NdjsonEncoder {
  private buf: Uint8Array;
  private pos = 0;
  /** Endpoint JSON for record(): by the namer of the batch. */
  private described: NamerEndpoints | undefined;
  private readonly apps = new Map<number, Uint8Array | null>();
  /** Seconds' text by second, direct-mapped: a flow record's three times are seconds apart. */
  private readonly seconds = new Float64Array(64).fill(-1);
  private readonly secondTexts: Uint8Array[] = new Array<Uint8Array>(64);

  /** `flush(bytes)` takes each full chunk (about `chunk` bytes); the encoder never touches it again. */
  constructor(
    private readonly flush: (bytes: Uint8Array) => void,
    private readonly chunk = 1 << 20,
  ) {
    this.buf = new Uint8Array(chunk + 4096);
  }

  /** `"capture":"…",` for the lines that follow (undefined: no capture field). */
  private capture: Uint8Array | undefined;
  private readonly captures = new Map<string, Uint8Array>();

  /** Name the capture file in the lines that follow (`nvp replay` with several captures). */
  setCapture(name: string | undefined): void {
    if (name === undefined) {
      this.capture = undefined;
      return;
    }
    let b = this.captures.get(name);
    if (!b) this.captures.set(name, (b = bytes(`"capture":${JSON.stringify(name)},`)));
    this.capture = b;
  }

  /** Encode record k of the batch as one line, its endpoints described by the batch's namer. */
  record(batch: RawEventBatch, k: number): void {
    if (batch.namer !== this.described?.namer) this.described = new NamerEndpoints(batch.namer);
    this.encode(batch.view, k, this.described);
  }

  /** Encode record k of `v` (records at k * EV_SIZE) as one line, its endpoints' JSON from `ends`. */
  encode(v: DataView, k: number, ends: EndpointSource): void {
    const at = k * P.EV_SIZE;
    const type = v.getUint8(at + P.EV_TYPE);
    const typeBytes = TYPE_BYTES.get(type);
    if (!typeBytes) return;
    this.room(1024 + (this.capture?.length ?? 0));
    this.byte(123);
    if (this.capture) this.put(this.capture);
    this.put(K.type);
    this.put(typeBytes);
    this.put(K.time);
    this.time(v, at + P.EV_TIME);
    this.put(K.flow);
    this.int(v.getUint32(at + P.EV_FLOW, true));
    const threat = THREAT_BYTES[v.getUint8(at + P.EV_THREAT) - 1];
    if (threat) {
      this.put(K.threat);
      this.put(threat.name);
      this.put(K.id);
      this.put(threat.id);
      this.put(K.slug);
      this.put(threat.slug);
    }
    if (type === P.EVT_THREAT) {
      this.put(K.severity);
      this.put(quoted(severityName(v.getUint8(at + P.EV_SEVERITY))));
      this.put(K.action);
      this.put(TACTION_BYTES.get(v.getUint8(at + P.EV_TACTION)) ?? (TACTION_BYTES.get(P.TA_REPORT) as Uint8Array));
      const n = Math.min(v.getUint8(at + P.EV_EVIDENCE_LEN), P.EVIDENCE_MAX);
      const text = quoted(latin1.decode(new Uint8Array(v.buffer, v.byteOffset + at + P.EV_EVIDENCE, n)));
      this.room(text.length + 1024);
      this.put(K.evidence);
      this.put(text);
    }
    const proto = v.getUint8(at + P.EV_PROTO);
    const ported = proto === 6 || proto === 17 || proto === 1 || proto === 58;
    this.put(K.proto);
    const named = PROTO_BYTES.get(proto);
    if (named) this.put(named);
    else this.int(proto);
    this.put(K.src);
    this.endpoint(v, at + P.EV_CLIENT, ported ? v.getUint16(at + P.EV_CPORT, true) : -1, ends.endpoint(v, k, false));
    this.put(K.dst);
    this.endpoint(v, at + P.EV_SERVER, ported ? v.getUint16(at + P.EV_SPORT, true) : -1, ends.endpoint(v, k, true));
    this.room(1024);
    const app = this.app(v.getUint32(at + P.EV_APP, true));
    if (app) {
      this.put(K.app);
      this.put(app);
    }
    this.flowFields(v, at, type, app);
    this.put(K.rule);
    this.int(v.getUint32(at + P.EV_RULE, true));
    const actionCode = v.getUint8(at + P.EV_ACTION);
    if (type !== P.EVT_THREAT) {
      this.put(K.action);
      this.put(threat && type === P.EVT_RESET ? DENY : (ACTION_BYTES[actionCode] ?? DENY));
    }
    const mode = MODE_BYTES[v.getUint8(at + P.EV_MODE) - 1];
    if (mode) {
      this.put(K.mode);
      this.put(mode);
    }
    const pending = type !== P.EVT_THREAT && !(threat && type === P.EVT_RESET) && ACTIONS[actionCode] === "pending";
    const aw = v.getUint8(at + P.EV_AWAIT);
    if (pending && (aw === A.AWAIT_APP || aw === A.AWAIT_HOST)) {
      this.put(K.awaiting);
      this.put(aw === A.AWAIT_APP ? AWAIT_APP : AWAIT_HOST);
    }
    if (v.getUint8(at + P.EV_XFF)) {
      this.put(K.xff);
      const xff = { ip: formatIp(readAddr(v, at + P.EV_XADDR)), rule: v.getUint32(at + P.EV_XRULE, true), action: ACTIONS[v.getUint8(at + P.EV_XACTION)] ?? "deny" };
      this.put(bytes(JSON.stringify(xff)));
    }
    this.put(K.packets);
    this.pair(v.getUint32(at + P.EV_PKTS_C, true), v.getUint32(at + P.EV_PKTS_S, true));
    this.put(K.bytes);
    this.pair(u64(v, at + P.EV_BYTES_C), u64(v, at + P.EV_BYTES_S));
    this.put(K.first);
    this.time(v, at + P.EV_FIRST);
    this.put(K.last);
    this.time(v, at + P.EV_LAST);
    if (type === P.EVT_FLOW_END) {
      this.put(K.end);
      this.put(ENDS_BYTES.get(v.getUint8(at + P.EV_END)) ?? (ENDS_BYTES.get(P.END_TIMEOUT) as Uint8Array));
    }
    const state = STATE_BYTES.get(v.getUint8(at + P.EV_STATE));
    if (proto === 6 && state) {
      this.put(K.state);
      this.put(state);
    }
    this.byte(125);
    this.byte(10);
    if (this.pos >= this.chunk) this.emit();
  }

  /** Confidence, why unidentified, VLANs and tunnel, as events.ts flowFields() gives them. */
  private flowFields(v: DataView, at: number, type: number, app: Uint8Array | null): void {
    const conf = CONFIDENCE_BYTES.get(v.getUint8(at + P.EV_CONFIDENCE));
    if (app !== null && !isUnknown(app) && conf) {
      this.put(K.confidence);
      this.put(conf);
    }
    const why = UNIDENTIFIED_BYTES.get(v.getUint8(at + P.EV_UNIDENTIFIED));
    if (type === P.EVT_FLOW_END && (app === null || isUnknown(app)) && why) {
      this.put(K.unidentified);
      this.put(why);
      this.int(v.getUint32(at + P.EV_DPI_BYTES, true));
      this.byte(125);
    }
    const vlan = v.getUint32(at + P.EV_VLAN, true);
    if (vlan !== 0) {
      this.put(K.vlan);
      this.int(vlan >>> 12 || vlan & 0xfff);
      if (vlan >>> 12 && vlan & 0xfff) {
        this.put(K.innerVlan);
        this.int(vlan & 0xfff);
      }
    }
    const tun = TUNNELS[v.getUint8(at + P.EV_TUNNEL)];
    if (tun) {
      const t = { type: tun, id: v.getUint32(at + P.EV_TUNNEL_ID, true), src: formatIp(readAddr(v, at + P.EV_OUTER_SRC)), dst: formatIp(readAddr(v, at + P.EV_OUTER_DST)) };
      this.put(K.tunnel);
      this.put(bytes(JSON.stringify(t)));
    }
  }

  /** Hand out what is buffered. */
  end(): void {
    if (this.pos > 0) this.emit();
  }

  private emit(): void {
    const out = this.buf.subarray(0, this.pos);
    this.buf = new Uint8Array(Math.max(this.chunk + 4096, this.buf.length));
    this.pos = 0;
    this.flush(out);
  }

  /** Make room for `n` more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos > 0) this.emit();
    if (n > this.buf.length) this.buf = new Uint8Array(n);
  }

  private byte(b: number): void {
    this.buf[this.pos++] = b;
  }

  private put(b: Uint8Array): void {
    const n = b.length;
    // A loop beats set() for the short pieces most of a record is made of.
    if (n < 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i] as number;
      this.pos = p;
      return;
    }
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /** A non-negative integer as JSON prints it. */
  private int(n: number): void {
    if (n < 2147483648) {
      // Digits backwards into place, in integer arithmetic.
      let len = 1;
      for (let t = n; t >= 10; t = (t / 10) | 0) len++;
      const buf = this.buf;
      let p = this.pos + len;
      this.pos = p;
      let x = n | 0;
      do {
        const q = (x / 10) | 0;
        buf[--p] = 48 + x - q * 10;
        x = q;
      } while (x > 0);
      return;
    }
    if (n > Number.MAX_SAFE_INTEGER) {
      this.put(bytes(String(n)));
      return;
    }
    let div = 1;
    while (div * 10 <= n) div *= 10;
    for (; div >= 1; div /= 10) {
      const d = Math.floor(n / div);
      this.byte(48 + d);
      n -= d * div;
    }
  }

  private pair(a: number, b: number): void {
    this.byte(91);
    this.int(a);
    this.byte(44);
    this.int(b);
    this.byte(93);
  }

  /** RFC 3339 with nanoseconds, as isoNs() prints it, from the u64 at `at`. */
  private time(v: DataView, at: number): void {
    // Long division of the u64 by 1e9 in 16-bit digits keeps every step exact in a double.
    const lo = v.getUint32(at, true);
    const hi = v.getUint32(at + 4, true);
    let cur = hi >>> 16;
    let sec = Math.floor(cur / 1e9);
    let r = cur - sec * 1e9;
    cur = r * 65536 + (hi & 0xffff);
    let q = Math.floor(cur / 1e9);
    r = cur - q * 1e9;
    sec = sec * 65536 + q;
    cur = r * 65536 + (lo >>> 16);
    q = Math.floor(cur / 1e9);
    r = cur - q * 1e9;
    sec = sec * 65536 + q;
    cur = r * 65536 + (lo & 0xffff);
    q = Math.floor(cur / 1e9);
    r = cur - q * 1e9;
    sec = sec * 65536 + q;
    const slot = sec & 63;
    if (this.seconds[slot] !== sec) {
      this.seconds[slot] = sec;
      this.secondTexts[slot] = bytes(new Date(sec * 1000).toISOString().slice(0, 19));
    }
    this.byte(34);
    this.put(this.secondTexts[slot] as Uint8Array);
    this.byte(46);
    // Nine digits, in integer arithmetic (r < 1e9 fits an int32).
    const buf = this.buf;
    let p = this.pos + 9;
    this.pos = p;
    for (let k = 0; k < 9; k++) {
      const q = (r / 10) | 0;
      buf[--p] = 48 + r - q * 10;
      r = q;
    }
    this.byte(90);
    this.byte(34);
  }

  private app(id: number): Uint8Array | null {
    let b = this.apps.get(id);
    if (b === undefined) {
      const name = appName(id);
      b = name === undefined ? null : quoted(name);
      this.apps.set(id, b);
    }
    return b;
  }

  /**
   * `{"ip":"…","kind":…,"groups":[…],"port":N,"name":…}`: the address written here (IPv4 digit by
   * digit), the rest from bytes cached per description (shared by every outside address of one
   * address class, so millions of addresses cost a handful of entries).
   */
  private endpoint(v: DataView, at: number, port: number, e: EndpointJson): void {
    this.room(e.mid.length + e.tail.length + 1024);
    this.put(IP_OPEN);
    // An IPv4-mapped address (::ffff:a.b.c.d) is the low 32 bits.
    if (v.getUint32(at + 4, true) === 0xffff && v.getUint32(at + 8, true) === 0 && v.getUint32(at + 12, true) === 0) {
      const w = v.getUint32(at, true);
      this.int(w >>> 24);
      this.byte(46);
      this.int((w >>> 16) & 255);
      this.byte(46);
      this.int((w >>> 8) & 255);
      this.byte(46);
      this.int(w & 255);
    } else {
      this.put(bytes(formatIp(readAddr(v, at))));
    }
    this.put(e.mid);
    if (port >= 0) {
      this.put(K.port);
      this.int(port);
    }
    this.put(e.tail);
  }
}

/** The `"unknown"` application (by content: app bytes are cached per id, several ids print it). */
function isUnknown(app: Uint8Array): boolean {
  if (app.length !== UNKNOWN.length) return false;
  for (let i = 0; i < app.length; i++) if (app[i] !== UNKNOWN[i]) return false;
  return true;
}

/** A u64 as a double (rounded once, as Number(bigint) does). */
function u64(v: DataView, at: number): number {
  return v.getUint32(at + 4, true) * 4294967296 + v.getUint32(at, true);
}
