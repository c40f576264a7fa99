/**
 * The wasm half of `nvp diff`: both policies compiled to modules and decided by the runtime's
 * Enforcer. It lives above compiler/ and runtime/ (compiler/diff/ finds the flow space and the
 * witnesses, and never imports the runtime); `diffModules` is the diff the CLI, the bench and the
 * tests run.
 */
import { RESULT_SIZE } from "../../common/abi.js";
import { diffPolicies, type BothDeciders, type DecidedPair, type DiffOptions, type DiffResult, type DiffWorld } from "../../compiler/diff/diff.js";
import { compileModule } from "../../compiler/pipeline.js";
import type { PolicyModel } from "../../compiler/model.js";
import { decodeResult } from "../../runtime/flow-codec.js";
import { Enforcer, loadModule } from "../../runtime/index.js";

function enforcer(m: PolicyModel, world: DiffWorld): Enforcer {
  const e = new Enforcer(loadModule(compileModule(m).bytes));
  e.setInventory(world.inventory);
  for (const [name, ips] of Object.entries(world.dns)) e.addDnsResolution(name, ips);
  return e;
}

function sameBytes(a: Uint8Array, b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + RESULT_SIZE; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Both policies' compiled modules, one Enforcer each; yields the flows whose results differ. */
export const moduleDeciders: BothDeciders = (a, b, world) => {
  const ea = enforcer(a, world);
  const eb = enforcer(b, world);
  return function* (batch): Iterable<DecidedPair> {
    // Each module decides its own encoding (an encoding is bound to its module); results are
    // compared as bytes first and decoded only where they differ.
    const ra = ea.decideEncoded(ea.encode(batch));
    const rb = eb.decideEncoded(eb.encode(batch));
    const va = new DataView(ra.buffer, ra.byteOffset, ra.byteLength);
    const vb = new DataView(rb.buffer, rb.byteOffset, rb.byteLength);
    for (let k = 0; k < batch.length; k++) {
      if (sameBytes(ra, rb, k * RESULT_SIZE)) continue;
      const x = decodeResult(va, k * RESULT_SIZE);
      const y = decodeResult(vb, k * RESULT_SIZE);
      if (typeof x === "number" || typeof y === "number") throw new Error(`the engine could not decide ${JSON.stringify(batch[k])}`);
      yield { index: k, old: { action: x.action, rule: x.rule }, new: { action: y.action, rule: y.rule } };
    }
  };
};

/** `nvp diff`: the verdict-changing regions between `a` (old) and `b` (new), decided by their modules. */
export function diffModules(a: PolicyModel, b: PolicyModel, opts: DiffOptions = {}): DiffResult {
  return diffPolicies(a, b, moduleDeciders, opts);
}
