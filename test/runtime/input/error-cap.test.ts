// Input readers keep at most 200 errors per file and count the rest in one NV5004 (issue 10): the
// data structure is bounded, and a flow's validity is still decided from every error it has.
import { describe, expect, test } from "vitest";
import { parseFlowsNdjson } from "../../../runtime/input/flows.js";
import { MAX_INPUT_ERRORS_PER_FILE } from "../../../runtime/input/reader.js";
import { loadInventory } from "../../../runtime/inventory/load.js";

const GOOD = '{"src": "10.0.0.1", "dst": "10.0.0.2", "port": "tcp/80"}';
const BAD = '{"src": "10.0.0.300", "dst": "10.0.0.2", "port": "tcp/80"}';

describe("errors per input file are capped", () => {
  test("5,000 bad flows: 200 errors and one count; the good lines after the cap still run, the bad do not", () => {
    const lines = [...Array(5_000).fill(BAD), GOOD, "{not json", BAD, GOOD];
    const r = parseFlowsNdjson(lines.join("\n") + "\n", "f.ndjson");
    expect(r.diagnostics).toHaveLength(MAX_INPUT_ERRORS_PER_FILE + 1);
    const last = r.diagnostics[r.diagnostics.length - 1]!;
    expect(last.code).toBe("NV5004");
    expect(last.message).toBe(`too many errors in \`f.ndjson\`: ${5_002 - MAX_INPUT_ERRORS_PER_FILE} more not shown after the first ${MAX_INPUT_ERRORS_PER_FILE}`);
    expect(last.span?.start.line).toBe(MAX_INPUT_ERRORS_PER_FILE + 1);
    expect(r.flows.map((f) => f.line)).toEqual([5_001, 5_004]);
  });

  test("an inventory with 1,000 bad addresses holds 201 diagnostics", () => {
    const workloads = Array.from({ length: 1_000 }, (_, i) => `  - {name: w${i}, namespace: n, node: n1, ips: [10.0.${i}.300]}`);
    const text = `workloads:\n${workloads.join("\n")}\nnodes:\n  - {name: n1, ips: [10.1.0.1]}\n`;
    const r = loadInventory([{ path: "inv.yaml", text }]);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(MAX_INPUT_ERRORS_PER_FILE + 1);
    expect(errors.filter((d) => d.code === "NV5004")).toHaveLength(1);
  });
});
