/**
 * Services in the inventory (docs/formats.md "Services"): nvp's `services:` and raw
 * `kubectl get svc,endpointslices -A -o json`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadInventory } from "../../../runtime/inventory/index.js";
import { only } from "../diag-view.js";

const fixture = (name: string) => ({
  path: `test/fixtures/kubectl/${name}`,
  text: readFileSync(new URL(`../../fixtures/kubectl/${name}`, import.meta.url), "utf8"),
});

describe("kubectl get svc,endpointslices -A -o json", () => {
  const r = loadInventory([fixture("services.json")]);

  test("loads without diagnostics", () => {
    expect(r.diagnostics).toEqual([]);
  });

  test("each Service with a cluster IP is kept, with its EndpointSlices' addresses; a headless one is not", () => {
    expect(r.inventory.services).toEqual([
      { name: "kubernetes", namespace: "default", ips: ["10.96.0.1"], endpoints: ["192.168.1.10"] },
      { name: "api", namespace: "shop", ips: ["10.96.12.40", "fd00:96::c28"], endpoints: ["10.0.2.7", "10.0.2.8", "fd00::2:7"] },
      { name: "web", namespace: "shop", ips: ["10.96.7.9"], endpoints: [] },
    ]);
  });

  test("externalIPs feed the CVE-2020-8554 check; cluster IPs are not internal subnets", () => {
    expect(r.inventory.serviceExternalIps).toEqual(["203.0.113.7"]);
    expect(r.inventory.internalSubnets).toEqual([]);
  });

  test("slices from another file join their Service", () => {
    const [svc, slice] = [
      { apiVersion: "v1", kind: "Service", metadata: { name: "api", namespace: "shop" }, spec: { clusterIP: "10.96.0.9" } },
      { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "api-1", namespace: "shop", labels: { "kubernetes.io/service-name": "api" } }, endpoints: [{ addresses: ["10.0.0.5"] }] },
    ];
    const two = loadInventory([
      { path: "svc.json", text: JSON.stringify(svc) },
      { path: "slices.json", text: JSON.stringify({ apiVersion: "v1", kind: "List", items: [slice] }) },
    ]);
    expect(two.diagnostics).toEqual([]);
    expect(two.inventory.services).toEqual([{ name: "api", namespace: "shop", ips: ["10.96.0.9"], endpoints: ["10.0.0.5"] }]);
  });

  test("a slice without its service-name label is left out with a warning", () => {
    const text = JSON.stringify({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { name: "x", namespace: "shop" }, endpoints: [] });
    const d = loadInventory([{ path: "s.json", text }]).diagnostics;
    expect(d.map((x) => [x.code, x.severity, x.message])).toEqual([["NV5105", "warning", "EndpointSlice has no `kubernetes.io/service-name` label"]]);
  });
});

describe("nvp's services:", () => {
  const load = (text: string) => {
    const r = loadInventory([{ path: "inv.yaml", text }]);
    return { ...r, d: (code: string) => only(r.diagnostics, { "inv.yaml": text }, code) };
  };

  test("name, namespace, ips, endpoints and externalIps", () => {
    const r = load(`services:
  - name: api
    namespace: shop
    ips: [10.96.0.10, "fd00:96:0::10"]
    endpoints: [10.0.0.5]
    externalIps: [203.0.113.9]
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.services).toEqual([{ name: "api", namespace: "shop", ips: ["10.96.0.10", "fd00:96::10"], endpoints: ["10.0.0.5"] }]);
    expect(r.inventory.serviceExternalIps).toEqual(["203.0.113.9"]);
  });

  test("a cluster IP a workload also uses is refused", () => {
    const r = load(`workloads:
  - {name: api-0, namespace: shop, ips: [10.0.0.5]}
services:
  - {name: api, namespace: shop, ips: [10.0.0.5]}
`);
    const d = r.d("NV5107");
    expect([d.message, d.at, d.severity]).toEqual(["IP `10.0.0.5` belongs to both workload `shop/api-0` and service `shop/api`", "10.0.0.5", "error"]);
  });

  test("a service defined twice, a missing namespace and a bad address are each reported", () => {
    const r = load(`services:
  - {name: api, namespace: shop, ips: [10.96.0.1]}
  - {name: api, namespace: shop, ips: [10.96.0.2]}
  - {name: web, ips: [10.96.0.3]}
  - {name: db, namespace: shop, ips: [10.96.0.300]}
`);
    expect(r.d("NV5108").message).toBe("service `shop/api` is defined twice");
    expect(r.d("NV5105").message).toContain("namespace");
    expect(r.d("NV5106").at).toBe("10.96.0.300");
    expect(r.inventory.services).toEqual([{ name: "api", namespace: "shop", ips: ["10.96.0.1"], endpoints: [] }]);
  });
});
