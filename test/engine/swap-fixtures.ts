/**
 * What the swap-under-load tests of both host APIs share (test/engine/swap-under-load.test.ts,
 * test/packet/swap.test.ts): two policies that disagree on many flows between a web and a db
 * workload and a DNS-name group, the inventory and DNS they run with, and a seeded generator.
 */
import type { DnsTable, Inventory } from "../../common/schema.js";

/** Policies a and b over `proto` ports 5000–5002; they disagree on most web → db flows. */
export function swapPolicies(proto: "tcp" | "udp"): [string, string] {
  const head = (name: string) => `policy ${name}
service web = nv.web.shop { mode protect }
service db = nv.db.shop { mode protect }
group partners { address partners.example.com }
`;
  return [
    `${head("a")}rule 10 allow web -> db port ${proto}/5000
rule 20 allow web -> partners port ${proto}/5001
`,
    `${head("b")}rule 10 deny web -> db port ${proto}/5000
rule 15 allow web -> db port ${proto}/5002
rule 30 allow db -> partners
`,
  ];
}

const workload = (name: string, service: string, ip: string) => ({ name, namespace: "shop", service, labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips: [ip] });
export const SWAP_INVENTORY: Inventory = {
  workloads: [workload("web-1", "web", "10.0.0.1"), workload("db-1", "db", "10.0.0.2")],
  nodes: [],
  internalSubnets: [],
  serviceExternalIps: [],
};
export const SWAP_DNS: DnsTable = { "partners.example.com": ["192.0.2.7"] };
/** The endpoints and ports flows are drawn from. */
export const SWAP_HOSTS = ["10.0.0.1", "10.0.0.2", "192.0.2.7"];
export const SWAP_PORTS = [5000, 5001, 5002, 5003];

/** xorshift32: the same interleaving on every run. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
