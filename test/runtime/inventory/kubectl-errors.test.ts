import { describe, expect, test } from "vitest";
import { loadInventory } from "../../../runtime/inventory/index.js";
import { only, view } from "../diag-view.js";

const pod = (name: string, ns: string, ip: string | undefined, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: { containers: [{ name: "main", image: "busybox:1.36" }], nodeName: "node-1" },
  status: { phase: ip ? "Running" : "Pending", ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}) },
  ...extra,
});
const list = (...items: unknown[]) => ({ apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } });
const load = (value: unknown, path = "k.json") => {
  const text = JSON.stringify(value, null, 4);
  const r = loadInventory([{ path, text }]);
  return { ...r, text, d: (code: string) => only(r.diagnostics, { [path]: text }, code), all: () => view(r.diagnostics, { [path]: text }) };
};

describe("kubectl shapes", () => {
  test("a single Pod object", () => {
    const r = load(pod("solo", "default", "10.244.0.9"));
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads.map((w) => [w.name, w.service, w.ips])).toEqual([["solo", "solo", ["10.244.0.9"]]]);
  });

  test("a PodList whose items omit kind", () => {
    const { kind: _k, apiVersion: _a, ...bare } = pod("p", "default", "10.244.0.9");
    const r = load({ apiVersion: "v1", kind: "PodList", items: [bare] });
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads).toHaveLength(1);
  });

  test("a mixed List: ReplicaSet and Job objects name the real owners, Services feed addresses", () => {
    const rsPod = pod("frontend-abc12", "shop", "10.244.0.10", {});
    (rsPod.metadata as Record<string, unknown>).ownerReferences = [{ kind: "ReplicaSet", name: "frontend-v2", controller: true }];
    const jobPod = pod("nightly-report-x1", "shop", "10.244.0.11");
    (jobPod.metadata as Record<string, unknown>).ownerReferences = [{ kind: "Job", name: "nightly-report-manual", controller: true }];
    const r = load(
      list(
        rsPod,
        jobPod,
        { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "frontend-v2", namespace: "shop", ownerReferences: [{ kind: "Deployment", name: "storefront", controller: true }] } },
        { apiVersion: "batch/v1", kind: "Job", metadata: { name: "nightly-report-manual", namespace: "shop", ownerReferences: [{ kind: "CronJob", name: "nightly-report" }] } },
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "storefront", namespace: "shop" } },
        { apiVersion: "v1", kind: "Service", metadata: { name: "storefront", namespace: "shop" }, spec: { clusterIP: "10.96.0.20", clusterIPs: ["10.96.0.20", "fd00:96::20"], externalIPs: ["203.0.113.7"] } },
        { apiVersion: "v1", kind: "Service", metadata: { name: "headless", namespace: "shop" }, spec: { clusterIP: "None" } },
      ),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads.map((w) => w.service)).toEqual(["storefront", "nightly-report"]);
    expect(r.inventory.internalSubnets).toEqual([]);
    expect(r.inventory.services).toEqual([{ name: "storefront", namespace: "shop", ips: ["10.96.0.20", "fd00:96::20"], endpoints: [] }]);
    expect(r.inventory.serviceExternalIps).toEqual(["203.0.113.7"]);
  });
});

describe("kubectl diagnostics", () => {
  test("NV5110 other kinds: one warning per kind, at the first one", () => {
    const cm = (n: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: n, namespace: "x" } });
    const r = load(list(cm("a"), pod("p", "default", "10.0.0.1"), cm("b")));
    expect(r.d("NV5110")).toMatchObject({ severity: "warning", message: "2 `ConfigMap` objects are ignored", at: '"ConfigMap"', label: "not used by the inventory" });
    expect(r.d("NV5110").help).toContain("Pods, Nodes, Namespaces");
    expect(r.inventory.workloads).toHaveLength(1);
  });

  test("NV5110 a lone Deployment is ignored with a warning (inside a List it is quiet)", () => {
    const dep = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" } };
    expect(load(dep).d("NV5110")).toMatchObject({ message: "1 `Deployment` object is ignored", at: '"Deployment"' });
    expect(load(list(dep)).diagnostics).toEqual([]);
  });

  test("NV5105 a pod without a namespace", () => {
    const p = pod("p", "default", "10.0.0.1");
    delete (p.metadata as Record<string, unknown>).namespace;
    const d = load(list(p)).d("NV5105");
    expect(d).toMatchObject({ message: "pod metadata is missing `namespace`", label: "`namespace` is required" });
    expect(d.at?.startsWith("{")).toBe(true);
  });

  test("NV5105 a List item without kind", () => {
    const { kind: _k, ...bare } = pod("p", "default", "10.0.0.1");
    expect(load(list(bare)).d("NV5105")).toMatchObject({ message: "kubectl object is missing `kind`" });
  });

  test("NV5106 a bad pod IP points into the JSON", () => {
    const r = load(list(pod("p", "default", "10.0.0.300")));
    const ds = r.all();
    expect(ds.map((d) => [d.code, d.at])).toEqual([
      ["NV5106", '"10.0.0.300"'],
      ["NV5106", '"10.0.0.300"'],
    ]);
    expect(ds[0]?.line).toBe(26); // status.podIP
    expect(ds[1]?.line).toBe(29); // status.podIPs[0].ip
    expect(r.inventory.workloads).toEqual([]);
  });

  test("NV5104 hostNetwork must be a boolean", () => {
    const p = pod("p", "default", "10.0.0.1");
    (p.spec as Record<string, unknown>).hostNetwork = "yes";
    expect(load(p).d("NV5104")).toMatchObject({ message: "`spec.hostNetwork` must be a boolean, found a string", at: '"yes"' });
  });

  test("NV5104 containers must be a list", () => {
    const p = pod("p", "default", "10.0.0.1");
    (p.spec as Record<string, unknown>).containers = { name: "x" };
    expect(load(p).d("NV5104")).toMatchObject({ message: "`spec.containers` must be a list, found a mapping" });
  });

  test("NV5112 a node without addresses is a warning and left out", () => {
    const r = load({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, status: { addresses: [{ type: "Hostname", address: "n1" }] } });
    expect(r.d("NV5112")).toMatchObject({ severity: "warning", message: "node `n1` has no InternalIP or ExternalIP address", at: '"n1"' });
    expect(r.inventory.nodes).toEqual([]);
  });

  test("NV5108 the same pods loaded twice", () => {
    const text = JSON.stringify(list(pod("p", "default", "10.0.0.1")));
    const r = loadInventory([
      { path: "a.json", text },
      { path: "b.json", text },
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span?.file, d.related?.[0]?.span.file])).toEqual([
      ["NV5108", "workload `default/p` is defined twice", "b.json", "a.json"],
    ]);
    expect(r.diagnostics[0]?.help).toContain("loaded twice");
  });
});
