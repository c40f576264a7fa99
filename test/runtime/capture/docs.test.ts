/** The "Captures" section of docs/formats.md stays true to the code. */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { LINKTYPE, PCAPNG_SKIP_REASONS, parseCaptureBuffer } from "../../../runtime/capture/index.js";
import { block, concat, epb, shb } from "./build.js";

const doc = readFileSync(new URL("../../../docs/formats.md", import.meta.url), "utf8");
const start = doc.indexOf("\n## Captures");
const next = doc.indexOf("\n## ", start + 1);
const section = start < 0 ? "" : doc.slice(start, next < 0 ? undefined : next);

test("every skipped reason is documented, and nothing else", () => {
  const documented = [...section.matchAll(/^\| `(pcapng:[a-z-]+)` \|/gm)].map((m) => m[1]);
  expect(documented.sort()).toEqual([...PCAPNG_SKIP_REASONS].sort());
});

test("every skipped reason can occur", () => {
  const bytes = concat(
    shb(),
    ...[4, 5, 0x0a, 9, 0xbad, 0x77].map((t) => block(t, new Uint8Array(4))),
    epb(0, 0n, new Uint8Array(4)),
  );
  expect(Object.keys(parseCaptureBuffer(bytes).summary.skipped).sort()).toEqual([...PCAPNG_SKIP_REASONS].sort());
});

test("every link type we strip is in the link-type table", () => {
  const table = section.slice(section.indexOf("### Link types"), section.indexOf("### Packets"));
  const rows = [...table.matchAll(/^\| ([\d, ]+) \|/gm)].flatMap((m) => m[1]!.split(",").map((n) => Number(n.trim())));
  expect(rows.sort((a, b) => a - b)).toEqual(Object.values(LINKTYPE).sort((a, b) => a - b));
});
