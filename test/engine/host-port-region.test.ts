/**
 * The inventory region's host-port section (common/abi.ts I_HP, HP_*; docs/semantics.md S1.1):
 * the host writes it sorted and the engine checks it whole — a section out of order, with a
 * protocol other than TCP or UDP, or naming an address that is no workload's, is refused
 * (the engine then has no inventory) — and a valid one is what flows to node:hostPort consult.
 */
import { describe, expect, test } from "vitest";
import * as A from "../../common/abi.js";
import type { Inventory } from "../../common/schema.js";
import { emptyInventory } from "../../common/schema.js";
import { Enforcer, engineInstance, loadModule } from "../../runtime/index.js";
import type { EngineExports } from "../../runtime/module/load.js";
import { onBothEngines } from "./both-engines.js";
import { moduleBytes, regionInEngine } from "./helpers.js";

const POLICY = `policy hp
service client = nv.client.shop { mode protect }
service web = nv.web.shop { mode protect }
rule 10 allow client -> web port tcp/80
`;

const w = (name: string, service: string, ip: string, extra: object = {}) => ({
  name, namespace: "shop", service, labels: {}, nsLabels: {}, images: [], containers: [], node: "node-1", ips: [ip], ...extra,
});

const INVENTORY: Inventory = {
  ...emptyInventory(),
  workloads: [
    w("client-0", "client", "10.0.0.4"),
    w("web-0", "web", "10.0.0.5", { hostPorts: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }, { hostPort: 9090, containerPort: 80, protocol: "udp" }] }),
  ],
  nodes: [{ name: "node-1", ips: ["10.0.1.1", "10.0.1.2"] }],
};

onBothEngines(() => {
  const mod = loadModule(moduleBytes(POLICY));
  const base = mod.meta.table.base;

  /** A fresh engine with the table, the region copied in, and its host-port section's address. */
  function withRegion(): { ex: EngineExports; at: number; len: number; hp: number; n: number; mem: DataView } {
    const ex = engineInstance(mod).exports as unknown as EngineExports;
    expect(ex.init(base, mod.meta.table.length)).toBe(A.E_OK);
    const { at, len, mem } = regionInEngine(mod, ex, INVENTORY);
    return { ex, at, len, hp: at + mem.getUint32(at + A.I_HP, true), n: mem.getUint32(at + A.I_HP_N, true), mem };
  }

  describe("host-port section", () => {
    test("one entry per node address and mapping, sorted, and accepted", () => {
      const { ex, at, len, n, hp, mem } = withRegion();
      expect(n).toBe(4);
      const keys = Array.from({ length: n }, (_, i) => {
        const e = hp + i * A.HP_ENTRY_SIZE;
        return `${mem.getUint32(e + A.HP_LO, true) & 0xff}:${mem.getUint32(e + A.HP_KEY, true) >> 16}/${mem.getUint32(e + A.HP_KEY, true) & 0xffff}`;
      });
      expect(keys).toEqual(["1:6/8080", "1:17/9090", "2:6/8080", "2:17/9090"]);
      expect(ex.setInventory(at, len)).toBe(A.E_OK);
    });

    const edits: [string, (mem: DataView, hp: number) => void][] = [
      ["entries out of order", (mem, hp) => mem.setUint32(hp + A.HP_KEY, (A.PROTO_UDP << 16) | 9999, true)],
      ["a repeated entry", (mem, hp) => new Uint8Array(mem.buffer).copyWithin(hp + A.HP_ENTRY_SIZE, hp, hp + A.HP_ENTRY_SIZE)],
      ["a protocol other than TCP or UDP", (mem, hp) => mem.setUint32(hp + A.HP_KEY, (1 << 16) | 8080, true)],
      ["a workload address that is no workload's", (mem, hp) => mem.setUint32(hp + A.HP_WLO, 0x0a000109, true)],
      ["a node address (not a workload) as the workload", (mem, hp) => mem.setUint32(hp + A.HP_WLO, 0x0a000101, true)],
    ];

    test.each(edits)("%s is refused", (_, edit) => {
      const { ex, at, len, hp, mem } = withRegion();
      edit(mem, hp);
      expect(ex.setInventory(at, len)).toBe(A.E_REGION_CORRUPT);
    });

    test("a count past the region is refused", () => {
      const { ex, at, len, mem } = withRegion();
      mem.setUint32(at + A.I_HP_N, 1 << 20, true);
      expect(ex.setInventory(at, len)).toBe(A.E_REGION_CORRUPT);
    });

    test("the mapped port decides as the workload; a refused region leaves no inventory", () => {
      const enf = new Enforcer(mod);
      enf.setInventory(INVENTORY);
      const [mapped, unmapped] = enf.decideMany([
        { src: "10.0.0.4", dst: "10.0.1.2", proto: "tcp", port: 8080 },
        { src: "10.0.0.4", dst: "10.0.1.2", proto: "tcp", port: 8081 },
      ]);
      expect([mapped?.action, mapped?.rule, unmapped?.action, unmapped?.rule]).toEqual(["allow", 10, "deny", 0]);
    });
  });
});
