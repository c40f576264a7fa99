/**
 * wasm = reference on a generated policy (bench/gen-policy.ts): the check the large-policy tests
 * share, on both builds of the engine (scalar and SIMD) against one reference run.
 */
import { expect } from "vitest";
import type { Flow } from "../../common/schema.js";
import { compileModule } from "../../compiler/pipeline.js";
import { Enforcer, loadModule } from "../../runtime/index.js";
import { evaluate } from "../../compiler/reference/index.js";
import { generatePolicy, rng } from "../../bench/gen-policy.js";
import { BOTH_ENGINES, withEngine } from "./both-engines.js";
import { modelOf, referenceDecision } from "./helpers.js";

/** wasm = reference on a generated policy's flows, with DNS names resolved and some X-Forwarded-For lookups. */
export function generatedAgrees(rules: number, workloads: number, flowCount: number): void {
  const g = generatePolicy(rules, workloads, flowCount, 7);
  const model = modelOf(g.source);
  // Resolve some of the policy's DNS names to addresses the flows use.
  const names = [...new Set([...g.source.matchAll(/"(db\d+\.partner\d+\.example\.com)"/g)].map((m) => m[1] as string))].slice(0, 40);
  const r = rng(3);
  const dns: Record<string, string[]> = {};
  for (const n of names) dns[n] = [g.flows[Math.floor(r() * g.flows.length)]?.dst ?? "192.0.2.1"];
  const flows: Flow[] = g.flows.map((f, i) => (i % 4 === 0 ? { ...f, xff: "198.18.7.7" } : f));
  const want = flows.map((f) => referenceDecision(evaluate(model, { inventory: g.inventory, dns }, f)));
  // One compilation, loaded on each engine.
  const bytes = compileModule(model).bytes;
  for (const engine of BOTH_ENGINES) {
    const got = withEngine(engine, () => {
      const enforcer = new Enforcer(loadModule(bytes));
      enforcer.setInventory(g.inventory);
      for (const [name, ips] of Object.entries(dns)) enforcer.addDnsResolution(name, ips);
      return enforcer.decideMany(flows);
    });
    expect({ engine, got }).toEqual({ engine, got: want });
  }
  // The sample exercises both outcomes.
  expect(want.some((d) => d.rule !== 0)).toBe(true);
  expect(want.some((d) => d.rule === 0)).toBe(true);
}
