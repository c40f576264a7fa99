/**
 * Run a block of engine tests on both builds of the engine (docs/performance.md "SIMD"): the scalar
 * engine modules carry, and the SIMD engine the runtime runs instead where WebAssembly SIMD
 * validates. `simd` is forced (chooseEngine), so a platform without SIMD fails the SIMD half
 * instead of quietly testing the scalar engine twice.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { chooseEngine, type EngineChoice } from "../../runtime/module/engine-code.js";

export const BOTH_ENGINES = ["scalar", "simd"] as const satisfies readonly EngineChoice[];

export function onBothEngines(body: (engine: (typeof BOTH_ENGINES)[number]) => void): void {
  describe.each(BOTH_ENGINES)("%s engine", (engine) => {
    beforeAll(() => chooseEngine(engine));
    afterAll(() => chooseEngine("auto"));
    body(engine);
  });
}

/** f() with `engine` chosen for the modules it loads; the choice goes back to `auto` after. */
export function withEngine<T>(engine: EngineChoice, f: () => T): T {
  chooseEngine(engine);
  try {
    return f();
  } finally {
    chooseEngine("auto");
  }
}
