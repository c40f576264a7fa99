#!/usr/bin/env node
/**
 * Build the prebuilt decision engine: regenerate the asm/ copies of common/ (scripts/gen-abi.mjs),
 * compile asm/ with asc (stub runtime, no imports) into build/engine.wasm (scalar) and
 * build/engine-simd.wasm (v128), and check the ABI contract on both (no imports, ABI version,
 * static data, exports as common/abi-exports.ts).
 * Part of `npm run build`, so a clean clone gets the engine from `npm ci`. Plain node, not tsx:
 * tsx transforms asc's large ESM files and takes seconds longer (toolchain.md §7).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { compareExports, readExports } from "./gen-abi.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts/gen-abi.mjs")], { stdio: "inherit" });

// Two builds of the same sources: the scalar engine every policy module carries (and the
// differential oracle), and the SIMD engine (`--enable simd`, ASC_FEATURE_SIMD true) the runtime
// runs instead when WebAssembly SIMD is available and the module carries this scalar engine
// (runtime/module/engine-code.ts, docs/performance.md "SIMD engine").
const ENGINES = [
  { file: "build/engine.wasm", flags: [] },
  { file: "build/engine-simd.wasm", flags: ["--enable", "simd"] },
];
const asc = await import("assemblyscript/asc");
const abi = readFileSync(join(root, "common/abi.ts"), "utf8");
const constant = (name) => Number(new RegExp(`export const ${name} = (\\w+);`).exec(abi)?.[1]);
for (const { file, flags } of ENGINES) {
  const out = join(root, file);
  mkdirSync(dirname(out), { recursive: true });
  const { error, stderr } = await asc.main(
    [join(root, "asm/index.ts"), "--outFile", out, "-O3", "--runtime", "stub", "--noAssert", "--use", "abort=", ...flags],
    {},
  );
  if (error) {
    console.error(stderr.toString());
    console.error(`engine build failed (${file}): ${error.message}`);
    process.exit(1);
  }
  // The contract the host relies on: no imports, the ABI version, static data below the IO area.
  const mod = new WebAssembly.Module(readFileSync(out));
  if (WebAssembly.Module.imports(mod).length !== 0) throw new Error(`${file}: engine must not import anything`);
  const { exports } = new WebAssembly.Instance(mod, {});
  if (exports.abiVersion() !== constant("ABI_VERSION")) throw new Error(`${file}: engine ABI version differs from common/abi.ts`);
  if (exports.heapBase() > constant("ENGINE_STATIC_MAX")) throw new Error(`${file}: engine static data overlaps the IO area`);
  checkExports(file, mod);
  console.log(`engine: ${out} (${readFileSync(out).length} bytes)`);
}

/** The built engine exports exactly what common/abi-exports.ts declares (names, arity, memory). */
function checkExports(file, engine) {
  const problems = compareExports(readExports(readFileSync(join(root, "common/abi-exports.ts"), "utf8")), engine);
  if (problems.length === 0) return;
  console.error(problems.map((p) => `${file}: engine ${p}`).join("\n"));
  console.error(`engine build failed (${file}): its exports differ from common/abi-exports.ts`);
  process.exit(1);
}
