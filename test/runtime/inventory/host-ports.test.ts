import { describe, expect, test } from "vitest";
import { loadInventory } from "../../../runtime/inventory/index.js";
import { only, view } from "../diag-view.js";

const load = (text: string, path = "inv.yaml") => {
  const r = loadInventory([{ path, text }]);
  return { ...r, d: (code: string) => only(r.diagnostics, { [path]: text }, code), all: () => view(r.diagnostics, { [path]: text }) };
};

const loadJson = (value: unknown, path = "k.json") => load(JSON.stringify(value, null, 2), path);

const pod = (name: string, ip: string, ports: unknown[], extra: { hostNetwork?: boolean; hostIP?: string } = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "shop" },
  spec: {
    containers: [{ name: "main", image: "nginx:1.25", ports }, { name: "side", image: "envoy:1.30" }],
    nodeName: "node-1",
    ...(extra.hostNetwork ? { hostNetwork: true } : {}),
  },
  status: { phase: "Running", podIP: ip, podIPs: [{ ip }], ...(extra.hostIP ? { hostIP: extra.hostIP } : {}) },
});

describe("host ports in nvp's format", () => {
  test("hostPorts and hostIP load, protocol defaults to TCP and is case-insensitive", () => {
    const r = load(`workloads:
  - name: web-0
    namespace: shop
    node: node-1
    ips: [10.0.1.7]
    hostIP: 192.168.1.10
    hostPorts:
      - {hostPort: 8080, containerPort: 80}
      - {hostPort: 5353, containerPort: 53, protocol: udp, hostIP: 0.0.0.0}
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads[0]).toMatchObject({
      hostIP: "192.168.1.10",
      hostPorts: [
        { hostPort: 8080, containerPort: 80, protocol: "tcp" },
        { hostPort: 5353, containerPort: 53, protocol: "udp", hostIP: "0.0.0.0" },
      ],
    });
  });

  test("NV5114 a port out of range, and a protocol that is not TCP or UDP", () => {
    const r = load(`workloads:
  - name: web-0
    namespace: shop
    ips: [10.0.1.7]
    hostPorts:
      - {hostPort: 70000, containerPort: 80}
      - {hostPort: 9000, containerPort: 90, protocol: SCTP}
      - {hostPort: 9001, containerPort: 91, protocol: ICMP}
`);
    expect(r.all().filter((d) => d.code === "NV5114").map((d) => [d.message, d.at, d.help])).toEqual([
      ["`hostPort` `70000` is not a port in 1..65535", "70000", "write `hostPorts: [{hostPort: 8080, containerPort: 80, protocol: TCP}]`"],
      ["protocol `SCTP` is not TCP or UDP", "SCTP", "NeuVector looks up TCP and UDP only (SCTP is never matched against rules); leave this mapping out"],
      ["protocol `ICMP` is not TCP or UDP", "ICMP", "a host port is `TCP` (the default) or `UDP`"],
    ]);
    // A workload is never kept with part of its mappings.
    expect(r.inventory.workloads).toEqual([]);
  });

  test("NV5105 and NV5104: a mapping without containerPort, a port that is not a number", () => {
    const r = load(`workloads:
  - name: web-0
    namespace: shop
    ips: [10.0.1.7]
    hostPorts:
      - {hostPort: 8080}
      - {hostPort: http, containerPort: 80}
`);
    expect(r.d("NV5105")).toMatchObject({ message: "host-port mapping is missing `containerPort`" });
    expect(r.d("NV5104")).toMatchObject({ message: "`hostPort` must be a port number, found a string", at: "http" });
  });

  test("NV5115 one node's host port mapped by two workloads: the second mapping is dropped", () => {
    const r = load(`workloads:
  - {name: a, namespace: shop, node: node-1, ips: [10.0.1.7], hostPorts: [{hostPort: 8080, containerPort: 80}]}
  - {name: b, namespace: shop, node: node-1, ips: [10.0.1.8], hostPorts: [{hostPort: 8080, containerPort: 81}, {hostPort: 8080, containerPort: 82, protocol: UDP}]}
  - {name: c, namespace: shop, node: node-2, ips: [10.0.1.9], hostPorts: [{hostPort: 8080, containerPort: 83}]}
`);
    const d = r.d("NV5115");
    expect(d).toMatchObject({ message: "host port tcp/8080 on node `node-1` is mapped by both workload `shop/a` and workload `shop/b`", at: "{hostPort: 8080, containerPort: 81}" });
    expect(r.inventory.workloads.map((w) => w.hostPorts?.map((m) => `${m.protocol}/${m.hostPort}->${m.containerPort}`))).toEqual([
      ["tcp/8080->80"],
      ["udp/8080->82"],
      ["tcp/8080->83"],
    ]);
  });
});

describe("host ports from kubectl pod JSON", () => {
  test("ports[] with a hostPort become hostPorts; status.hostIP is kept with them", () => {
    const r = loadJson(
      pod("web-0", "10.244.0.7", [
        { containerPort: 80, hostPort: 8080, protocol: "TCP", name: "http" },
        { containerPort: 9090, protocol: "TCP" },
        { containerPort: 53, hostPort: 5353, protocol: "UDP", hostIP: "192.168.1.10" },
        { containerPort: 7777, hostPort: 7777, protocol: "SCTP" },
      ], { hostIP: "192.168.1.10" }),
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.inventory.workloads[0]).toMatchObject({
      hostIP: "192.168.1.10",
      hostPorts: [
        { hostPort: 8080, containerPort: 80, protocol: "tcp" },
        { hostPort: 5353, containerPort: 53, protocol: "udp", hostIP: "192.168.1.10" },
      ],
    });
  });

  test("a pod without host ports carries neither field; a host-network pod's ports are its node's own", () => {
    const plain = loadJson(pod("api-0", "10.244.0.8", [{ containerPort: 80 }], { hostIP: "192.168.1.10" }));
    expect(plain.inventory.workloads[0]).not.toHaveProperty("hostPorts");
    expect(plain.inventory.workloads[0]).not.toHaveProperty("hostIP");
    const hostNet = loadJson(pod("exporter", "192.168.1.10", [{ containerPort: 9100, hostPort: 9100 }], { hostNetwork: true }));
    expect(hostNet.inventory.workloads[0]).toMatchObject({ hostNetwork: true });
    expect(hostNet.inventory.workloads[0]).not.toHaveProperty("hostPorts");
  });

  test("NV5114, NV5106: a bad hostPort, a bad status.hostIP", () => {
    const r = loadJson(pod("web-0", "10.244.0.7", [{ containerPort: 80, hostPort: 0 }]));
    expect(r.d("NV5114")).toMatchObject({ message: "`hostPort` `0` is not a port in 1..65535", at: "0" });
    const ip = loadJson(pod("web-0", "10.244.0.7", [{ containerPort: 80, hostPort: 8080 }], { hostIP: "node-1" }));
    expect(ip.d("NV5106")).toMatchObject({ message: "`node-1` is not an IP address", at: '"node-1"' });
    expect(ip.inventory.workloads).toEqual([]);
  });
});
