/**
 * Enforcer.swap under load: workers decide batches of flows while a swapper switches the module
 * back and forth between two policies, every step interleaved through the event loop. No decision
 * may be lost (one per flow) or mixed: each batch matches the reference evaluator for exactly the
 * policy that was current when the batch was decided, and differs from the other policy's wherever
 * the two disagree. Inventory and DNS resolutions given before the swaps carry over to each module.
 */
import { describe, expect, test } from "vitest";
import type { Flow } from "../../common/schema.js";
import { evaluate } from "../../compiler/reference/index.js";
import { type Decision, Enforcer, loadModule, NvpRuntimeError } from "../../runtime/index.js";
import { modelOf, moduleBytes, referenceDecision } from "./helpers.js";
import { rng, SWAP_DNS, SWAP_HOSTS, SWAP_INVENTORY, SWAP_PORTS, swapPolicies } from "./swap-fixtures.js";

const [A, B] = swapPolicies("tcp");

/** Every flow between the endpoints on a few ports: the two policies disagree on many of them. */
const POOL: Flow[] = [];
for (const src of SWAP_HOSTS) {
  for (const dst of SWAP_HOSTS) {
    for (const port of SWAP_PORTS) if (src !== dst) POOL.push({ src, dst, proto: "tcp", port });
  }
}
const INVENTORY = SWAP_INVENTORY;
const DNS = SWAP_DNS;

const ctx = { inventory: INVENTORY, dns: DNS };
const expected = [A, B].map((text) => {
  const model = modelOf(text);
  return POOL.map((f) => referenceDecision(evaluate(model, ctx, f)));
});

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Enforcer.swap under load", () => {
  test("the policies disagree on a good share of the flows (or the test proves nothing)", () => {
    const differ = POOL.filter((_, i) => JSON.stringify(expected[0]?.[i]) !== JSON.stringify(expected[1]?.[i]));
    expect(differ.length).toBeGreaterThanOrEqual(6);
  });

  test("4 workers × 150 batches and 200 swaps: every decision matches exactly the policy current at its batch", async () => {
    const modules = [loadModule(moduleBytes(A)), loadModule(moduleBytes(B))];
    const enforcer = new Enforcer(modules[0]!);
    enforcer.setInventory(INVENTORY);
    for (const [name, ips] of Object.entries(DNS)) enforcer.addDnsResolution(name, ips);
    let current = 0;
    const seen = [0, 0];
    const random = rng(11);
    const worker = async () => {
      for (let b = 0; b < 150; b++) {
        await tick();
        const picks = Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * POOL.length));
        const policy = current;
        const got: Decision[] = enforcer.decideMany(picks.map((i) => POOL[i] as Flow));
        expect(got.length).toBe(picks.length);
        picks.forEach((p, k) => {
          expect({ policy, flow: POOL[p], got: got[k] }).toEqual({ policy, flow: POOL[p], got: expected[policy]?.[p] });
          if (JSON.stringify(expected[0]?.[p]) !== JSON.stringify(expected[1]?.[p])) seen[policy]!++;
        });
      }
    };
    const swapper = async () => {
      for (let s = 0; s < 200; s++) {
        await tick();
        if (random() < 0.5) continue;
        current = 1 - current;
        enforcer.swap(modules[current]!);
        expect(enforcer.module).toBe(modules[current]);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker(), swapper()]);
    // Both policies decided flows on which they disagree: the check above told them apart.
    expect(seen[0]).toBeGreaterThan(50);
    expect(seen[1]).toBeGreaterThan(50);
    expect(enforcer.stats().dnsNames).toBe(1);
  });

  test("a swap that fails leaves the enforcer on its module, inventory and DNS intact", () => {
    const a = loadModule(moduleBytes(A));
    const b = loadModule(moduleBytes(B));
    const enforcer = new Enforcer(a);
    enforcer.setInventory(INVENTORY);
    for (const [name, ips] of Object.entries(DNS)) enforcer.addDnsResolution(name, ips);
    // Module b with its table's magic broken: the engine refuses the table while the new core is built.
    const table = b.table.slice();
    table[0] = (table[0] as number) ^ 0xff;
    const broken = Object.assign(Object.create(Object.getPrototypeOf(b)) as object, b, { table }) as typeof b;
    expect(() => enforcer.swap(broken)).toThrow(NvpRuntimeError);
    expect(enforcer.module).toBe(a);
    expect(enforcer.decideMany(POOL)).toEqual(expected[0]);
  });
});

