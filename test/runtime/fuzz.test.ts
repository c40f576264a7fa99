/**
 * Properties of every runtime input loader: they never throw, whatever the bytes; spans stay
 * inside the file; a valid inventory survives a JSON or YAML round trip; and a corrupted value is
 * always reported, exactly where it is.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, test } from "vitest";
import type { Diagnostic } from "../../common/diagnostics.js";
import type { Inventory } from "../../common/schema.js";
import { loadInventory } from "../../runtime/inventory/index.js";
import { parseDnsTable } from "../../runtime/input/dns.js";
import { parseFlow, parseFlowDocument, parseFlowsNdjson } from "../../runtime/input/flows.js";
import { parsePolicyTests } from "../../runtime/input/policy-tests.js";

const RUNS = { numRuns: Number(process.env.NVP_FUZZ_RUNS ?? 150) };

function wellFormed(ds: readonly Diagnostic[], text: string): void {
  for (const d of ds) {
    expect(d.code).toMatch(/^NV5(004|[123]\d\d)$/);
    expect(d.message).toMatch(/^[^A-Z]/);
    expect(d.message).not.toMatch(/\.$/);
    expect(d.help).toBeTruthy();
    if (d.span) {
      expect(d.span.start.offset).toBeGreaterThanOrEqual(0);
      expect(d.span.end.offset).toBeLessThanOrEqual(text.length);
      expect(d.span.start.offset).toBeLessThanOrEqual(d.span.end.offset);
    }
  }
}

/** Text in the shapes loaders see: JSON, YAML, or noise. */
const anyText = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
  fc.jsonValue().map((v) => stringify(v)),
  fc.string(),
  fc.string({ unit: "binary" }),
);

/** Values shaped like our inputs, with random leaves, so readers go deep before failing. */
const leaf = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.constantFrom("10.0.0.1", "fd00::1", "tcp/80", "icmp", "Pod", "List", "allow", "__proto__"));
const shaped = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom("workloads", "nodes", "namespaces", "internalSubnets", "kind", "items", "metadata", "spec", "status", "name", "namespace", "ips", "podIP", "podIPs", "containers", "labels", "ownerReferences", "addresses", "tests", "flow", "expect", "variants", "policy", "src", "dst", "port", "proto", "app", "inventory", "dns", "action", "rule"),
      tie("node"),
      { maxKeys: 5 },
    ),
  ),
})).node;
const shapedText = fc.tuple(shaped, fc.boolean()).map(([v, json]) => (json ? JSON.stringify(v, null, 2) ?? "null" : stringify(v)));

describe("loaders never throw", () => {
  test("loadInventory", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, shapedText), (text) => {
        const r = loadInventory([{ path: "f", text }]);
        wellFormed(r.diagnostics, text);
      }),
      RUNS,
    );
  });

  test("flows: parseFlow, NDJSON, flow documents", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        wellFormed(parseFlow(v, "x").diagnostics, "");
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(anyText, shapedText.map((t) => t.replace(/\n/g, " "))), { maxLength: 5 }), (lines) => {
        const text = lines.join("\n");
        wellFormed(parseFlowsNdjson(text, "f").diagnostics, text);
        wellFormed(parseFlowDocument("f", text).diagnostics, text);
      }),
      RUNS,
    );
  });

  test("DNS tables and policy-test files", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, shapedText), (text) => {
        wellFormed(parseDnsTable("d", text).diagnostics, text);
        wellFormed(parsePolicyTests("t.test.yaml", text).diagnostics, text);
      }),
      RUNS,
    );
  });
});

// ---- round trip and corruption -----------------------------------------------------------------

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const text = fc.string({ maxLength: 8 });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."));
const ipv6 = fc.ipV6().map((s) => s); // canonicalised below by the loader; compared after canonicalising

