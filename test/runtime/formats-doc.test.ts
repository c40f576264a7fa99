/** docs/formats.md stays true: its examples load cleanly and its code tables match the catalogue. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadInventory } from "../../runtime/inventory/index.js";
import { INPUT_CODES } from "../../common/codes/input.js";
import { parseDnsTable } from "../../runtime/input/dns.js";
import { parseFlowsNdjson } from "../../runtime/input/flows.js";
import { parsePolicyTests } from "../../runtime/input/policy-tests.js";

const doc = readFileSync(new URL("../../docs/formats.md", import.meta.url), "utf8");

/** The first fenced block after `heading`. */
function block(heading: string): string {
  const at = doc.indexOf(heading);
  const open = doc.indexOf("```", at);
  const start = doc.indexOf("\n", open) + 1;
  const text = doc.slice(start, doc.indexOf("```", start));
  if (at < 0 || !text.trim()) throw new Error(`no example under ${heading}`);
  return text;
}

describe("docs/formats.md", () => {
  test("the inventory example loads without diagnostics", () => {
    const r = loadInventory([{ path: "inventory.yaml", text: block("### nvp's format") }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads[0]?.service).toBe("web");
  });

  test("the NDJSON example gives three flows", () => {
    const r = parseFlowsNdjson(block("### NDJSON flow files"), "flows.ndjson");
    expect(r.diagnostics).toEqual([]);
    expect(r.flows).toHaveLength(3);
  });

  test("the DNS example loads", () => {
    const r = parseDnsTable("dns.json", block("## DNS table"));
    expect(r.diagnostics).toEqual([]);
    expect(Object.keys(r.table)).toEqual(["db.internal.example.com", "api.partner.example.com"]);
  });

  test("the policy-test example parses, with its two variants", () => {
    const r = parsePolicyTests("policies/shop.test.yaml", block("## Policy tests"));
    expect(r.diagnostics).toEqual([]);
    expect(r.suite?.runs.map((x) => [x.variant, x.cases.length])).toEqual([
      ["qa", 2],
      ["prod", 4],
    ]);
  });

  test("every input code is documented, and nothing else is", () => {
    const documented = [...doc.matchAll(/^\| (NV5\d{3}) \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(INPUT_CODES).sort());
  });
});
