/**
 * Generated policies for the decision benchmarks: a NeuVector-style cluster of W workloads in
 * services (4 replicas each) over a few namespaces, N rules between service groups, custom
 * criteria groups, address groups (CIDRs, ranges, DNS names) and `external`; ports, apps, deny
 * rules and modes in realistic proportions. Deterministic for a seed, so every run measures the
 * same policy. Also generates the flows: a mix that hits rules, misses them and comes from outside.
 */
import type { Flow, Inventory, Workload } from "../common/schema.js";

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedPolicy {
  source: string;
  inventory: Inventory;
  flows: Flow[];
}

const MODES = ["protect", "protect", "monitor", "discover"];
const APPS = ["http", "ssl", "postgresql", "redis", "mysql", "grpc"];
const PORTS = [80, 443, 8080, 8443, 5432, 6379, 3306, 9090, 9200, 27017];

const wip = (j: number) => `10.${16 + (j >> 16)}.${(j >> 8) & 255}.${j & 255}`;

export function generatePolicy(nRules: number, nWorkloads: number, nFlows = 20_000, seed = 1): GeneratedPolicy {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const int = (n: number) => Math.floor(r() * n);

  const nServices = Math.max(2, Math.ceil(nWorkloads / 4));
  const nNamespaces = Math.max(3, Math.ceil(nServices / 50));
  const nCustom = Math.max(2, Math.ceil(nServices / 20));
  const nAddress = Math.max(4, Math.ceil(nRules / 40));
  const lines = [`policy bench-${nRules}-${nWorkloads}`, "settings { xff on }"];
  const ns = (s: number) => `ns${s % nNamespaces}`;
  for (let s = 0; s < nServices; s++) lines.push(`service s${s} = nv.svc${s}.${ns(s)} { mode ${pick(MODES)} }`);
  for (let c = 0; c < nCustom; c++) {
    const kind = c % 3;
    if (kind === 0) lines.push(`group c${c} { label tier = "t${c % 7}"; namespace = "${ns(c)}" }`);
    else if (kind === 1) lines.push(`group c${c} { image prefix "registry.local/app${c % 11}" }`);
    else lines.push(`group c${c} { namespace = "ns${c % nNamespaces}*"; label team != "ops" }`);
  }
  // Address groups: outside networks (198.18.0.0/15, 100.64.0.0/10), a few names.
  for (let a = 0; a < nAddress; a++) {
    const entries: string[] = [];
    const n = 1 + int(3);
    for (let e = 0; e < n; e++) {
      const x = int(4);
      if (x === 0) entries.push(`198.${18 + int(2)}.${int(256)}.0/24`);
      else if (x === 1) {
        const b = `100.${64 + int(64)}.${int(256)}`;
        entries.push(`${b}.${int(128)}-${b}.${128 + int(128)}`);
      }
      else if (x === 2) entries.push(`203.0.${int(256)}.${int(256)}`);
      else entries.push(`"db${int(1000)}.partner${a % 17}.example.com"`);
    }
    lines.push(`group a${a} { address ${entries.join(", ")} }`);
  }
  const group = (): string => {
    const x = r();
    if (x < 0.8) return `s${int(nServices)}`;
    if (x < 0.9) return `c${int(nCustom)}`;
    if (x < 0.97) return `a${int(nAddress)}`;
    return pick(["external", "containers", "nodes"]);
  };
  for (let i = 0; i < nRules; i++) {
    const from = r() < 0.1 ? `${group()}, ${group()}` : group();
    const to = group();
    const deny = r() < 0.15;
    const app = !deny && r() < 0.3 ? ` app ${pick(APPS)}` : "";
    const portRoll = r();
    const port = portRoll < 0.7 ? ` port tcp/${pick(PORTS) + int(3) * 10000}` : portRoll < 0.8 ? ` port udp/${1000 + int(2000)}` : portRoll < 0.85 ? ` port tcp/${8000 + int(100)}-${8100 + int(100)}` : "";
    lines.push(`rule ${(i + 1) * 10} ${deny ? "deny" : "allow"} ${from} -> ${to}${app}${port}`);
  }

  const workloads: Workload[] = [];
  for (let j = 0; j < nWorkloads; j++) {
    const s = j % nServices;
    workloads.push({
      name: `svc${s}-${j}`,
      namespace: ns(s),
      service: `svc${s}`,
      labels: { tier: `t${s % 7}`, team: pick(["ops", "dev", "pay"]) },
      nsLabels: {},
      images: [`registry.local/app${s % 11}:1.${s % 5}`],
      containers: [`svc${s}`],
      node: `node${j % 20}`,
      ips: [wip(j)],
    });
  }
  const nodes = Array.from({ length: 20 }, (_, k) => ({ name: `node${k}`, ips: [`10.250.0.${k + 1}`] }));
  const inventory: Inventory = { workloads, nodes, internalSubnets: ["10.0.0.0/8"], serviceExternalIps: [] };

  const flows: Flow[] = [];
  for (let k = 0; k < nFlows; k++) {
    const x = r();
    const src = x < 0.85 ? wip(int(nWorkloads)) : x < 0.95 ? `198.${18 + int(2)}.${int(256)}.${int(256)}` : `10.250.0.${1 + int(20)}`;
    const dst = r() < 0.95 ? wip(int(nWorkloads)) : `100.${64 + int(64)}.${int(256)}.${int(256)}`;
    const f: Flow = r() < 0.85 ? { src, dst, proto: "tcp", port: pick(PORTS) + int(3) * 10000 } : { src, dst, proto: "udp", port: 1000 + int(2000) };
    if (r() < 0.5) f.app = pick([...APPS, "unknown"]);
    flows.push(f);
  }
  return { source: lines.join("\n") + "\n", inventory, flows };
}
