/**
 * Fuzz: random and mutated bytes as module, table, host regions and flow records never trap or
 * hang the host. Modules go through loadModule (refused with NV54xx or loaded); tables and regions
 * go straight into an engine instance, bypassing the hash, so the engine's own validation is what
 * is tested; whatever it accepts must then decide arbitrary flows without a WebAssembly trap.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as A from "../../common/abi.js";
import { parseIp } from "../../common/ip.js";
import type { Inventory } from "../../common/schema.js";
import { DnsState } from "../../runtime/host/dns-region.js";
import { buildInventoryRegion } from "../../runtime/host/inventory-region.js";
import { MembershipMatcher } from "../../runtime/host/membership.js";
import { engineInstance, loadModule, NvpRuntimeError, type PolicyModule } from "../../runtime/index.js";
import type { EngineExports } from "../../runtime/module/load.js";
import { TableView } from "../../runtime/host/table-view.js";
import { moduleBytes } from "./helpers.js";

const POLICY = `policy fuzz
service web = nv.web.shop { mode protect }
service api = nv.api.shop { mode monitor }
group db { address 10.20.0.0/16, 2001:db8::/32, "db.example.com", "*.rds.example.com" }
group shop { address vh:shop.example.com, vh:*.example.com }
group front { label tier = "front"; namespace != "kube-system" }
rule 10 allow web -> api app http port tcp/8080
rule 20 allow api, front -> db port tcp/5432, udp/53
rule 30 allow web -> shop
rule 40 deny external -> api
rule 50 allow nodes -> containers port icmp
`;

const bytes = moduleBytes(POLICY);
const mod = loadModule(bytes);
const RUNS = 300;

function instance(m: PolicyModule = mod): EngineExports {
  return engineInstance(m).exports as unknown as EngineExports;
}

/** Fill the IO area with n random flow records and a random arena, decide, check statuses. */
function decideRandom(ex: EngineExports, records: Uint8Array, arena: Uint8Array): void {
  const mem = new Uint8Array(ex.memory.buffer);
  const n = Math.min(A.BATCH_MAX, Math.floor(records.length / A.FLOW_SIZE));
  mem.set(records.subarray(0, n * A.FLOW_SIZE), A.FLOW_BASE);
  mem.set(arena.subarray(0, A.HOST_ARENA_SIZE), A.HOST_ARENA_BASE);
  expect(ex.decideMany(n)).toBe(n);
  for (let i = 0; i < n; i++) {
    const at = A.RESULT_BASE + i * A.RESULT_SIZE;
    expect([A.E_OK, A.E_FLOW]).toContain(mem[at + A.R_STATUS]);
    if (mem[at + A.R_STATUS] === A.E_OK) expect(mem[at + A.R_ACTION]).toBeLessThanOrEqual(A.ACT_DENY);
  }
}

/** Flow records that are mostly plausible (known addresses, protocols, short hosts) with noise. */
const flowRecords = fc
  .array(
    fc.record({
      src: fc.constantFrom("10.0.0.1", "10.0.0.2", "10.20.1.1", "2001:db8::1", "203.0.113.5", "10.0.1.1"),
      dst: fc.constantFrom("10.0.0.1", "10.0.0.2", "10.20.1.1", "2001:db8::1", "192.0.2.10"),
      proto: fc.constantFrom(1, 6, 17, 58, 47, 255),
      flags: fc.nat({ max: 255 }),
      port: fc.nat({ max: 65535 }),
      app: fc.constantFrom(0, 1001, 2022, 0xffff, 0xffffffff, 7),
      hostOff: fc.oneof(fc.nat({ max: 64 }), fc.nat()),
      hostLen: fc.oneof(fc.nat({ max: 40 }), fc.nat()),
    }),
    { minLength: 1, maxLength: 64 },
  )
  .map((fs) => {
    const out = new Uint8Array(fs.length * A.FLOW_SIZE);
    const v = new DataView(out.buffer);
    fs.forEach((f, i) => {
      const at = i * A.FLOW_SIZE;
      for (const [field, text] of [[A.F_SRC, f.src], [A.F_DST, f.dst], [A.F_XFF, f.src]] as const) {
        const ip = parseIp(text) ?? 0n;
        v.setBigUint64(at + field, BigInt.asUintN(64, ip), true);
        v.setBigUint64(at + field + 8, ip >> 64n, true);
      }
      v.setUint8(at + A.F_PROTO, f.proto);
      v.setUint8(at + A.F_FLAGS, f.flags);
      v.setUint16(at + A.F_PORT, f.port, true);
      v.setUint32(at + A.F_APP, f.app >>> 0, true);
      v.setUint32(at + A.F_HOST_OFF, f.hostOff >>> 0, true);
      v.setUint32(at + A.F_HOST_LEN, f.hostLen >>> 0, true);
    });
    return out;
  });
