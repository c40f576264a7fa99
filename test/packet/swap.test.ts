/**
 * PacketEngine.swap under load: batches of packets interleaved with swaps between two policies.
 * Every packet gets one verdict (none lost), each new flow's verdict is the reference evaluator's
 * under exactly the policy current at its batch, the old engine's flows end at the swap (flow-end,
 * reason `flush`) with their events kept, inventory and host DNS carry over, and the counters add
 * up over the engines.
 */
import { describe, expect, test } from "vitest";
import type { Flow } from "../../common/schema.js";
import { evaluate } from "../../compiler/reference/index.js";
import { loadModule, NvpRuntimeError } from "../../runtime/index.js";
import { PacketEngine, type PacketInput } from "../../runtime/packet/engine.js";
import { modelOf, moduleBytes, referenceDecision } from "../engine/helpers.js";
import { rng, SWAP_DNS, SWAP_HOSTS, SWAP_INVENTORY, SWAP_PORTS, swapPolicies } from "../engine/swap-fixtures.js";
import { input, ip, udp } from "./craft.js";

const [A, B] = swapPolicies("udp");
const INV = SWAP_INVENTORY;
const DNS = SWAP_DNS;
const HOSTS = SWAP_HOSTS;
const PORTS = SWAP_PORTS;

/** A small engine: a swap builds a whole new instance, so its size is what a swap costs. */
const SETTINGS = { flows: 4096, prefixSlots: 64, events: 4096, dnsNames: 64, meterSlots: 256, externalIps: 16, batchBytes: 262144, fragBytes: 4096 };
const ctx = { inventory: INV, dns: DNS };
const models = [modelOf(A), modelOf(B)];
const reference = (policy: number, f: Flow) => referenceDecision(evaluate(models[policy]!, ctx, f));

describe("PacketEngine.swap under load", () => {
  test("200 steps of batches and swaps: each new flow is decided by exactly the current policy", () => {
    const modules = [loadModule(moduleBytes(A)), loadModule(moduleBytes(B))];
    const engine = new PacketEngine(modules[0]!, { inventory: INV, settings: SETTINGS });
    for (const [name, ips] of Object.entries(DNS)) engine.addDnsResolution(name, ips);
    const random = rng(7);
    let current = 0;
    let sport = 10_000;
    let ms = 1;
    let packets = 0;
    let swaps = 0;
    const decidedBy = [0, 0];
    for (let step = 0; step < 200; step++) {
      if (random() < 0.3) {
        current = 1 - current;
        engine.swap(modules[current]!);
        swaps++;
        continue;
      }
      const flows: Flow[] = [];
      const batch: PacketInput[] = [];
      for (let n = 1 + Math.floor(random() * 30); n > 0; n--) {
        const src = HOSTS[Math.floor(random() * 3)]!;
        const dst = HOSTS.filter((h) => h !== src)[Math.floor(random() * 2)]!;
        const port = PORTS[Math.floor(random() * PORTS.length)]!;
        flows.push({ src, dst, proto: "udp", port });
        batch.push(input(ip(src, dst, 17, udp(sport++, port, "x")), ms++));
      }
      const verdicts = engine.process(batch);
      expect(verdicts.length).toBe(batch.length);
      packets += batch.length;
      verdicts.forEach((v, k) => {
        const want = reference(current, flows[k]!);
        expect({ policy: current, flow: flows[k], action: v.action, rule: v.rule, new: v.new }).toEqual({ policy: current, flow: flows[k], action: want.action, rule: want.rule, new: true });
        if (want.rule !== reference(1 - current, flows[k]!).rule) decidedBy[current]!++;
      });
    }
    expect(swaps).toBeGreaterThan(30);
    expect(decidedBy[0]).toBeGreaterThan(50);
    expect(decidedBy[1]).toBeGreaterThan(50);
    // Counters add up over every engine: each packet counted once, each flow begun and ended once.
    engine.flush();
    const stats = engine.stats();
    expect(stats.packets).toBe(packets);
    expect(stats.flows.created).toBe(packets);
    expect(stats.flows.ended).toBe(packets);
    expect(stats.flows.active).toBe(0);
  });

  test("the old engine's flows end at the swap, their events named under the old policy; the queue keeps them", () => {
    const modules = [loadModule(moduleBytes(A)), loadModule(moduleBytes(B))];
    const engine = new PacketEngine(modules[0]!, { inventory: INV, settings: SETTINGS });
    engine.process([input(ip("10.0.0.1", "10.0.0.2", 17, udp(40000, 5000, "x")), 1)]);
    engine.swap(modules[1]!);
    const [v] = engine.process([input(ip("10.0.0.1", "10.0.0.2", 17, udp(40000, 5000, "y")), 2)]);
    // The same 5-tuple after the swap is a new flow to the new engine, decided by policy b.
    expect(v).toMatchObject({ action: "deny", rule: 10, new: true });
    engine.flush();
    const ends = engine.drainEvents().filter((e) => e.type === "flow-end");
    expect(ends.map((e) => [e.action, e.rule, (e as { end?: string }).end])).toEqual([
      ["allow", 10, "flush"],
      ["deny", 10, "flush"],
    ]);
  });

  test("a host-given resolution carries over: policy b's rule to the DNS group matches after the swap", () => {
    const modules = [loadModule(moduleBytes(A)), loadModule(moduleBytes(B))];
    const engine = new PacketEngine(modules[0]!, { inventory: INV, settings: SETTINGS });
    engine.addDnsResolution("Partners.Example.com.", ["192.0.2.7"]);
    engine.swap(modules[1]!);
    expect([...engine.resolutions()]).toEqual([["partners.example.com", ["192.0.2.7"]]]);
    const [v] = engine.process([input(ip("10.0.0.2", "192.0.2.7", 17, udp(40001, 9999, "x")), 1)]);
    expect(v).toMatchObject({ action: "allow", rule: 30 });
  });

  test("a swap that fails changes nothing: same module, its flows still active, decisions as before", () => {
    const [a, b] = [loadModule(moduleBytes(A)), loadModule(moduleBytes(B))];
    const engine = new PacketEngine(a, { inventory: INV, settings: SETTINGS });
    engine.process([input(ip("10.0.0.1", "10.0.0.2", 17, udp(40002, 5000, "x")), 1)]);
    const table = b.table.slice();
    table[0] = (table[0] as number) ^ 0xff;
    const broken = Object.assign(Object.create(Object.getPrototypeOf(b)) as object, b, { table }) as typeof b;
    expect(() => engine.swap(broken)).toThrow(NvpRuntimeError);
    expect(engine.module).toBe(a);
    expect(engine.stats().flows.active).toBe(1);
    const [v] = engine.process([input(ip("10.0.0.1", "10.0.0.2", 17, udp(40003, 5000, "x")), 2)]);
    expect(v).toMatchObject({ action: "allow", rule: 10, new: true });
  });
});

