/**
 * Inventory loading speed: 10k workloads in nvp's JSON format, as kubectl pod JSON, and in YAML.
 * Run: `npx tsx bench/inventory-load.ts` (medians of 5; the target is < 200 ms for 10k workloads
 * in JSON). YAML goes through the `yaml` package's document parser and is much slower; large
 * inventories should be JSON.
 */
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { loadInventory } from "../runtime/inventory/index.js";

const N = Number(process.argv[2] ?? 10_000);
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function ownFormat(): object {
  const workloads = [];
  for (let i = 0; i < N; i++) {
    workloads.push({
      name: `web-7d4b9c5f6-${i.toString(36)}`,
      namespace: `ns-${i % 50}`,
      owner: { kind: "ReplicaSet", name: "web-7d4b9c5f6" },
      labels: { app: "web", tier: "front", "pod-template-hash": "7d4b9c5f6" },
      images: ["nginx:1.25"],
      containers: ["nginx"],
      node: `node-${i % 20}`,
      ips: [ip(i)],
    });
  }
  return { workloads, nodes: Array.from({ length: 20 }, (_, i) => ({ name: `node-${i}`, ips: [`192.168.1.${i + 1}`] })) };
}

/** Realistic pods: the first pod of the committed fixture, renamed and re-addressed. */
function kubectlPods(): object {
  const fixture = JSON.parse(readFileSync(new URL("../test/fixtures/kubectl/pods.json", import.meta.url), "utf8")) as { items: Record<string, any>[] };
  const template = JSON.stringify(fixture.items[0]);
  const items = [];
  for (let i = 0; i < N; i++) {
    const p = JSON.parse(template);
    p.metadata.name = `web-7d4b9c5f6-${i.toString(36)}`;
    p.status.podIP = ip(i);
    p.status.podIPs = [{ ip: ip(i) }];
    items.push(p);
  }
  return { apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } };
}

function time(label: string, text: string): void {
  const runs: number[] = [];
  let workloads = 0;
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    const r = loadInventory([{ path: "bench", text }]);
    runs.push(performance.now() - t);
    workloads = r.inventory.workloads.length;
    if (r.diagnostics.length) throw new Error(`${label}: unexpected diagnostics ${r.diagnostics[0]?.message}`);
  }
  runs.sort((a, b) => a - b);
  const mb = (text.length / 1e6).toFixed(1);
  console.log(`${label.padEnd(24)} ${workloads} workloads, ${mb} MB: median ${runs[2]?.toFixed(0)} ms (min ${runs[0]?.toFixed(0)})`);
}

const own = ownFormat();
time("nvp format, JSON", JSON.stringify(own));
time("nvp format, pretty JSON", JSON.stringify(own, null, 2));
time("kubectl pods JSON", JSON.stringify(kubectlPods(), null, 4));
if (N <= 10_000) time("nvp format, YAML", stringify(own));
