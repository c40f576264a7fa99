/**
 * The two engines a checked policy runs on, set up in one place: the reference evaluator, and the
 * compiled WebAssembly module loaded as an enforcer loads it (compile → load → inventory → DNS).
 * The CLI session (`--engine` of explain, eval and test), the conformance corpus, the differential
 * tests and their counterexamples all take their engines from here, so "reference vs wasm" means
 * the same set-up everywhere. It sits in cli/ because it joins the compiler and the runtime, which
 * never import each other (test/layering/).
 */
import type { DnsTable, Flow, Inventory, Verdict } from "../common/schema.js";
import { compileModule, evaluate, type EvalContext } from "../compiler/index.js";
import type { PolicyModel } from "../compiler/model.js";
import { Enforcer, loadModule, type Decision } from "../runtime/index.js";
import { VERSION } from "./version.js";

/** Compile the model into a module, load it as an enforcer would, and give it the inventory and DNS. */
export function wasmEnforcer(model: PolicyModel, inventory: Inventory, dns: DnsTable): Enforcer {
  const enforcer = new Enforcer(loadModule(compileModule(model, { compilerVersion: VERSION }).bytes));
  enforcer.setInventory(inventory);
  for (const [name, ips] of Object.entries(dns)) enforcer.addDnsResolution(name, ips);
  return enforcer;
}

/** Decide a batch of flows for one policy, inventory and DNS table. */
export type DecideBatch<R> = (model: PolicyModel, ctx: EvalContext, flows: readonly Flow[]) => R[];

/** The reference evaluator: full verdicts, with endpoints and trace. Throws FlowError on bad input. */
export const referenceBatch: DecideBatch<Verdict> = (model, ctx, flows) => flows.map((f) => evaluate(model, ctx, f));

/** The compiled module on a fresh enforcer: decisions. Throws NvpRuntimeError (NV5420) on bad input. */
export const wasmBatch: DecideBatch<Decision> = (model, ctx, flows) => wasmEnforcer(model, ctx.inventory, ctx.dns).decideMany(flows);
