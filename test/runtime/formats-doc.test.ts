/** docs/formats.md stays true: its examples load cleanly and its code tables match the catalogue. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadInventory } from "../../runtime/inventory/index.js";
import { checkSources } from "../../compiler/pipeline.js";
import { evaluate } from "../../compiler/reference/index.js";
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

/** The `n`th (0-based) fenced block after `heading`. */
function nthBlock(heading: string, n: number): string {
  let at = doc.indexOf(heading);
  let text = "";
  for (let i = 0; i <= n; i++) {
    const open = doc.indexOf("```", at);
    const start = doc.indexOf("\n", open) + 1;
    const end = doc.indexOf("```", start);
    text = doc.slice(start, end);
    at = end + 3;
  }
  return text;
}

describe("docs/formats.md", () => {
  test("the inventory example loads without diagnostics", () => {
    const r = loadInventory([{ path: "inventory.yaml", text: block("### nvp's format") }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads[0]?.service).toBe("web");
    expect(r.inventory.workloads.find((w) => w.hostNetwork)?.name).toBe("node-exporter-7hx2k");
    expect(r.inventory.services?.[0]?.ips).toEqual(["10.96.12.40"]);
  });

  test("the Services example loads: cluster IPs, backends and externalIPs", () => {
    const r = loadInventory([{ path: "services.yaml", text: block("#### Services") }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.services).toEqual([
      { name: "api", namespace: "shop", ips: ["10.96.0.10", "fd00:96::10"], endpoints: ["10.0.0.5"] },
      { name: "web", namespace: "shop", ips: ["10.96.0.11"], endpoints: [] },
    ]);
    expect(r.inventory.serviceExternalIps).toEqual(["203.0.113.7"]);
    // The verdicts the section states, by the reference evaluator.
    const policy = nthBlock("#### Services", 1);
    const decide = (extra: string) => {
      const model = checkSources({ "svc.nvp": policy + extra }, ["svc.nvp"]).model!;
      const v = evaluate(model, { inventory: r.inventory, dns: {} }, { src: "10.0.0.4", dst: "10.96.0.10", proto: "tcp", port: 8080 });
      return [v.action, v.rule];
    };
    expect([decide(""), decide("settings { platform openshift }\n")]).toEqual([
      ["allow", 0],
      ["deny", 10],
    ]);
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