const arena = fc.constantFrom(new TextEncoder().encode("shop.example.com.a.example.com...x.example.com"), new Uint8Array(64)).map((hosts) => {
  const a = new Uint8Array(A.HOST_ARENA_SIZE);
  a.set(hosts);
  return a;
});

function installRegions(ex: EngineExports, m: PolicyModule): void {
  const view = new TableView(m.table, m.meta);
  const inv: Inventory = {
    workloads: [
      { name: "w", namespace: "shop", service: "web", labels: { tier: "front" }, nsLabels: {}, images: [], containers: [], node: "n", ips: ["10.0.0.1"] },
      { name: "a", namespace: "shop", service: "api", labels: {}, nsLabels: {}, images: [], containers: [], node: "n", ips: ["10.0.0.2", "2001:db8::1"] },
    ],
    nodes: [{ name: "n", ips: ["10.0.1.1"] }],
    internalSubnets: ["10.0.2.0/24", "fd00::/8"],
    serviceExternalIps: [],
  };
  const region = buildInventoryRegion(inv, view, new MembershipMatcher(m.meta.groups, "discover"), (ip) => ex.addrClass(BigInt.asUintN(64, ip), ip >> 64n));
  const dns = new DnsState(m.meta.groups);
  dns.add("a.example.com", [parseIp("192.0.2.10") ?? 0n, parseIp("10.20.1.1") ?? 0n]);
  dns.add("shop.example.com", [parseIp("192.0.2.10") ?? 0n]);
  const dnsBytes = dns.buildRegion(view);
  const at = Math.ceil(ex.dynamicBase() / 64) * 64;
  const dnsAt = Math.ceil((at + region.bytes.length) / 64) * 64;
  ex.memory.grow(Math.ceil((dnsAt + dnsBytes.length + 4096) / A.PAGE_SIZE));
  const mem = new Uint8Array(ex.memory.buffer);
  mem.set(region.bytes, at);
  mem.set(dnsBytes, dnsAt);
  expect(ex.setInventory(at, region.bytes.length)).toBe(A.E_OK);
  expect(ex.setDns(dnsAt, dnsBytes.length)).toBe(A.E_OK);
  regions = { at, len: region.bytes.length, dnsAt, dnsLen: dnsBytes.length };
}
let regions = { at: 0, len: 0, dnsAt: 0, dnsLen: 0 };

