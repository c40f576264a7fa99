/**
 * The conformance corpus against the reference evaluator (the oracle). Another engine runs the same
 * corpus with one line: runCorpus("wasm", (model, ctx, flows) => …).
 */
import { evaluate } from "../../compiler/reference/index.js";
import { runCorpus } from "./corpus.js";

runCorpus("reference", (model, ctx, flows) => flows.map((f) => evaluate(model, ctx, f)));
