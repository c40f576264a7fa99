/**
 * The DPI stage on its own for tests: compiles asm/dpi/harness-entry.ts with asc in-process (stub
 * runtime, no imports, -O3, as the engine build does) once per test file, and calls `identify`
 * over two byte arrays copied into its memory. Constants come from asm/dpi/result.ts itself, so
 * the tests cannot drift from the engine.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { APPS, appById } from "../../common/apps.js";
import { formatIp } from "../../common/ip.js";
import { type Compiled, compileHarness } from "../asm-harness.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const RESULT_TS = readFileSync(join(root, "asm/dpi/result.ts"), "utf8");

/** An exported numeric constant of asm/dpi/result.ts. */
export function dpiConst(name: string): number {
  const m = new RegExp(`export const ${name}: \\w+ = (-?\\w+);`).exec(RESULT_TS);
  if (!m?.[1]) throw new Error(`asm/dpi/result.ts has no constant ${name}`);
  return Number(m[1]);
}

export const DPI_MORE = dpiConst("DPI_MORE");
export const DPI_UNKNOWN = dpiConst("DPI_UNKNOWN");
export const DPI_PREFIX_CAP = dpiConst("DPI_PREFIX_CAP");
export const DPI_MAX_PACKETS = dpiConst("DPI_MAX_PACKETS");
const RESULT_SIZE = dpiConst("DPI_RESULT_SIZE");
const R = {
  provisional: dpiConst("R_PROVISIONAL"),
  flags: dpiConst("R_FLAGS"),
  hostOff: dpiConst("R_HOST_OFF"),
  hostLen: dpiConst("R_HOST_LEN"),
  server: dpiConst("R_SERVER"),
  xffFamily: dpiConst("R_XFF_FAMILY"),
  xff: dpiConst("R_XFF"),
  pathOff: dpiConst("R_PATH_OFF"),
  pathLen: dpiConst("R_PATH_LEN"),
};
const HAS = { host: dpiConst("R_HAS_HOST"), xff: dpiConst("R_HAS_XFF"), server: dpiConst("R_HAS_SERVER"), path: dpiConst("R_HAS_PATH") };

export interface DpiResult {
  /** An app id, DPI_MORE or DPI_UNKNOWN. */
  code: number;
  provisional: number;
  host?: string;
  xff?: string;
  xffFamily?: number;
  server?: number;
  path?: string;
}

export interface Dpi {
  identify(proto: number, sport: number, dport: number, cli: Uint8Array, srv: Uint8Array): DpiResult;
  /** Only the return code; no result decoding (fuzz loops). */
  code(proto: number, sport: number, dport: number, cli: Uint8Array, srv: Uint8Array): number;
  /** Raw call with explicit pointers and lengths (bounds tests). */
  raw(proto: number, sport: number, dport: number, cli: number, cliLen: number, srv: number, srvLen: number, out: number): number;
  memory: WebAssembly.Memory;
}

let compiled: Promise<Compiled> | undefined;

/** The compiled module and its text, shared by the tests of one file. */
export function dpiModule(): Promise<Compiled> {
  compiled ??= compileHarness("asm/dpi/harness-entry.ts", ["asm/dpi"], "dpi", "the DPI stage", true);
  return compiled;
}

/** Room for prefixes longer than the cap: the fuzz tests go past it. */
const SLOT = 64 * 1024;

/**
 * An instance with buffers above heapBase(), or with one prefix flush against the end of linear
 * memory (`tail`), so that reading a byte past that prefix traps instead of reading the other.
 */
export async function loadDpi(tail?: "cli" | "srv"): Promise<Dpi> {
  const mod = (await dpiModule()).module;
  if (WebAssembly.Module.imports(mod).length !== 0) throw new Error("the DPI stage must not import anything");
  const inst = new WebAssembly.Instance(mod, {});
  const ex = inst.exports as unknown as {
    identify(proto: number, sport: number, dport: number, cli: number, cliLen: number, srv: number, srvLen: number, out: number): number;
    heapBase(): number;
    memory: WebAssembly.Memory;
  };
  const base = (ex.heapBase() + 63) & ~63;
  const out = base;
  const cliAt = base + 64;
  const srvAt = cliAt + SLOT;
  const need = srvAt + SLOT;
  const have = ex.memory.buffer.byteLength;
  if (need > have) ex.memory.grow(Math.ceil((need - have) / 65536));
  const text = new TextDecoder("latin1");

  function call(proto: number, sport: number, dport: number, cli: Uint8Array, srv: Uint8Array): number {
    if (cli.length > SLOT || srv.length > SLOT) throw new Error("prefix larger than the harness slot");
    const mem = new Uint8Array(ex.memory.buffer);
    const end = mem.length;
    const c = tail === "cli" ? end - cli.length : cliAt;
    const s = tail === "srv" ? end - srv.length : srvAt;
    mem.set(cli, c);
    mem.set(srv, s);
    return ex.identify(proto, sport, dport, c, cli.length, s, srv.length, out);
  }

  return {
    memory: ex.memory,
    raw: (...a) => ex.identify(...a),
    code: call,
    identify(proto, sport, dport, cli, srv) {
      const code = call(proto, sport, dport, cli, srv);
      if (tail) return { code, provisional: 0 };
      const view = new DataView(ex.memory.buffer, out, RESULT_SIZE);
      const flags = view.getUint16(R.flags, true);
      const r: DpiResult = { code, provisional: view.getUint16(R.provisional, true) };
      if (flags & HAS.host) {
        const off = view.getUint32(R.hostOff, true);
        r.host = text.decode(cli.subarray(off, off + view.getUint32(R.hostLen, true)));
      }
      if (flags & HAS.path) {
        const off = view.getUint32(R.pathOff, true);
        r.path = text.decode(cli.subarray(off, off + view.getUint32(R.pathLen, true)));
      }
      if (flags & HAS.server) r.server = view.getUint16(R.server, true);
      if (flags & HAS.xff) {
        const ip = view.getBigUint64(R.xff, true) | (view.getBigUint64(R.xff + 8, true) << 64n);
        r.xff = formatIp(ip);
        r.xffFamily = view.getUint8(R.xffFamily);
      }
      return r;
    },
  };
}

/** An app id by its name in common/apps.ts. */
export function appId(name: string): number {
  const a = APPS.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!a) throw new Error(`no app ${name}`);
  return a.id;
}

/** A code for messages: the app's name, `more` or `unknown`. */
export function codeName(code: number): string {
  if (code === DPI_MORE) return "more";
  if (code === DPI_UNKNOWN) return "unknown";
  return appById(code)?.name ?? `?${code}`;
}

export const TCP = 6;
export const UDP = 17;

/** ASCII (latin1) text to bytes. */
export function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

/** Concatenate byte arrays and numbers (single bytes). */
export function cat(...parts: (Uint8Array | number[] | string)[]): Uint8Array {
  const arrays = parts.map((p) => (typeof p === "string" ? bytes(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}
