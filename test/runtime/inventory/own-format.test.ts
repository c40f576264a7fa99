import { describe, expect, test } from "vitest";
import { hasErrors } from "../../../common/diagnostics.js";
import { loadInventory } from "../../../runtime/inventory/index.js";
import { only, view } from "../diag-view.js";

const load = (text: string, path = "inv.yaml") => {
  const r = loadInventory([{ path, text }]);
  return { ...r, d: (code: string) => only(r.diagnostics, { [path]: text }, code), all: () => view(r.diagnostics, { [path]: text }) };
};

const EXAMPLE = `workloads:
  - name: web-7d4b9c-x2x1     # pod name
    namespace: shop
    owner: {kind: Deployment, name: web}
    labels: {app: web, tier: front}
    images: [nginx:1.25]
    containers: [nginx]
    node: node-1
    ips: [10.0.1.5, fd00::1:5]
  - name: api-0
    namespace: shop
    service: api
    image: api:2
    ips: [10.0.2.7]
  - name: debug
    namespace: default
    ips: ["10.0.3.9"]
nodes:
  - {name: node-1, ips: [192.168.1.10]}
namespaces:
  shop: {labels: {team: payments}}
  default:
internalSubnets: [10.0.0.0/8, 192.168.0.0/16, 172.16.0.1-172.16.0.9]
serviceExternalIps: [203.0.113.7]
`;

describe("nvp inventory format", () => {
  test("the documented example loads", () => {
    const r = load(EXAMPLE);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory).toEqual({
      workloads: [
        {
          name: "web-7d4b9c-x2x1",
          namespace: "shop",
          service: "web",
          labels: { app: "web", tier: "front" },
          nsLabels: { team: "payments" },
          images: ["nginx:1.25"],
          containers: ["nginx"],
          node: "node-1",
          ips: ["10.0.1.5", "fd00::1:5"],
        },
        { name: "api-0", namespace: "shop", service: "api", labels: {}, nsLabels: { team: "payments" }, images: ["api:2"], containers: [], node: "", ips: ["10.0.2.7"] },
        { name: "debug", namespace: "default", service: "debug", labels: {}, nsLabels: {}, images: [], containers: [], node: "", ips: ["10.0.3.9"] },
      ],
      nodes: [{ name: "node-1", ips: ["192.168.1.10"] }],
      internalSubnets: ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.1-172.16.0.9"],
      serviceExternalIps: ["203.0.113.7"],
    });
  });

  test("a serialised Inventory loads back as it was", () => {
    const yaml = load(EXAMPLE);
    const json = load(JSON.stringify(yaml.inventory, null, 2), "inv.json");
    expect(json.diagnostics).toEqual([]);
    expect(json.inventory).toEqual(yaml.inventory);
  });

  test("IPv6 addresses are stored in canonical form", () => {
    const r = load("workloads: [{name: a, namespace: n, ips: ['FD00:0:0::1:5', '::ffff:10.0.0.1']}]");
    expect(r.inventory.workloads[0]?.ips).toEqual(["fd00::1:5", "10.0.0.1"]);
  });

  test("an owner ReplicaSet loses its pod-template-hash suffix", () => {
    const r = load("workloads: [{name: web-6f9-x, namespace: n, owner: {kind: ReplicaSet, name: web-6f9}, labels: {pod-template-hash: '6f9'}, ips: [10.0.0.1]}]");
    expect(r.inventory.workloads[0]?.service).toBe("web");
  });
});

