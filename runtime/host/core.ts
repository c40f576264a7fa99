/**
 * The host core both host APIs stand on (the flow API, runtime/flow/enforcer.ts, and the packet
 * API, runtime/packet/engine.ts): one engine instance of a policy module with its exports bound once
 * (runtime/module/bind.ts), the table view, the membership matcher, and the host regions in the
 * instance's memory — the inventory (turned into endpoint classes) and the DNS region built from
 * host-given resolutions plus, on the packet path, those the engine snooped.
 *
 * A swap builds a complete core for the new module (`successor`) and the API switches to it in
 * one assignment, so a decision always sees exactly one policy.
 */
import { parseIp } from "../../common/ip.js";
import { emptyInventory, type Inventory } from "../../common/schema.js";
import { DnsState, normaliseName } from "./dns-region.js";
import { engineInstance } from "../module/engine-code.js";
import { MODULE_CODES, NvpRuntimeError } from "../errors.js";
import { align, HostRegions } from "./regions.js";
import { buildInventoryRegion } from "./inventory-region.js";
import { MembershipMatcher } from "./membership.js";
import { bindExports, type EngineExports } from "../module/bind.js";
import type { PolicyModule } from "../module/policy-module.js";
import { TableView } from "./table-view.js";

const MEMORY_HELP = "reduce the inventory or DNS table, or give the process more memory";

/**
 * A region the API places between the engine's own data and the host regions (the packet path's
 * region): called with the bound exports and the first free 64-aligned byte, returns its end.
 */
export type PlaceRegion = (ex: EngineExports, at: number) => number;

export class HostCore {
  readonly ex: EngineExports;
  readonly table: TableView;
  readonly matcher: MembershipMatcher;
  private readonly regions: HostRegions;
  /** Host-given resolutions (addDnsResolution). */
  private readonly hostDns: DnsState;
  /** Resolutions from outside the host (the packet path's snooped answers). */
  private snooped: ReadonlyMap<string, readonly bigint[]> = new Map();
  private inv: Inventory = emptyInventory();
  private classes = 0;

  /**
   * A new engine instance of `module` with `inventory` installed (default: empty) and no
   * resolutions; `place` puts the API's own region before the host regions.
   */
  constructor(
    readonly module: PolicyModule,
    place?: PlaceRegion,
    inventory: Inventory = emptyInventory(),
  ) {
    this.ex = bindExports(engineInstance(module));
    this.table = new TableView(module.table, module.meta);
    this.matcher = new MembershipMatcher(module.meta.groups, module.meta.settings.defaultMode);
    this.hostDns = new DnsState(module.meta.groups);
    const free = align(this.ex.dynamicBase(), 64);
    this.regions = new HostRegions(this.ex, align(place ? place(this.ex, free) : free, 64), MEMORY_HELP);
    this.setInventory(inventory);
  }

  /**
   * A core for `module` with this one's inventory and host-given resolutions installed, built
   * completely before the caller switches to it; this core is left as it was.
   */
  successor(module: PolicyModule, place?: PlaceRegion): HostCore {
    const next = new HostCore(module, place, this.inv);
    for (const [name, ips] of this.hostDns.entries()) next.hostDns.add(name, ips);
    next.snooped = this.snooped;
    next.installDns();
    return next;
  }

  get memory(): WebAssembly.Memory {
    return this.ex.memory;
  }

  get inventory(): Inventory {
    return this.inv;
  }

  /** Endpoint classes of the installed inventory. */
  get inventoryClasses(): number {
    return this.classes;
  }

  /** Host-given names (not the snooped ones). */
  get dnsNames(): number {
    return this.hostDns.size;
  }

  /** Bytes of linear memory in use: table, scratch, the placed region, inventory and DNS regions. */
  get usedBytes(): number {
    return this.regions.end;
  }

  /** Replace the inventory: workloads, nodes, internal subnets (docs/semantics.md S1, S2). */
  setInventory(inv: Inventory): void {
    const image = buildInventoryRegion(inv, this.table, this.matcher, (ip) => this.addrClass(ip));
    this.regions.setInventory(image.bytes);
    this.inv = inv;
    this.classes = image.classes;
    this.installDns();
  }

  /**
   * Record that `name` resolved to `ips`, added to earlier resolutions of the name (docs/semantics.md
   * S6). Names compare in lower case without a trailing dot; throws NV5423 for an empty name or an
   * address that is not one.
   */
  addDnsResolution(name: string, ips: readonly string[]): void {
    if (typeof name !== "string" || name.trim() === "") {
      throw new NvpRuntimeError(MODULE_CODES.dns, `DNS name \`${String(name)}\` is empty`, "give the name that was resolved, e.g. `db.example.com`");
    }
    const parsed = ips.map((text) => {
      const ip = typeof text === "string" ? parseIp(text.trim()) : null;
      if (ip === null) throw new NvpRuntimeError(MODULE_CODES.dns, `DNS address \`${String(text)}\` for \`${name}\` is not an IP address`, "give IPv4 or IPv6 addresses");
      return ip;
    });
    this.hostDns.add(name.trim(), parsed);
    this.installDns();
  }

  /** Forget every host-given resolution. */
  clearDns(): void {
    this.hostDns.clear();
    this.installDns();
  }

  /** Replace the snooped resolutions (the packet path reads them back from the engine). */
  setSnooped(snooped: ReadonlyMap<string, readonly bigint[]>): void {
    this.snooped = snooped;
    this.installDns();
  }

  /** Every resolution in force: host-given and snooped, by normalised name. */
  resolutions(): Map<string, bigint[]> {
    const all = new Map<string, bigint[]>(this.hostDns.entries());
    for (const [n, ips] of this.snooped) {
      const key = normaliseName(n);
      all.set(key, [...new Set([...(all.get(key) ?? []), ...ips])]);
    }
    return all;
  }

  /** The address class of an address (for folding address groups into inventory classes). */
  addrClass(ip: bigint): number {
    return this.ex.addrClass(BigInt.asUintN(64, ip), ip >> 64n);
  }

  private installDns(): void {
    let state = this.hostDns;
    if (this.snooped.size > 0) {
      state = new DnsState(this.module.meta.groups);
      for (const [name, ips] of this.resolutions()) state.add(name, ips);
    }
    this.regions.setDns(state.buildRegion(this.table));
  }
}
