/**
 * The conformance corpus against the reference evaluator (the oracle). Another engine runs the same
 * corpus with one line: runCorpus("wasm", wasmBatch) (test/engine/conformance.test.ts). Both engines
 * are set up in cli/engines.ts, as the CLI session's `--engine` uses them.
 */
import { referenceBatch } from "../../cli/engines.js";
import { runCorpus } from "./corpus.js";

runCorpus("reference", referenceBatch);
