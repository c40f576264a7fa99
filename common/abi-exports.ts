/**
 * The engine's exports, declared once: every function asm/index.ts exports, with its WebAssembly
 * signature. The engine build (scripts/build-engine.mjs) compares the built engine's
 * `WebAssembly.Module.exports` and each function's arity with this list and fails on any
 * difference; the runtime binds an instance's exports through it (runtime/module/bind.ts), so the
 * host's types, its presence checks and the engine cannot drift apart.
 *
 * One entry per line, `name: { params: [...], result: "..." },`: scripts/gen-abi.mjs reads this
 * file as text (plain node, before anything is compiled) and refuses any other shape.
 */

/** A WebAssembly value type as the host sees it: i32 (and usize) as number, i64 as bigint. */
export type WasmType = "i32" | "i64";

export interface ExportSignature {
  readonly params: readonly WasmType[];
  readonly result: WasmType;
}

/** The decision path and the table/region set-up (common/abi.ts). */
export const ENGINE_EXPORTS = {
  abiVersion: { params: [], result: "i32" },
  heapBase: { params: [], result: "i32" },
  init: { params: ["i32", "i32"], result: "i32" },
  dynamicBase: { params: [], result: "i32" },
  setInventory: { params: ["i32", "i32"], result: "i32" },
  setDns: { params: ["i32", "i32"], result: "i32" },
  addrClass: { params: ["i64", "i64"], result: "i32" },
  decideMany: { params: ["i32"], result: "i32" },
} as const satisfies Record<string, ExportSignature>;

/** The packet path (common/abi-packet.ts; asm/pipeline.ts). */
export const PACKET_EXPORTS = {
  packetAbiVersion: { params: [], result: "i32" },
  pktNeed: { params: ["i32"], result: "i32" },
  pktInit: { params: ["i32", "i32"], result: "i32" },
  pktPatterns: { params: [], result: "i32" },
  pktExternalIps: { params: ["i32"], result: "i32" },
  pktProcess: { params: ["i32", "i32"], result: "i32" },
  pktTick: { params: ["i64"], result: "i32" },
  pktFlush: { params: ["i32"], result: "i32" },
} as const satisfies Record<string, ExportSignature>;

/** Every export of the engine besides its memory, in asm/index.ts's order. */
export const ALL_EXPORTS = { ...ENGINE_EXPORTS, ...PACKET_EXPORTS };

/** The memory export's name (the engine exports exactly one memory and no tables or globals). */
export const MEMORY_EXPORT = "memory";

type JsValue<T extends WasmType> = T extends "i64" ? bigint : number;
type JsParams<P extends readonly WasmType[]> = { -readonly [K in keyof P]: P[K] extends WasmType ? JsValue<P[K]> : never };

/** The host's view of a declared export list: each function typed by its signature, plus memory. */
export type BoundExports<D extends Record<string, ExportSignature>> = {
  readonly [K in keyof D]: (...args: JsParams<D[K]["params"]>) => JsValue<D[K]["result"]>;
} & { readonly memory: WebAssembly.Memory };
