#!/usr/bin/env node
/**
 * Build the prebuilt decision engine: regenerate the asm/ copies of common/ (scripts/gen-abi.mjs),
 * compile asm/ with asc (stub runtime, no imports) into build/engine.wasm, and check the ABI
 * contract on the result (no imports, ABI version, static data, exports as common/abi-exports.ts).
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

const out = join(root, "build/engine.wasm");
mkdirSync(dirname(out), { recursive: true });
const asc = await import("assemblyscript/asc");
const { error, stderr } = await asc.main(
  [join(root, "asm/index.ts"), "--outFile", out, "-O3", "--runtime", "stub", "--noAssert", "--use", "abort="],
  {},
);
if (error) {
  console.error(stderr.toString());
  console.error(`engine build failed: ${error.message}`);
  process.exit(1);
}

// The contract the host relies on: no imports, the ABI version, static data below the IO area.
const abi = readFileSync(join(root, "common/abi.ts"), "utf8");
const constant = (name) => Number(new RegExp(`export const ${name} = (\\w+);`).exec(abi)?.[1]);
const mod = new WebAssembly.Module(readFileSync(out));
if (WebAssembly.Module.imports(mod).length !== 0) throw new Error("engine must not import anything");
const { exports } = new WebAssembly.Instance(mod, {});
if (exports.abiVersion() !== constant("ABI_VERSION")) throw new Error("engine ABI version differs from common/abi.ts");
if (exports.heapBase() > constant("ENGINE_STATIC_MAX")) throw new Error("engine static data overlaps the IO area");
checkExports(mod);
console.log(`engine: ${out} (${readFileSync(out).length} bytes)`);

/** The built engine exports exactly what common/abi-exports.ts declares (names, arity, memory). */
function checkExports(engine) {
  const problems = compareExports(readExports(readFileSync(join(root, "common/abi-exports.ts"), "utf8")), engine);
  if (problems.length === 0) return;
  console.error(problems.map((p) => `engine ${p}`).join("\n"));
  console.error("engine build failed: its exports differ from common/abi-exports.ts");
  process.exit(1);
}
