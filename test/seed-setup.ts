/**
 * Property tests run from one fixed seed by default, so `npm test` and CI decide the same cases on
 * every run (Hypothesis' `derandomize` for CI, the same reasoning): a red run is a change, never a
 * roll of the dice. `NVP_SEED=random` explores new cases (each failure prints its seed and path),
 * `NVP_SEED=<n>` replays one seed. docs/testing.md "Seeds".
 */
import fc from "fast-check";
import { fixedSeed } from "./property-runs.js";

const seed = fixedSeed();
if (seed !== undefined) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
