/**
 * The rate meter and the flood and per-flow trackers on their own for tests: compiles
 * asm/threat/trackers-harness.ts with asc in-process (stub runtime, no imports, -O3, as the engine
 * build does) once per test file, cached in the OS temporary folder by the asm/threat sources and
 * the asc version. Each loadTrackers() is a fresh instance (fresh eviction counter and findings);
 * meter areas, state blocks and payloads are placed above heapBase() by a bump allocator here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseIp } from "../../common/ip.js";
import { THREATS, threatBySlug } from "../../common/threats.js";
import { compileHarness, type Finding, type FindingExports, takeFindings } from "../asm-harness.js";

export type { Finding };

const dir = join(import.meta.dirname, "../../asm/threat");
const METER_TS = readFileSync(join(dir, "meter.ts"), "utf8");

/** An exported numeric constant of asm/threat/meter.ts. */
function meterConst(name: string): number {
  const m = new RegExp(`export const ${name}: \\w+ = (\\w+);`).exec(METER_TS);
  if (!m?.[1]) throw new Error(`asm/threat/meter.ts has no constant ${name}`);
  return Number(m[1]);
}

export const METER_QUIET = meterConst("METER_QUIET");
export const METER_ROSE = meterConst("METER_ROSE");
export const METER_ON = meterConst("METER_ON");
export const METER_ENTRY = meterConst("METER_ENTRY");
export const METER_SLOTS = meterConst("METER_SLOTS");
export const METER_PROBE = meterConst("METER_PROBE");

/** The raw exports; u64 arguments are bigints. */
export interface TrackerExports extends FindingExports {
  meterHit(base: number, cap: number, kind: number, keyLo: bigint, keyHi: bigint, now: bigint, windowMs: number, threshold: number, release: number): number;
  meterKey(kind: number, keyLo: bigint, keyHi: bigint): bigint;
  meterLastCount(): number;
  meterEvictions(): bigint;
  synSeen(base: number, cap: number, dstLo: bigint, dstHi: bigint, srcLo: bigint, srcHi: bigint, now: bigint): number;
  icmpSeen(base: number, cap: number, dstLo: bigint, dstHi: bigint, now: bigint): number;
  dnsQuerySeen(base: number, cap: number, dstLo: bigint, dstHi: bigint, srcLo: bigint, srcHi: bigint, now: bigint): number;
  dnsEncodedSeen(base: number, cap: number, srcLo: bigint, srcHi: bigint, encoded: number, now: bigint): number;
  icmpEcho(state: number, isReply: number, seq: number, p: number, len: number): void;
  tcpWindow(state: number, fromClient: number, window: number, clientBytes: bigint, serverBytes: bigint, now: bigint): void;
  setThreatParam(code: number, i: number, v: number): void;
  heapBase(): number;
}

/** An address as the engine's two u64 halves (IPv4 mapped). */
export function halves(ip: string | bigint): [bigint, bigint] {
  const v = typeof ip === "bigint" ? ip : parseIp(ip);
  if (v === null) throw new Error(`bad address ${String(ip)}`);
  return [v & 0xffff_ffff_ffff_ffffn, v >> 64n];
}

export class Trackers {
  private top: number;
  constructor(readonly ex: TrackerExports) {
    this.top = (ex.heapBase() + 63) & ~63;
  }

  /** `bytes` zeroed bytes above heapBase, 64-byte aligned. */
  alloc(bytes: number): number {
    const at = this.top;
    this.top = (at + bytes + 63) & ~63;
    const have = this.ex.memory.buffer.byteLength;
    if (this.top > have) this.ex.memory.grow(Math.ceil((this.top - have) / 65536));
    new Uint8Array(this.ex.memory.buffer, at, bytes).fill(0);
    return at;
  }

  /** A zeroed meter area of `cap` entries. */
  area(cap: number): number {
    return this.alloc(cap * METER_ENTRY);
  }

  /** Bytes copied into fresh memory; their address. */
  bytes(data: Uint8Array): number {
    const at = this.alloc(Math.max(data.length, 1));
    new Uint8Array(this.ex.memory.buffer).set(data, at);
    return at;
  }

  /** Every threat's parameters at the catalog's defaults. */
  defaults(): this {
    for (const t of THREATS) t.params.forEach((p, i) => this.ex.setThreatParam(t.code, i, p.default));
    return this;
  }

  /** Set `slug.param` (a catalog parameter) to `value`. */
  set(setting: string, value: number): this {
    const [slug = "", name] = setting.split(/\.(?=[^.]+$)/);
    const t = threatBySlug(slug);
    const i = t?.params.findIndex((p) => p.name === name) ?? -1;
    if (!t || i < 0) throw new Error(`no threat parameter ${setting}`);
    this.ex.setThreatParam(t.code, i, value);
    return this;
  }

  /** The findings so far, cleared. */
  findings(): Finding[] {
    return takeFindings(this.ex);
  }

  syn(base: number, cap: number, dst: string | bigint, src: string | bigint, now: number): number {
    return this.ex.synSeen(base, cap, ...halves(dst), ...halves(src), BigInt(now));
  }

  icmp(base: number, cap: number, dst: string | bigint, now: number): number {
    return this.ex.icmpSeen(base, cap, ...halves(dst), BigInt(now));
  }

  dns(base: number, cap: number, dst: string | bigint, src: string | bigint, now: number): number {
    return this.ex.dnsQuerySeen(base, cap, ...halves(dst), ...halves(src), BigInt(now));
  }

  dnsEncoded(base: number, cap: number, src: string | bigint, encoded: boolean, now: number): number {
    return this.ex.dnsEncodedSeen(base, cap, ...halves(src), encoded ? 1 : 0, BigInt(now));
  }

  /** Keys in use in a meter area (entries with a fingerprint). */
  occupied(base: number, cap: number): number {
    const view = new DataView(this.ex.memory.buffer);
    let n = 0;
    for (let i = 0; i < cap; i++) if (view.getBigUint64(base + i * METER_ENTRY, true) !== 0n) n++;
    return n;
  }
}

/** A fresh instance with every threat parameter at its catalog default. */
let compiled: Promise<WebAssembly.Module> | undefined;

export async function loadTrackers(): Promise<Trackers> {
  compiled ??= compileHarness("asm/threat/trackers-harness.ts", ["asm/threat"], "trackers", "the trackers").then((c) => c.module);
  const mod = await compiled;
  if (WebAssembly.Module.imports(mod).length !== 0) throw new Error("the trackers must not import anything");
  return new Trackers(new WebAssembly.Instance(mod, {}).exports as unknown as TrackerExports).defaults();
}