const inventoryArb: fc.Arbitrary<Inventory> = fc
  .record({
    workloads: fc.uniqueArray(
      fc.record({
        name,
        namespace: name,
        service: name,
        labels: fc.dictionary(text, text, { maxKeys: 3 }),
        nsLabels: fc.dictionary(text, text, { maxKeys: 2 }),
        images: fc.array(text, { maxLength: 2 }),
        containers: fc.array(name, { maxLength: 2 }),
        node: name,
        ips: fc.uniqueArray(ipv4, { minLength: 1, maxLength: 2 }),
      }),
      { selector: (w) => `${w.namespace}/${w.name}`, maxLength: 5 },
    ),
    nodes: fc.uniqueArray(fc.record({ name, ips: fc.uniqueArray(ipv4, { minLength: 1, maxLength: 2 }) }), { selector: (n) => n.name, maxLength: 3 }),
    internalSubnets: fc.array(fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([ip, n]) => `${ip.replace(/\.\d+$/, ".0")}/${n}`), { maxLength: 2 }),
    serviceExternalIps: fc.uniqueArray(ipv4, { maxLength: 2 }),
  })
  .filter((inv) => {
    const all = [...inv.workloads.flatMap((w) => w.ips), ...inv.nodes.flatMap((n) => n.ips)];
    return new Set(all).size === all.length;
  });

describe("inventory round trip", () => {
  test("a valid Inventory loads back unchanged from JSON and YAML", () => {
    fc.assert(
      fc.property(inventoryArb, fc.boolean(), (inv, asJson) => {
        const src = asJson ? JSON.stringify(inv, null, 2) : stringify(inv);
        const r = loadInventory([{ path: "inv", text: src }]);
        const errors = r.diagnostics.filter((d) => d.severity === "error");
        expect(errors).toEqual([]);
        expect(r.inventory).toEqual({ ...inv, internalSubnets: [...new Set(inv.internalSubnets)] });
      }),
      RUNS,
    );
  });

  test("one corrupted address is reported, at exactly that value", () => {
    const bad = fc.constantFrom("10.0.0.256", "not-an-ip", "1.2.3", "fd00:::1", "10.0.0.1/24", "");
    fc.assert(
      fc.property(
        inventoryArb.filter((inv) => inv.workloads.length > 0),
        fc.nat(),
        bad,
        fc.boolean(),
        (generated, pick, badIp, asJson) => {
          const inv = structuredClone(generated); // fast-check reuses generated values while shrinking
          const w = inv.workloads[pick % inv.workloads.length]!;
          w.ips[0] = badIp;
          const src = asJson ? JSON.stringify(inv, null, 2) : stringify(inv);
          const r = loadInventory([{ path: "inv", text: src }]);
          const hits = r.diagnostics.filter((d) => d.code === "NV5106" || d.code === "NV5104");
          expect(hits).toHaveLength(1);
          const span = hits[0]!.span!;
          const under = src.slice(span.start.offset, span.end.offset);
          expect(under.replace(/^["']|["']$/g, "")).toBe(badIp);
          expect(r.inventory.workloads.find((x) => x.name === w.name && x.namespace === w.namespace)).toBeUndefined();
        },
      ),
      RUNS,
    );
  });

  test("IPv6 addresses survive in canonical form", () => {
    fc.assert(
      fc.property(fc.uniqueArray(ipv6, { minLength: 1, maxLength: 3 }), (ips) => {
        const r = loadInventory([{ path: "i", text: JSON.stringify({ nodes: [{ name: "n", ips }] }) }]);
        const loaded = r.inventory.nodes[0]?.ips ?? [];
        // Canonical form is idempotent: loading the loaded addresses changes nothing.
        const again = loadInventory([{ path: "i", text: JSON.stringify({ nodes: [{ name: "n", ips: loaded }] }) }]);
        expect(again.inventory.nodes[0]?.ips ?? []).toEqual(loaded);
        expect(loaded.length + r.diagnostics.filter((d) => d.code === "NV5107").length).toBe(ips.length);
      }),
      RUNS,
    );
  });
});
