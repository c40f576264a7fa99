/**
 * The stream detectors on their own for tests: compiles asm/threat/harness-entry.ts with asc
 * in-process (stub runtime, no imports, -O3, as the engine build does) once, cached in the OS
 * temporary folder by the asm/threat and asm/dpi sources and the asc version. A loadStream() is a
 * fresh instance with the catalog's default parameters (common/threats.ts); each flow() is a
 * zeroed STREAM_STATE_BYTES block, and every call copies its payload into one buffer above
 * heapBase(), or flush against the end of linear memory (`atEnd`), so that a read past the
 * payload traps instead of reading something else.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { THREATS } from "../../common/threats.js";
import { parseCaptureBuffer } from "../../runtime/capture/index.js";
import { compileHarness, type Finding, type FindingExports, takeFindings } from "../asm-harness.js";
import { bytes as latin1, cat, TCP, UDP } from "../dpi/harness.js";

export { cat, latin1, TCP, UDP };
export type { Finding };

/** Application ids (common/apps.ts). */
export const APP = { HTTP: 1001, SSL: 1002, DNS: 1004, MySQL: 2001, PostgreSQL: 2006, nginx: 2022, TNS: 2026, TDS: 2027, Redis: 2002 } as const;

interface Exports extends FindingExports {
  streamData(state: number, app: number, proto: number, toServer: number, p: number, len: number, now: bigint): void;
  streamTick(state: number, app: number, now: bigint): void;
  streamWanted(app: number): number;
  streamFamily(app: number): number;
  familyStateBytes(f: number): number;
  sqlCheck(q: number, p: number, len: number, mysql: number): void;
  dnsEncodedQuery(p: number, len: number): number;
  dnsIsQuery(p: number, len: number): number;
  setThreatParam(code: number, i: number, v: number): void;
  heapBase(): number;
  STREAM_STATE_BYTES: WebAssembly.Global;
}

let compiled: Promise<WebAssembly.Module> | undefined;

export function streamModule(): Promise<WebAssembly.Module> {
  compiled ??= compileHarness("asm/threat/harness-entry.ts", ["asm/threat", "asm/dpi"], "stream", "the stream detectors").then((c) => c.module);
  return compiled;
}

export function code(slug: string): number {
  const t = THREATS.find((x) => x.slug === slug);
  if (!t) throw new Error(`no threat ${slug}`);
  return t.code;
}

/** Where one flow's payloads go. */
const BUFFER = 256 * 1024;

export interface Flow {
  /** Payload of one direction (`c` client to server, `s` back) at packet time `now` (ns): the findings. */
  data(dir: "c" | "s", bytes: Uint8Array | string, now?: bigint): Finding[];
  tick(now: bigint): Finding[];
  /** The raw state bytes (tests of the layout). */
  state(): Uint8Array;
  /** Where the state is: another flow() over the same state with another application. */
  at: number;
}

export class Stream {
  readonly stateBytes: number;
  private top: number;
  private buf: number;
  constructor(readonly ex: Exports, readonly atEnd = false) {
    this.stateBytes = Number(ex.STREAM_STATE_BYTES.value);
    this.top = (ex.heapBase() + 63) & ~63;
    this.buf = this.alloc(BUFFER);
    for (const t of THREATS) t.params.forEach((p, i) => ex.setThreatParam(t.code, i, p.default));
  }

  private alloc(n: number): number {
    const at = this.top;
    this.top = (at + n + 63) & ~63;
    const have = this.ex.memory.buffer.byteLength;
    if (this.top > have) this.ex.memory.grow(Math.ceil((this.top - have) / 65536));
    new Uint8Array(this.ex.memory.buffer, at, n).fill(0);
    return at;
  }

  setParam(slug: string, i: number, v: number): void {
    this.ex.setThreatParam(code(slug), i, v);
  }

  /** Copy a payload where it will be read: the buffer, or the very end of memory. */
  private place(bytes: Uint8Array): number {
    if (bytes.length > BUFFER) throw new Error("payload larger than the harness buffer");
    // At the end of memory, the payload must not reach down to the states below it.
    const have = this.ex.memory.buffer.byteLength;
    if (this.atEnd && have - bytes.length < this.top) this.ex.memory.grow(Math.ceil((this.top + bytes.length - have) / 65536));
    const mem = new Uint8Array(this.ex.memory.buffer);
    const at = this.atEnd ? mem.length - bytes.length : this.buf;
    mem.set(bytes, at);
    return at;
  }

  findings(): Finding[] {
    return takeFindings(this.ex);
  }

  /** A new flow of `app` over `proto`, with a zeroed state (or the state at `at`). */
  flow(app: number, proto = TCP, at?: number): Flow {
    const state = at ?? this.alloc(this.stateBytes);
    return {
      at: state,
      data: (dir, bytes, now = 0n) => {
        const b = typeof bytes === "string" ? latin1(bytes) : bytes;
        this.ex.clearFindings();
        this.ex.streamData(state, app, proto, dir === "c" ? 1 : 0, this.place(b), b.length, now);
        return this.findings();
      },
      tick: (now) => {
        this.ex.clearFindings();
        this.ex.streamTick(state, app, now);
        return this.findings();
      },
      state: () => new Uint8Array(this.ex.memory.buffer, state, this.stateBytes).slice(),
    };
  }

  /** The SQL matcher over one whole text. */
  sql(text: Uint8Array | string, mysql = true): Finding[] {
    const b = typeof text === "string" ? latin1(text) : text;
    const q = this.alloc(64);
    this.ex.clearFindings();
    this.ex.sqlCheck(q, this.place(b), b.length, mysql ? 1 : 0);
    return this.findings();
  }

