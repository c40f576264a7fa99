/**
 * The conformance corpus (test/conformance/*.yaml) on the compiled WebAssembly module: every case
 * is compiled to a module, loaded, given its inventory and DNS table, and decided by the engine.
 */
import { wasmBatch } from "../../cli/engines.js";
import { runCorpus } from "../conformance/corpus.js";
import { onBothEngines } from "./both-engines.js";

// Both builds of the engine (scalar and SIMD), with the same known gaps.
onBothEngines(() => runCorpus("wasm", wasmBatch));
