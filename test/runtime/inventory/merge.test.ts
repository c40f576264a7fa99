import { describe, expect, test } from "vitest";
import { deriveService, loadInventory } from "../../../runtime/inventory/index.js";
import { ownerKey } from "../../../runtime/inventory/service-name.js";

describe("merging sources", () => {
  const own = `nodes: [{name: node-1, ips: [192.168.1.10]}]
namespaces: {shop: {labels: {team: payments}}}
internalSubnets: [10.0.0.0/8]
`;
  const pods = JSON.stringify({
    apiVersion: "v1",
    kind: "List",
    items: [
      {
        kind: "Pod",
        metadata: { name: "db-0", namespace: "shop", ownerReferences: [{ kind: "StatefulSet", name: "db", controller: true }] },
        spec: { containers: [{ name: "pg", image: "postgres:16" }], nodeName: "node-1" },
        status: { phase: "Running", podIP: "10.244.1.2" },
      },
    ],
  });

  test("namespace labels from one source reach workloads from another", () => {
    const r = loadInventory([
      { path: "pods.json", text: pods },
      { path: "site.yaml", text: own },
    ]);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads[0]).toMatchObject({ name: "db-0", service: "db", nsLabels: { team: "payments" }, node: "node-1" });
    expect(r.inventory.nodes).toEqual([{ name: "node-1", ips: ["192.168.1.10"] }]);
    expect(r.inventory.internalSubnets).toEqual(["10.0.0.0/8"]);
    expect(r.stats).toMatchObject({ workloads: 1, nodes: 1 });
  });

  test("a duplicate IP across files names both files", () => {
    const clash = "workloads: [{name: other, namespace: shop, ips: [10.244.1.2]}]\n";
    const r = loadInventory([
      { path: "pods.json", text: pods },
      { path: "extra.yaml", text: clash },
    ]);
    const d = r.diagnostics.find((x) => x.code === "NV5107");
    expect(d?.message).toBe("IP `10.244.1.2` belongs to both workload `shop/db-0` and workload `shop/other`");
    expect(d?.span?.file).toBe("extra.yaml");
    expect(d?.related?.[0]?.span.file).toBe("pods.json");
  });

  test("a namespace defined in two sources", () => {
    const r = loadInventory([
      { path: "a.yaml", text: "namespaces: {shop: {labels: {a: b}}}" },
      { path: "b.yaml", text: "namespaces: {shop: {}}" },
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span?.file])).toEqual([["NV5108", "namespace `shop` is defined twice", "b.yaml"]]);
  });

  test("YAML documents separated by --- merge like separate files", () => {
    const r = loadInventory([{ path: "multi.yaml", text: "nodes: [{name: a, ips: [10.0.0.1]}]\n---\nnodes: [{name: b, ips: [10.0.0.2]}]\n" }]);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.nodes.map((n) => n.name)).toEqual(["a", "b"]);
  });
});

describe("deriveService", () => {
  const none = {};
  test.each([
    ["bare pod", "debug", undefined, none, "debug"],
    ["Deployment via ReplicaSet", "web-7d4b9c5f6-x2x1q", { kind: "ReplicaSet", name: "web-7d4b9c5f6" }, { "pod-template-hash": "7d4b9c5f6" }, "web"],
    ["ReplicaSet without the hash label", "legacy-h4k9z", { kind: "ReplicaSet", name: "legacy" }, none, "legacy"],
    ["hash label that is not the suffix", "a-1", { kind: "ReplicaSet", name: "a-x" }, { "pod-template-hash": "zz" }, "a-x"],
    ["StatefulSet", "db-0", { kind: "StatefulSet", name: "db" }, none, "db"],
    ["DaemonSet", "exporter-7hx2k", { kind: "DaemonSet", name: "exporter" }, none, "exporter"],
    ["CronJob job", "backup-29401440-7xk2p", { kind: "Job", name: "backup-29401440" }, none, "backup"],
    ["plain Job ending in a short number", "migrate-2-x", { kind: "Job", name: "migrate-2" }, none, "migrate-2"],
    ["other controller", "r-1", { kind: "Rollout", name: "canary" }, none, "canary"],
  ])("%s", (_, pod, owner, labels, expected) => {
    expect(deriveService(pod, "ns", labels, owner)).toBe(expected);
  });

  test("owner links win over naming conventions, and cycles stop", () => {
    const index = new Map([
      [ownerKey("ns", "ReplicaSet", "web-abc"), { kind: "Deployment", name: "storefront" }],
      [ownerKey("ns", "Job", "a"), { kind: "Job", name: "b" }],
      [ownerKey("ns", "Job", "b"), { kind: "Job", name: "a" }],
    ]);
    expect(deriveService("web-abc-1", "ns", { "pod-template-hash": "abc" }, { kind: "ReplicaSet", name: "web-abc" }, index)).toBe("storefront");
    expect(["a", "b"]).toContain(deriveService("p", "ns", {}, { kind: "Job", name: "a" }, index));
    expect(deriveService("web-abc-1", "other", { "pod-template-hash": "abc" }, { kind: "ReplicaSet", name: "web-abc" }, index)).toBe("web");
  });
});
