/**
 * Where the prebuilt engine lives: build/engine.wasm at the package root, produced by
 * `npm run build` (scripts/build-engine.mjs). Found by walking up from this file, so it works
 * from the TypeScript sources and from dist/ alike.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: Uint8Array | undefined;

export class EngineMissingError extends Error {}

export function enginePath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "build", "engine.wasm");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new EngineMissingError("the prebuilt engine build/engine.wasm is missing: run `npm run build`");
    dir = up;
  }
}

/** The engine bytes (read once per process). */
export function engineBytes(): Uint8Array {
  cached ??= new Uint8Array(readFileSync(enginePath()));
  return cached;
}