  dnsEncodedQuery(msg: Uint8Array): boolean {
    return this.ex.dnsEncodedQuery(this.place(msg), msg.length) !== 0;
  }

  dnsIsQuery(msg: Uint8Array): boolean {
    return this.ex.dnsIsQuery(this.place(msg), msg.length) !== 0;
  }
}

/** A fresh instance with the catalog's default parameters. */
export async function loadStream(atEnd = false): Promise<Stream> {
  const mod = await streamModule();
  if (WebAssembly.Module.imports(mod).length !== 0) throw new Error("the stream detectors must not import anything");
  return new Stream(new WebAssembly.Instance(mod, {}).exports as unknown as Exports, atEnd);
}

/** The threats of a list of findings, in order. */
export function threats(fs: Finding[]): string[] {
  return fs.map((f) => f.threat);
}

/**
 * Feed one direction's bytes as the given pieces (cut at `cuts`, sorted offsets) and collect the
 * findings of every call.
 */
export function feedSplit(f: Flow, dir: "c" | "s", bytes: Uint8Array, cuts: number[], now = 0n): Finding[] {
  const out: Finding[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    if (c < at) continue;
    out.push(...f.data(dir, bytes.subarray(at, c), now));
    at = c;
  }
  return out;
}

/** A capture flow's packets (test/dpi/flows.ts Flow): direction, payload, TCP sequence and SYN. */
export interface CapturedFlow {
  proto: number;
  packets: { dir: 0 | 1; payload: Uint8Array; seq: number; syn: boolean }[];
}

/**
 * The pieces the packet path hands a flow's parser, in arrival order: each UDP datagram, and for
 * TCP each direction's new in-order bytes (retransmissions and overlaps dropped, segments that
 * arrive early held until the gap fills), with the index of the packet whose arrival delivers it.
 */
export function inOrderPieces(f: CapturedFlow): { dir: 0 | 1; bytes: Uint8Array; packet: number }[] {
  const out: { dir: 0 | 1; bytes: Uint8Array; packet: number }[] = [];
  const next: (number | undefined)[] = [undefined, undefined];
  const held: { seq: number; payload: Uint8Array }[][] = [[], []];
  for (const [packet, p] of f.packets.entries()) {
    if (f.proto === UDP) {
      if (p.payload.length) out.push({ dir: p.dir, bytes: p.payload, packet });
      continue;
    }
    if (p.syn) {
      next[p.dir] = (p.seq + 1) >>> 0;
      continue;
    }
    if (next[p.dir] === undefined) next[p.dir] = p.seq;
    if (p.payload.length) held[p.dir]!.push({ seq: p.seq, payload: p.payload });
    for (let progress = true; progress; ) {
      progress = false;
      held[p.dir] = held[p.dir]!.filter((q) => {
        const ahead = (q.seq - next[p.dir]!) | 0;
        if (ahead > 0) return true;
        if (-ahead < q.payload.length) {
          const fresh = q.payload.subarray(-ahead);
          out.push({ dir: p.dir, bytes: fresh, packet });
          next[p.dir] = (next[p.dir]! + fresh.length) >>> 0;
          progress = true;
        }
        return false;
      });
    }
  }
  return out;
}

/** Replay a captured flow through a new parser state of `app`, one millisecond per piece. */
export function replay(s: Stream, f: CapturedFlow, app: number): Finding[] {
  const flow = s.flow(app, f.proto);
  const out: Finding[] = [];
  inOrderPieces(f).forEach((piece, i) => out.push(...flow.data(piece.dir === 0 ? "c" : "s", piece.bytes, BigInt(i + 1) * 1_000_000n)));
  out.push(...flow.tick(BigInt(f.packets.length + 1) * 1_000_000n));
  return out;
}

/**
 * Capture times for the flows test/dpi/flows.ts reads from a file: its payloads are views into the
 * file's bytes as read, so the record a payload lies in gives its time. Node reads small files into
 * a shared pool, so the file's place in the payload's buffer is found by its content (read here
 * outside the pool, so that the copy found is the flows'); anything ambiguous throws.
 */
export function captureClock(path: string): (payload: Uint8Array) => bigint {
  const fd = openSync(path, "r");
  const file = new Uint8Array(fstatSync(fd).size);
  readSync(fd, file, 0, file.length, 0);
  closeSync(fd);
  const records = parseCaptureBuffer(file).packets.map((p) => ({ from: p.data.byteOffset, to: p.data.byteOffset + p.data.length, ts: p.ts }));
  const bases = new Map<ArrayBufferLike, number>();
  const base = (buf: ArrayBufferLike): number => {
    const known = bases.get(buf);
    if (known !== undefined) return known;
    const all = new Uint8Array(buf);
    const found: number[] = [];
    for (let at = 0; at + file.length <= all.length; at++) {
      let k = 0;
      while (k < file.length && all[at + k] === file[k]) k++;
      if (k === file.length) found.push(at);
    }
    if (found.length !== 1) throw new Error(`${path}: the file's bytes are ${found.length} times in the payload's buffer`);
    bases.set(buf, found[0]!);
    return found[0]!;
  };
  return (payload) => {
    const at = payload.byteOffset - base(payload.buffer);
    const r = records.find((x) => x.from <= at && at <= x.to);
    if (!r) throw new Error(`${path}: no record holds offset ${at}`);
    return r.ts;
  };
}
