/**
 * The conformance corpus (test/conformance/*.yaml) on the compiled WebAssembly module: every case
 * is compiled to a module, loaded, given its inventory and DNS table, and decided by the engine.
 */
import { compileModule } from "../../compiler/emit/compile-module.js";
import { Enforcer, loadModule } from "../../runtime/index.js";
import { runCorpus } from "../conformance/corpus.js";

runCorpus("wasm", (model, ctx, flows) => {
  const enforcer = new Enforcer(loadModule(compileModule(model).bytes));
  enforcer.setInventory(ctx.inventory);
  for (const [name, ips] of Object.entries(ctx.dns)) enforcer.addDnsResolution(name, ips);
  return enforcer.decideMany(flows);
});
