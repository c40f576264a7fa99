// Replaces dist/grammar/chevrotain.js (tsc's re-export of chevrotain) with one ESM file holding
// the same exports and only the chevrotain and lodash-es code they reach (grammar/chevrotain.ts
// says why). Runs as plain node after tsc, before the engine build.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const out = fileURLToPath(new URL("../dist/grammar/chevrotain.js", import.meta.url));
await build({
  entryPoints: [out],
  outfile: out,
  allowOverwrite: true,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  legalComments: "eof",
  logLevel: "warning",
});
const text = readFileSync(out, "utf8");
// The bundle must not load anything at run time: no import of a package or file is left.
if (/^\s*import\s[^;]*from\s*["']/m.test(text) || /\bimport\s*\(/.test(text)) {
  throw new Error(`${out}: the bundle still imports modules`);
}
console.log(`grammar: ${out} (${text.length} bytes, chevrotain bundled)`);
