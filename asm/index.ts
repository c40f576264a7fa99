// The nvp decision engine: exports only. No allocation anywhere (stub runtime, nothing calls
// heap.alloc), no imports; the host lays out memory as common/abi.ts describes. The export list
// is declared in common/abi-exports.ts: the engine build fails when this file exports anything
// else, or a declared function is missing or takes another number of parameters.
import { ABI_VERSION, BATCH_MAX, E_BATCH, E_NO_TABLE, FLOW_BASE, FLOW_SIZE, RESULT_BASE, RESULT_SIZE } from "./abi";
import { decideOne } from "./decide";
import { resetRegions, setDns as installDns, setInventory as installInventory } from "./regions";
import { addrClass as classOf } from "./resolve";
import { dynBase, initTable, ready } from "./table";

export function abiVersion(): u32 {
  return ABI_VERSION;
}

/** End of the engine's static data: the host checks it lies below ENGINE_STATIC_MAX. */
export function heapBase(): usize {
  return __heap_base;
}

/** Validate and install the table at [base, base + len); 0 or an E_* code. Drops the regions. */
export function init(base: usize, len: u32): u32 {
  resetRegions();
  return initTable(base, len);
}

/** First byte the host may use for inventory and DNS regions (after the table and scratch). */
export function dynamicBase(): u32 {
  return ready ? <u32>dynBase : 0;
}

export function setInventory(p: usize, len: u32): u32 {
  return installInventory(p, len);
}

export function setDns(p: usize, len: u32): u32 {
  return installDns(p, len);
}

/** Address class of a 128-bit address, for the host folding address groups into inventory classes. */
export function addrClass(lo: u64, hi: u64): i32 {
  return ready ? <i32>classOf(lo, hi) : -1;
}

/**
 * Decide the n flow records at FLOW_BASE into the result records at RESULT_BASE. Returns the
 * number of flows decided (each result carries its own status), or -E_* for a bad call.
 */
export function decideMany(n: u32): i32 {
  if (!ready) return -(<i32>E_NO_TABLE);
  if (n > BATCH_MAX) return -(<i32>E_BATCH);
  for (let i: u32 = 0; i < n; i++) decideOne(FLOW_BASE + i * FLOW_SIZE, RESULT_BASE + i * RESULT_SIZE);
  return <i32>n;
}

// The packet path (asm/pipeline.ts; docs/formats.md "Events and flow records").
export { packetAbiVersion, pktNeed, pktInit, pktPatterns, pktExternalIps, pktProcess, pktTick, pktFlush } from "./pipeline";
