/**
 * The engine's packet path carries the current packet in one record (asm/packet/decoded.ts `pkt`,
 * docs/architecture.md), not in module-level variables other files read: no file of the packet
 * path exports a mutable variable (`export let`). The one exception is the packet region itself
 * (asm/packet/region.ts): its settings and pool addresses, set by pktInit, and the engine clock.
 * Run: NO_COLOR=1 npx vitest run test/layering/
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const PACKET_PATH = ["asm/packet", "asm/flow", "asm/threat"];
const FILES = ["asm/pipeline.ts", "asm/events.ts"];
const REGION = "asm/packet/region.ts";

function packetPathFiles(): string[] {
  const inDirs = PACKET_PATH.flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `${d}/${f}`),
  );
  return [...inDirs, ...FILES].filter((f) => f !== REGION).sort();
}

test("no file of the packet path but the region exports a mutable variable", () => {
  const files = packetPathFiles();
  expect(files).toContain("asm/packet/decode.ts");
  const found = files.flatMap((f) =>
    readFileSync(join(root, f), "utf8")
      .split("\n")
      .map((line, i) => [line, i + 1] as const)
      .filter(([line]) => /^export\s+let\b/.test(line))
      .map(([line, n]) => `${f}:${n}: ${line.trim()}`),
  );
  expect(found, "carry it in the packet record (asm/packet/decoded.ts) or keep it private").toEqual([]);
});

test("the packet record is one class at one fixed address", () => {
  const text = readFileSync(join(root, "asm/packet/decoded.ts"), "utf8");
  expect(text).toMatch(/^@unmanaged export class Decoded \{/m);
  expect(text).toMatch(/^export const pkt: Decoded = changetype<Decoded>\(memory\.data\(offsetof<Decoded>\(\), 16\)\);$/m);
});
