/**
 * Where the prebuilt engines live: build/engine.wasm (scalar; every policy module carries it) and
 * build/engine-simd.wasm (WebAssembly SIMD; the runtime may run it instead), produced by
 * `npm run build` (scripts/build-engine.mjs). Found by walking up from this file to the package
 * root, so it works from the TypeScript sources and from dist/ alike. Shared by the compiler,
 * which embeds the scalar engine, and the runtime, which picks the engine to run.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export class EngineMissingError extends Error {}

export type EngineFile = "engine.wasm" | "engine-simd.wasm";

/** The path of build/<file> in this package; EngineMissingError when it was not built. */
export function engineFilePath(file: EngineFile): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "build", file);
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new EngineMissingError(`the prebuilt engine build/${file} is missing: run \`npm run build\``);
    dir = up;
  }
}
