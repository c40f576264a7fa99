/**
 * An evaluation session for explain, eval and test: a checked policy, an inventory, DNS resolutions
 * and an engine (the reference evaluator, or the compiled WebAssembly module).
 */
import type { Diagnostic } from "../common/diagnostics.js";
import { emptyInventory, type DnsTable, type Flow, type Inventory, type Verdict } from "../common/schema.js";
import type { PolicyModel } from "../compiler/model.js";
import { evaluate, loadAndCheck } from "../compiler/index.js";
import type { Decision } from "../runtime/index.js";
import { wasmEnforcer } from "./engines.js";

// The input readers live apart so that `nvp replay --module` does not load the compiler.
export { readDns, readInventory, readText } from "./session-inputs.js";

export type EngineName = "reference" | "wasm";
export const ENGINES: readonly EngineName[] = ["reference", "wasm"];

export interface Decider {
  readonly engine: EngineName;
  readonly model: PolicyModel;
  /** The verdict for one flow; the wasm engine's verdict has its action/rule/mode and the reference trace. */
  decide(flow: Flow): Verdict;
  decideMany(flows: readonly Flow[]): Verdict[];
  /** Just the decision (no endpoints, no trace): the fast path for eval and test. */
  lookupMany(flows: readonly Flow[]): Decision[];
}

export type { Decision };

function toDecision(v: Decision): Decision {
  const d: Decision = { action: v.action, rule: v.rule };
  if (v.mode) d.mode = v.mode;
  if (v.awaiting) d.awaiting = v.awaiting;
  if (v.xff) d.xff = toDecision(v.xff);
  return d;
}

export interface SessionInputs {
  policy: string[];
  params: Record<string, string>;
  inventory?: Inventory;
  dns?: DnsTable;
  engine: EngineName;
  /** Base directory for relative paths. */
  cwd: string;
}

export type SessionResult = { decider: Decider; diagnostics: Diagnostic[] } | { decider?: undefined; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string>; ioError: boolean };

/** Check the policy and build the engine; without a decider when the policy has errors (diagnostics say why). */
export function openSession(inputs: SessionInputs): SessionResult {
  const checked = loadAndCheck(inputs.policy, { params: inputs.params, cwd: inputs.cwd });
  if (!checked.model) {
    return { diagnostics: checked.diagnostics, sources: checked.sources, ioError: checked.ioError };
  }
  const model = checked.model;
  const ctx = { inventory: inputs.inventory ?? emptyInventory(), dns: inputs.dns ?? {} };
  const reference = (flow: Flow) => evaluate(model, ctx, flow);
  if (inputs.engine === "reference") {
    return {
      diagnostics: checked.diagnostics,
      decider: {
        engine: "reference",
        model,
        decide: reference,
        decideMany: (fs) => fs.map(reference),
        lookupMany: (fs) => fs.map((f) => toDecision(reference(f))),
      },
    };
  }
  const wasm = wasmEnforcer(model, ctx.inventory, ctx.dns);
  const merge = (flow: Flow, r: Decision): Verdict => {
    const ref = reference(flow);
    const v: Verdict = { ...ref, action: r.action, rule: r.rule };
    if (ref.action !== r.action || ref.rule !== r.rule) {
      v.trace = [...ref.trace, `warning: the reference evaluator decides ${ref.action} (rule ${ref.rule}); the engines disagree — please report this`];
    }
    delete v.mode;
    delete v.awaiting;
    if (r.mode) v.mode = r.mode;
    if (r.awaiting) v.awaiting = r.awaiting;
    return v;
  };
  return {
    diagnostics: checked.diagnostics,
    decider: {
      engine: "wasm",
      model,
      decide: (flow) => merge(flow, wasm.decide(flow)),
      decideMany: (flows) => wasm.decideMany(flows).map((r, i) => merge(flows[i]!, r)),
      lookupMany: (flows) => wasm.decideMany(flows).map(toDecision),
    },
  };
}
