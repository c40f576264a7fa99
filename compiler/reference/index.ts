/**
 * The reference evaluator (the oracle): a naive, line-by-line reading of docs/semantics.md.
 * The compiled WebAssembly module must agree with `evaluate` on action, rule, mode and awaiting.
 */
export { evaluate, TRACE_ALL_RULES_LIMIT, type EvalContext } from "./evaluate.js";
export { resolveEndpoint, type Endpoint } from "./endpoints.js";
export { memberships, type Membership } from "./membership.js";
export { FlowError, type FlowField } from "./flow-input.js";
export { globMatch, workloadSelected } from "./criteria.js";