describe("inventory diagnostics", () => {
  test("NV5101 syntax error, located", () => {
    const d = load("workloads:\n  - name: a\n   namespace: b\n").d("NV5101");
    expect(d.severity).toBe("error");
    expect(d.line).toBe(3);
    expect(d.message).toMatch(/^invalid YAML\/JSON: /);
    expect(d.help).toBe("fix the syntax; this document was not loaded");
  });

  test("NV5101 duplicate keys are a syntax error", () => {
    const d = load("nodes: []\nnodes: []\n").d("NV5101");
    expect(d.at).toBe("nodes");
    expect(d.message).toBe("invalid YAML/JSON: map keys must be unique");
  });

  test("NV5102 a list is not an inventory", () => {
    const d = load("- a\n- b\n").d("NV5102");
    expect(d).toMatchObject({ message: "an inventory must be a mapping, found a list", at: "- a", label: "not an inventory" });
    expect(d.help).toContain("kubectl get pods -A -o json");
  });

  test("NV5102 a mapping with no inventory keys", () => {
    const r = load("workload: []\n");
    expect(r.d("NV5102")).toMatchObject({ message: "this document has none of the inventory keys", severity: "error" });
    expect(r.d("NV5103")).toMatchObject({ message: "unknown key `workload` in an inventory", at: "workload", help: "did you mean `workloads`?", severity: "warning" });
  });

  test("NV5102 an empty file is a warning", () => {
    const r = load("# nothing yet\n");
    expect(view(r.diagnostics, {})).toEqual([
      { code: "NV5102", severity: "warning", message: "inventory file is empty", at: undefined, line: undefined, label: undefined, help: expect.stringContaining("workloads:") },
    ]);
    expect(r.diagnostics[0]?.file).toBe("inv.yaml");
  });

  test("NV5103 unknown workload key, did you mean", () => {
    const r = load("workloads: [{name: a, namespace: n, lables: {app: x}, ips: [10.0.0.1]}]");
    expect(r.d("NV5103")).toMatchObject({ message: "unknown key `lables` in a workload", at: "lables", label: "ignored", help: "did you mean `labels`?" });
    expect(hasErrors(r.diagnostics)).toBe(false);
  });

  test("NV5104 wrong types; a number label value asks for quotes with the text as written", () => {
    const r = load("workloads:\n  - {name: a, namespace: n, labels: {version: 1.10}, ips: [10.0.0.1]}\n");
    expect(r.d("NV5104")).toEqual({
      code: "NV5104",
      severity: "error",
      message: "value of `version` in `labels` must be a string, found a number",
      at: "1.10",
      line: 2,
      label: "expected a string",
      help: 'quote it: `"1.10"` (it was read as a number)',
    });
    expect(r.inventory.workloads).toEqual([]);
  });

  test("NV5104 ips must be a list", () => {
    const d = load("workloads: [{name: a, namespace: n, ips: 10.0.0.1}]").d("NV5104");
    expect(d).toMatchObject({ message: "`ips` must be a list, found a string", at: "10.0.0.1", label: "expected a list" });
    expect(d.help).toContain("[10.0.1.5, fd00::1:5]");
  });

  test("NV5105 missing required fields are each reported", () => {
    const r = load("workloads:\n  - name: a\n    labels: {}\n");
    const ds = r.all().filter((d) => d.code === "NV5105");
    expect(ds.map((d) => d.message)).toEqual(["workload is missing `namespace`", "workload is missing `ips`"]);
    expect(ds[0]).toMatchObject({ at: "name: a", label: "`namespace` is required", help: "add `namespace:` to this workload" });
  });

  test("NV5105 a key present without a value points at the key", () => {
    const d = load("workloads:\n  - name: a\n    namespace:\n    ips: [10.0.0.1]\n").d("NV5105");
    expect(d).toMatchObject({ message: "workload is missing `namespace`", at: "namespace", label: "no value", line: 3 });
  });

  test("NV5106 bad IP; a subnet gets its own help", () => {
    const r = load("workloads: [{name: a, namespace: n, ips: [10.0.0.256, 10.0.0.0/24]}]");
    const ds = r.all().filter((d) => d.code === "NV5106");
    expect(ds.map((d) => [d.message, d.at, d.label])).toEqual([
      ["`10.0.0.256` is not an IP address", "10.0.0.256", "not an IP address"],
      ["`10.0.0.0/24` is not an IP address", "10.0.0.0/24", "not an IP address"],
    ]);
    expect(ds[1]?.help).toBe("write a single address here; subnets belong in `internalSubnets`");
  });

  test("NV5107 duplicate IP names both places", () => {
    const text = "workloads:\n  - {name: a, namespace: n, ips: [10.0.0.1]}\nnodes:\n  - {name: node-1, ips: [10.0.0.1]}\n";
    const r = loadInventory([{ path: "inv.yaml", text }]);
    const d = only(r.diagnostics, { "inv.yaml": text }, "NV5107");
    expect(d).toMatchObject({ message: "IP `10.0.0.1` belongs to both workload `n/a` and node `node-1`", at: "10.0.0.1", line: 4, label: "address already used" });
    expect(d.help).toBe("an address must identify one endpoint; remove it from one of the two");
    expect(r.diagnostics.find((x) => x.code === "NV5107")?.related?.[0]).toMatchObject({ message: "used by workload `n/a` here", span: { start: { line: 2 } } });
  });

  test("NV5107 the same address twice in one workload (written differently)", () => {
    const d = load("workloads: [{name: a, namespace: n, ips: ['fd00::1', 'FD00:0::1']}]").d("NV5107");
    expect(d.message).toBe("IP `fd00::1` is listed twice for workload `n/a`");
    expect(d.at).toBe("'FD00:0::1'");
  });

  test("NV5108 duplicate workload", () => {
    const d = load("workloads:\n  - {name: a, namespace: n, ips: [10.0.0.1]}\n  - {name: a, namespace: n, ips: [10.0.0.2]}\n").d("NV5108");
    expect(d).toMatchObject({ message: "workload `n/a` is defined twice", line: 3, label: "second definition" });
  });

  test("NV5109 bad internal subnet", () => {
    const d = load("internalSubnets: [10.0.0.0/33]").d("NV5109");
    expect(d).toMatchObject({ message: "prefix length `/33` is out of range 0..32", at: "10.0.0.0/33", label: "not a CIDR, range or address" });
    expect(d.help).toContain("`10.0.0.0/8`");
  });

  test("NV5111 image and images together", () => {
    const d = load("workloads: [{name: a, namespace: n, image: x, images: [y], ips: [10.0.0.1]}]").d("NV5111");
    expect(d).toMatchObject({ message: "workload has both `image` and `images`", at: "image", label: "second way to give the images" });
    expect(d.help).toContain("keep one");
  });

  test("NV5112 empty address lists", () => {
    const r = load("workloads: [{name: a, namespace: n, ips: []}]\nnodes: [{name: m, ips: []}]\n");
    expect(r.all().filter((d) => d.code === "NV5112").map((d) => [d.message, d.at])).toEqual([
      ["workload `n/a` has no IP address", "[]"],
      ["node `m` has no IP address", "[]"],
    ]);
  });

  test("NV5113 CIDR with host bits is a warning and still used", () => {
    const r = load("internalSubnets: [10.1.2.3/8]");
    expect(r.d("NV5113")).toMatchObject({ severity: "warning", message: "CIDR `10.1.2.3/8` has host bits set", at: "10.1.2.3/8" });
    expect(r.inventory.internalSubnets).toEqual(["10.1.2.3/8"]);
  });

  test("every problem in a file is reported at once, in file order", () => {
    const r = load("workloads:\n  - {name: a, namespace: n, ips: [bad]}\n  - {name: b, ips: [10.0.0.2]}\nnodes: [{ips: [also-bad]}]\n");
    expect(r.all().map((d) => [d.code, d.line])).toEqual([
      ["NV5106", 2],
      ["NV5105", 3],
      ["NV5105", 4],
      ["NV5106", 4],
    ]);
  });
});

