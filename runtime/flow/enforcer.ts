/**
 * The Enforcer, the flow API: a thin layer over the host core (runtime/host/core.ts: engine
 * instance, inventory, DNS) that encodes flows, decides them in batches of BATCH_MAX through the
 * IO area, and decodes the results. `swap` builds the new module's core completely before
 * switching, so a decision always sees exactly one policy.
 */
import * as A from "../../common/abi.js";
import type { Flow, Inventory } from "../../common/schema.js";
import { MODULE_CODES, NvpRuntimeError, engineStatusText } from "../errors.js";
import { type Decision, decodeResult, encodeFlow } from "./flow-codec.js";
import { HostCore } from "../host/core.js";
import type { EngineExports } from "../module/bind.js";
import type { PolicyModule } from "../module/policy-module.js";

export type { Decision };

/**
 * Flows encoded once, decided many times (benchmarks, replays): records and host bytes per batch.
 * The records depend on the module (virtual hosts are shortened to its longest `vh:` name), so a
 * batch carries the hash of the module it was encoded for and `decideEncoded` refuses it under any
 * other (NV5424). The inventory is not in the records (addresses are resolved when deciding), so a
 * batch stays valid across `setInventory`.
 */
export interface EncodedFlows {
  /** The content hash of the module the records were encoded for. */
  readonly moduleHash: string;
  count: number;
  batches: { n: number; records: Uint8Array; hosts: Uint8Array }[];
}

export interface EnforcerStats {
  /** Linear memory of the engine instance, in bytes. */
  memoryBytes: number;
  /** Memory actually used by table, scratch and host regions. */
  usedBytes: number;
  inventoryClasses: number;
  dnsNames: number;
}

export class Enforcer {
  private core: HostCore;
  /** Longest vh: name of the current module, for shortening hosts (flow-codec.ts shortenHost). */
  private longestName: number;

  constructor(module: PolicyModule) {
    this.core = new HostCore(module);
    this.longestName = longestVhName(module);
  }

  get module(): PolicyModule {
    return this.core.module;
  }

  /** Replace the inventory: workloads, nodes, internal subnets (docs/semantics.md S1, S2). */
  setInventory(inv: Inventory): void {
    this.core.setInventory(inv);
  }

  /** Record that `name` resolved to `ips` (adds to earlier resolutions of the name). */
  addDnsResolution(name: string, ips: readonly string[]): void {
    this.core.addDnsResolution(name, ips);
  }

  /** Forget every DNS resolution. */
  clearDns(): void {
    this.core.clearDns();
  }

  /**
   * Switch to another module atomically: its core gets the inventory and DNS state first, and
   * only a complete one replaces the current (a failure leaves the enforcer on the old module).
   */
  swap(module: PolicyModule): void {
    const next = this.core.successor(module);
    const longest = longestVhName(module);
    this.core = next;
    this.longestName = longest;
  }

  /** Encode flows for the current module (throws NV5420 on the first invalid flow). */
  encode(flows: readonly Flow[]): EncodedFlows {
    const batches: EncodedFlows["batches"] = [];
    let i = 0;
    while (i < flows.length) {
      const records = new Uint8Array(A.BATCH_MAX * A.FLOW_SIZE);
      const hosts = new Uint8Array(A.HOST_ARENA_SIZE);
      const view = new DataView(records.buffer);
      let n = 0;
      let hostAt = 0;
      for (; i < flows.length && n < A.BATCH_MAX; i++, n++) {
        let used: number;
        try {
          used = encodeFlow(flows[i] as Flow, view, n * A.FLOW_SIZE, hosts, hostAt, this.longestName);
        } catch (e) {
          if (e instanceof NvpRuntimeError && flows.length > 1) {
            throw new NvpRuntimeError(e.code, `flow ${i + 1}: ${e.message}`, e.help);
          }
          throw e;
        }
        if (used < 0) break;
        hostAt += used;
      }
      batches.push({ n, records: records.subarray(0, n * A.FLOW_SIZE), hosts: hosts.subarray(0, hostAt) });
    }
    return { moduleHash: this.core.module.meta.hash, count: flows.length, batches };
  }

  /** Decide encoded flows; returns the raw result records (count × RESULT_SIZE bytes). */
  decideEncoded(enc: EncodedFlows, out = new Uint8Array(enc.count * A.RESULT_SIZE)): Uint8Array {
    const { ex, module } = this.core;
    if (enc.moduleHash !== module.meta.hash) {
      throw new NvpRuntimeError(
        MODULE_CODES.encoded,
        `these flows were encoded for module \`${short(enc.moduleHash)}\`, but the enforcer now runs \`${short(module.meta.hash)}\``,
        "encode them again with `encode()` after `swap()`: a record's layout belongs to the module it was encoded for",
      );
    }
    let at = 0;
    for (const b of enc.batches) {
      const mem = new Uint8Array(ex.memory.buffer);
      mem.set(b.records, A.FLOW_BASE);
      mem.set(b.hosts, A.HOST_ARENA_BASE);
      const r = ex.decideMany(b.n);
      if (r !== b.n) throw new NvpRuntimeError(MODULE_CODES.flow, `the engine refused the batch: ${engineStatusText(-r)}`, "this is a bug in nvp; please report it");
      out.set(mem.subarray(A.RESULT_BASE, A.RESULT_BASE + b.n * A.RESULT_SIZE), at);
      at += b.n * A.RESULT_SIZE;
    }
    return out;
  }

  decideMany(flows: readonly Flow[]): Decision[] {
    const raw = this.decideEncoded(this.encode(flows));
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: Decision[] = [];
    for (let i = 0; i < flows.length; i++) {
      const d = decodeResult(view, i * A.RESULT_SIZE);
      if (typeof d === "number") {
        throw new NvpRuntimeError(MODULE_CODES.flow, `flow ${i + 1}: ${engineStatusText(d)}`, "this is a bug in nvp; please report it");
      }
      out.push(d);
    }
    return out;
  }

  decide(flow: Flow): Decision {
    return this.decideMany([flow])[0] as Decision;
  }

  /**
   * The current engine instance's raw exports and memory (common/abi.ts layout). For hosts that
   * write flow records straight into engine memory, and for benchmarks; `swap` replaces it.
   */
  get engineExports(): EngineExports {
    return this.core.ex;
  }

  stats(): EnforcerStats {
    const c = this.core;
    return { memoryBytes: c.memory.buffer.byteLength, usedBytes: c.usedBytes, inventoryClasses: c.inventoryClasses, dnsNames: c.dnsNames };
  }
}

function short(hash: string | undefined): string {
  return String(hash).slice(0, 12);
}

function longestVhName(module: PolicyModule): number {
  let longest = 0;
  for (const g of module.meta.groups) for (const v of g.vh ?? []) longest = Math.max(longest, v.name.length);
  return longest;
}
