/**
 * The prebuilt scalar engine every policy module carries: build/engine.wasm, produced by
 * `npm run build` (scripts/build-engine.mjs) and found by common/engine-files.ts.
 */
import { readFileSync } from "node:fs";
import { EngineMissingError, engineFilePath } from "../../common/engine-files.js";

export { EngineMissingError };

let cached: Uint8Array | undefined;

export function enginePath(): string {
  return engineFilePath("engine.wasm");
}

/** The engine bytes (read once per process). */
export function engineBytes(): Uint8Array {
  cached ??= new Uint8Array(readFileSync(enginePath()));
  return cached;
}