describe("workload traits", () => {
  test("`interceptable: false` is carried; true or absent leaves no field", () => {
    const r = load("workloads:\n  - {name: a, namespace: x, ips: [10.0.0.1], interceptable: false}\n  - {name: b, namespace: x, ips: [10.0.0.2], interceptable: true}\n  - {name: c, namespace: x, ips: [10.0.0.3]}\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads.map((w) => w.interceptable)).toEqual([false, undefined, undefined]);
  });
  test("a non-boolean is an error and the workload is dropped", () => {
    const r = load("workloads:\n  - {name: a, namespace: x, ips: [10.0.0.1], interceptable: no-way}\n");
    expect(hasErrors(r.diagnostics)).toBe(true);
    expect(r.d("NV5104")).toMatchObject({ message: "`interceptable` must be a boolean, found a string" });
    expect(r.inventory.workloads).toEqual([]);
  });
  test("`hostNetwork: true` is carried and may share its node's address; a non-boolean is an error", () => {
    const r = load("workloads:\n  - {name: exp, namespace: mon, ips: [10.0.1.1], hostNetwork: true}\nnodes:\n  - {name: n1, ips: [10.0.1.1]}\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads.map((w) => w.hostNetwork)).toEqual([true]);
    expect(r.inventory.nodes).toEqual([{ name: "n1", ips: ["10.0.1.1"] }]);
    const bad = load("workloads:\n  - {name: a, namespace: x, ips: [10.0.0.1], hostNetwork: 1}\n");
    expect(bad.d("NV5104")).toMatchObject({ message: "`hostNetwork` must be a boolean, found a number" });
    expect(bad.inventory.workloads).toEqual([]);
  });
  test("an ordinary workload still may not share a node's address", () => {
    const r = load("workloads:\n  - {name: a, namespace: x, ips: [10.0.1.1]}\nnodes:\n  - {name: n1, ips: [10.0.1.1]}\n");
    expect(r.d("NV5107").message).toBe("IP `10.0.1.1` belongs to both workload `x/a` and node `n1`");
  });
});
