/**
 * The Enforcer: one engine instance of a policy module plus the host state it needs — the
 * inventory (turned into endpoint classes), DNS resolutions, and flows in and verdicts out in
 * batches of BATCH_MAX. `swap` builds the new module's instance completely before switching, so
 * a decision always sees exactly one policy.
 */
import * as A from "../common/abi.js";
import { parseIp } from "../common/ip.js";
import { emptyInventory, type Flow, type Inventory } from "../common/schema.js";
import { DnsState } from "./dns-region.js";
import { EngineInstance } from "./engine-instance.js";
import { MODULE_CODES, NvpRuntimeError, engineStatusText } from "./errors.js";
import { type Decision, decodeResult, encodeFlow } from "./flow-codec.js";
import { buildInventoryRegion } from "./inventory-region.js";
import { MembershipMatcher } from "./membership.js";
import type { EngineExports, PolicyModule } from "./module.js";
import { TableView } from "./table-view.js";

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

interface State {
  module: PolicyModule;
  engine: EngineInstance;
  table: TableView;
  matcher: MembershipMatcher;
  dns: DnsState;
  /** Longest vh: name, for shortening hosts (flow-codec.ts shortenHost). */
  longestName: number;
  inventoryClasses: number;
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
  private state: State;
  private inventory: Inventory = emptyInventory();

  constructor(module: PolicyModule) {
    this.state = this.prepare(module, new Map());
  }

  get module(): PolicyModule {
    return this.state.module;
  }

  private prepare(module: PolicyModule, dnsEntries: Map<string, bigint[]>): State {
    const engine = new EngineInstance(module);
    const table = new TableView(module.table, module.meta);
    const matcher = new MembershipMatcher(module.meta.groups, module.meta.settings.defaultMode);
    const dns = new DnsState(module.meta.groups);
    for (const [name, ips] of dnsEntries) dns.add(name, ips);
    let longestName = 0;
    for (const g of module.meta.groups) for (const v of g.vh ?? []) longestName = Math.max(longestName, v.name.length);
    const state: State = { module, engine, table, matcher, dns, longestName, inventoryClasses: 0 };
    this.install(state, this.inventory);
    return state;
  }

  private install(state: State, inv: Inventory): void {
    const image = buildInventoryRegion(inv, state.table, state.matcher, (ip) => state.engine.addrClass(ip));
    state.engine.setInventory(image.bytes);
    state.engine.setDns(state.dns.buildRegion(state.table));
    state.inventoryClasses = image.classes;
  }

  /** Replace the inventory: workloads, nodes, internal subnets (docs/semantics.md S1, S2). */
  setInventory(inv: Inventory): void {
    this.install(this.state, inv);
    this.inventory = inv;
  }

  /** Record that `name` resolved to `ips` (adds to earlier resolutions of the name). */
  addDnsResolution(name: string, ips: readonly string[]): void {
    if (typeof name !== "string" || name.trim() === "") {
      throw new NvpRuntimeError(MODULE_CODES.dns, `DNS name \`${String(name)}\` is empty`, "give the name that was resolved, e.g. `db.example.com`");
    }
    const parsed = ips.map((text) => {
      const ip = typeof text === "string" ? parseIp(text.trim()) : null;
      if (ip === null) {
        throw new NvpRuntimeError(MODULE_CODES.dns, `DNS address \`${String(text)}\` for \`${name}\` is not an IP address`, "give IPv4 or IPv6 addresses");
      }
      return ip;
    });
    const s = this.state;
    s.dns.add(name, parsed);
    s.engine.setDns(s.dns.buildRegion(s.table));
  }

  /** Forget every DNS resolution. */
  clearDns(): void {
    const s = this.state;
    s.dns.clear();
    s.engine.setDns(s.dns.buildRegion(s.table));
  }

  /** Switch to another module atomically: its instance gets the inventory and DNS state first. */
  swap(module: PolicyModule): void {
    this.state = this.prepare(module, new Map(this.state.dns.entries()));
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
          used = encodeFlow(flows[i] as Flow, view, n * A.FLOW_SIZE, hosts, hostAt, this.state.longestName);
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
    return { moduleHash: this.state.module.meta.hash, count: flows.length, batches };
  }

  /** Decide encoded flows; returns the raw result records (count × RESULT_SIZE bytes). */
  decideEncoded(enc: EncodedFlows, out = new Uint8Array(enc.count * A.RESULT_SIZE)): Uint8Array {
    const { engine, module } = this.state;
    if (enc.moduleHash !== module.meta.hash) {
      throw new NvpRuntimeError(
        MODULE_CODES.encoded,
        `these flows were encoded for module \`${short(enc.moduleHash)}\`, but the enforcer now runs \`${short(module.meta.hash)}\``,
        "encode them again with `encode()` after `swap()`: a record's layout belongs to the module it was encoded for",
      );
    }
    let at = 0;
    for (const b of enc.batches) {
      const mem = new Uint8Array(engine.memory.buffer);
      mem.set(b.records, A.FLOW_BASE);
      mem.set(b.hosts, A.HOST_ARENA_BASE);
      engine.run(b.n);
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
    return this.state.engine.ex;
  }

  stats(): EnforcerStats {
    const s = this.state;
    return {
      memoryBytes: s.engine.memory.buffer.byteLength,
      usedBytes: s.engine.usedBytes,
      inventoryClasses: s.inventoryClasses,
      dnsNames: s.dns.size,
    };
  }
}

function short(hash: string | undefined): string {
  return String(hash).slice(0, 12);
}