describe("fuzz: modules", () => {
  test("random bytes are refused with NV54xx", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.uint8Array({ maxLength: 512 }).map((b) => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...b]))), (b) => {
        expect(() => loadModule(b)).toThrow(NvpRuntimeError);
      }),
      { numRuns: RUNS },
    );
  });

  test("mutated modules are refused with NV54xx (the hash covers every byte before the metadata)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
        const b = new Uint8Array(bytes);
        for (const [at, x] of muts) b[at] = (b[at] as number) ^ x;
        expect(() => loadModule(b)).toThrow(NvpRuntimeError);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("fuzz: tables (engine validation, no hash)", () => {
  const { base, length } = mod.meta.table;
  const headerField = fc.constantFrom(...Object.entries(A).filter(([k]) => k.startsWith("H_")).map(([, v]) => v as number));
  const u32 = fc.oneof(fc.constantFrom(0, 1, 7, 8, 0xffffffff, 0x80000000, length, length - 8, length + 8), fc.nat({ max: length * 2 }), fc.nat());

  test("mutated tables are rejected or decide arbitrary flows without trapping", () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.tuple(fc.constant("field" as const), headerField, u32), fc.tuple(fc.constant("byte" as const), fc.nat({ max: length - 1 }), fc.integer({ min: 1, max: 255 }))), { minLength: 1, maxLength: 6 }),
        flowRecords,
        arena,
        (muts, records, hosts) => {
          const ex = instance();
          const view = new DataView(ex.memory.buffer);
          for (const [kind, at, x] of muts) {
            if (kind === "field") view.setUint32(base + at, x >>> 0, true);
            else view.setUint8(base + at, view.getUint8(base + at) ^ x);
          }
          const status = ex.init(base, length);
          expect(status).toBeGreaterThanOrEqual(A.E_OK);
          expect(status).toBeLessThanOrEqual(A.E_TABLE_CORRUPT);
          if (status !== A.E_OK) {
            expect(ex.decideMany(1)).toBe(-A.E_NO_TABLE);
            return;
          }
          accepted++;
          decideRandom(ex, records, hosts);
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  test("random tables behind a valid header are rejected", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: A.HEADER_SIZE, maxLength: 4096 }), (b) => {
        const ex = instance();
        const mem = new Uint8Array(ex.memory.buffer);
        mem.set(b, base);
        const v = new DataView(ex.memory.buffer);
        v.setUint32(base + A.H_MAGIC, A.TABLE_MAGIC, true);
        v.setUint32(base + A.H_FORMAT, A.FORMAT_VERSION, true);
        v.setUint32(base + A.H_ABI, A.ABI_VERSION, true);
        v.setUint32(base + A.H_LEN, b.length, true);
        expect(ex.init(base, b.length)).not.toBe(A.E_OK);
      }),
      { numRuns: RUNS },
    );
  });

  test("bad table placement is rejected", () => {
    const ex = instance();
    expect(ex.init(0, length)).toBe(A.E_TABLE_BOUNDS);
    expect(ex.init(base + 1, length)).toBe(A.E_TABLE_BOUNDS);
    expect(ex.init(base, 0xffffffff)).toBe(A.E_TABLE_BOUNDS);
    expect(ex.init(0xfffffff8, 16)).toBe(A.E_TABLE_BOUNDS);
  });
});

describe("fuzz: regions and flows", () => {
  test("random flow records never trap", () => {
    const ex = instance();
    expect(ex.init(mod.meta.table.base, mod.meta.table.length)).toBe(A.E_OK);
    installRegions(ex, mod);
    fc.assert(
      fc.property(fc.oneof(flowRecords, fc.uint8Array({ minLength: A.FLOW_SIZE, maxLength: 64 * A.FLOW_SIZE })), fc.oneof(arena, fc.uint8Array({ minLength: A.HOST_ARENA_SIZE, maxLength: A.HOST_ARENA_SIZE })), (records, hosts) => {
        decideRandom(ex, records, hosts);
      }),
      { numRuns: RUNS },
    );
    expect(ex.decideMany(A.BATCH_MAX + 1)).toBe(-A.E_BATCH);
    expect(ex.decideMany(0)).toBe(0);
  });

  test("mutated inventory and DNS regions are rejected or decide without trapping", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("inventory" as const, "dns" as const),
        fc.array(fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 1, max: 255 }), fc.constant(0x100))), { minLength: 1, maxLength: 6 }),
        flowRecords,
        arena,
        (which, muts, records, hosts) => {
          const ex = instance();
          expect(ex.init(mod.meta.table.base, mod.meta.table.length)).toBe(A.E_OK);
          installRegions(ex, mod);
          const [at, len] = which === "inventory" ? [regions.at, regions.len] : [regions.dnsAt, regions.dnsLen];
          const view = new DataView(ex.memory.buffer);
          for (const [off, x] of muts) {
            const p = at + (off % len);
            // 0x100: set a whole u32 to a hostile value instead of flipping bits.
            if (x === 0x100) view.setUint32(p & ~3, 0xfffffff0, true);
            else view.setUint8(p, view.getUint8(p) ^ x);
          }
          const status = which === "inventory" ? ex.setInventory(at, len) : ex.setDns(at, len);
          expect([A.E_OK, A.E_REGION_BOUNDS, A.E_REGION_CORRUPT]).toContain(status);
          decideRandom(ex, records, hosts);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("regions must lie after the table and inside memory", () => {
    const ex = instance();
    expect(ex.init(mod.meta.table.base, mod.meta.table.length)).toBe(A.E_OK);
    expect(ex.setInventory(A.TABLE_BASE, 64)).toBe(A.E_REGION_BOUNDS);
    expect(ex.setDns(ex.dynamicBase(), 0xfffffff0)).toBe(A.E_REGION_BOUNDS);
    expect(ex.setInventory(0xfffffff8, 64)).toBe(A.E_REGION_BOUNDS);
    expect(ex.setInventory(ex.dynamicBase(), 0)).toBe(A.E_OK);
  });
});
