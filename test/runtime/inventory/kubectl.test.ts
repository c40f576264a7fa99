import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatInventoryStats, loadInventory } from "../../../runtime/inventory/index.js";

const dir = new URL("../../fixtures/kubectl/", import.meta.url);
const fixture = (name: string) => ({ path: `test/fixtures/kubectl/${name}`, text: readFileSync(new URL(name, dir), "utf8") });

describe("kubectl fixtures", () => {
  const r = loadInventory([fixture("pods.json"), fixture("nodes.json"), fixture("namespaces.json")]);

  test("load without diagnostics", () => {
    expect(r.diagnostics).toEqual([]);
  });

  test("service names follow the owner workload", () => {
    const svc = Object.fromEntries(r.inventory.workloads.map((w) => [`${w.namespace}/${w.name}`, w.service]));
    expect(svc).toEqual({
      "shop/web-7d4b9c5f6-x2x1q": "web", // Deployment via ReplicaSet, pod-template-hash stripped
      "shop/web-7d4b9c5f6-k8m2p": "web",
      "shop/api-5c9f8d7b6-q4w7e": "api",
      "shop/db-0": "db", // StatefulSet
      "monitoring/node-exporter-7hx2k": "node-exporter", // DaemonSet
      "shop/backup-29401440-7xk2p": "backup", // CronJob via Job, schedule suffix stripped
      "shop/migrate-schema-x7k2m": "migrate-schema", // plain Job
      "default/legacy-frontend-h4k9z": "legacy-frontend", // bare ReplicaSet, no hash label
      "default/debug-shell": "debug-shell", // bare pod
      "kube-system/kube-proxy-5xq9w": "kube-proxy", // host-network DaemonSet pod
    });
  });

  test("a Deployment pod becomes the expected workload", () => {
    const web = r.inventory.workloads[0];
    expect(web).toEqual({
      name: "web-7d4b9c5f6-x2x1q",
      namespace: "shop",
      service: "web",
      labels: { app: "web", "pod-template-hash": "7d4b9c5f6", tier: "front" },
      nsLabels: { env: "dev", "kubernetes.io/metadata.name": "shop", team: "payments" },
      images: ["nginx:1.25"],
      containers: ["nginx"],
      node: "node-1",
      ips: ["10.244.1.5", "fd00:10:244:1::5"],
    });
    const api = r.inventory.workloads.find((w) => w.service === "api");
    expect(api?.containers).toEqual(["api", "envoy"]);
    expect(api?.images).toEqual(["registry.example.com/shop/api:2.4.1", "envoyproxy/envoy:v1.30.1"]);
  });

  test("nodes keep InternalIP and ExternalIP addresses, not hostnames", () => {
    expect(r.inventory.nodes).toEqual([
      { name: "node-1", ips: ["192.168.1.10", "fd00:192:168:1::10"] },
      { name: "node-2", ips: ["192.168.1.11", "203.0.113.21"] },
    ]);
  });

  test("pending and finished pods are skipped and counted", () => {
    const names = r.inventory.workloads.map((w) => w.name);
    expect(names).not.toContain("api-5c9f8d7b6-zz9rt");
    expect(names).not.toContain("backup-29400000-m2n4b");
    expect(r.skipped).toEqual({ hostNetwork: 0, noIp: 1, finished: 1 });
    expect(r.stats).toEqual({ workloads: 10, nodes: 2, namespaces: 4, ips: 16, skippedPods: { hostNetwork: 0, noIp: 1, finished: 1, total: 2 } });
    expect(formatInventoryStats(r.stats)).toBe("10 workloads in 4 namespaces, 2 nodes; skipped 2 pods (1 without an IP, 1 finished)");
  });

  test("a host-network pod is a workload with its node's address, which the node keeps too", () => {
    const proxy = r.inventory.workloads.find((w) => w.name === "kube-proxy-5xq9w");
    expect(proxy).toMatchObject({ namespace: "kube-system", node: "node-1", ips: ["192.168.1.10"], hostNetwork: true });
    expect(r.inventory.nodes[0]?.ips).toContain("192.168.1.10");
  });

  test("a second host-network pod on the same node loses the shared address and is counted as skipped", () => {
    const pods = JSON.parse(fixture("pods.json").text) as { items: Record<string, unknown>[] };
    const proxy = pods.items.find((p) => (p.metadata as { name: string }).name === "kube-proxy-5xq9w")!;
    const twin = structuredClone(proxy);
    (twin.metadata as { name: string }).name = "calico-node-x2";
    const two = loadInventory([{ path: "pods.json", text: JSON.stringify({ ...pods, items: [...pods.items, twin] }) }]);
    expect(two.diagnostics).toEqual([]);
    expect(two.inventory.workloads.map((w) => w.name)).not.toContain("calico-node-x2");
    expect(two.skipped.hostNetwork).toBe(1);
  });

  test("pods alone load without namespace labels", () => {
    const alone = loadInventory([fixture("pods.json")]);
    expect(alone.diagnostics).toEqual([]);
    expect(alone.inventory.workloads.every((w) => Object.keys(w.nsLabels).length === 0)).toBe(true);
    expect(alone.inventory.nodes).toEqual([]);
  });
});
