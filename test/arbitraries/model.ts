/**
 * fast-check arbitraries for PolicyModel, Inventory, DnsTable and Flow, shared by the reference
 * evaluator's property tests and the WebAssembly differential test. Everything draws from small
 * fixed pools (addresses, names, labels), so independently generated parts still collide:
 * overlapping CIDRs and ranges, workload IPs inside address groups, DNS names that resolve to
 * workloads, hosts that do or do not match vh: groups.
 */
import fc from "fast-check";
import { formatIp, parseIp, parseIpRange } from "../../common/ip.js";
import { MODES, type DnsTable, type Flow, type Inventory, type InventoryNode, type InventoryService, type Workload } from "../../common/schema.js";
import { CRITERION_OPS, type CriterionOp } from "../../compiler/ast/types.js";
import type {
  AddressModel,
  CriterionKeyModel,
  CriterionModel,
  GroupModel,
  PolicyModel,
  PortModel,
  RuleModel,
  SettingsModel,
} from "../../compiler/model.js";
import type { EvalContext } from "../../compiler/reference/index.js";

// ---- pools -------------------------------------------------------------------------------------

const range = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${(from + i).toString(prefix.includes(":") ? 16 : 10)}`);

/** Addresses workloads and nodes take, and flows mostly use. */
export const WORKLOAD_IPS = [...range("10.0.0.", 1, 12), ...range("fd00::", 1, 6)];
export const NODE_IPS = [...range("10.0.1.", 1, 3), "fd00:1::1"];
/** Inside the internal subnets below. */
export const INTERNAL_IPS = ["10.0.2.1", "10.0.2.6", "10.0.2.9", "10.0.3.7", "fd00:2::2"];
export const EXTERNAL_IPS = ["192.0.2.1", "192.0.2.200", "203.0.113.5", "8.8.8.8", "2001:db8::1", "2001:db8::abcd"];
/** Link-local peers NeuVector opens before any rule (cloud metadata among them), and IPv6 link-local, which it does not. */
export const LINK_LOCAL_IPS = ["169.254.169.254", "169.254.0.1", "fe80::1"];
export const ADDRESS_POOL = [...WORKLOAD_IPS, ...NODE_IPS, ...INTERNAL_IPS, ...EXTERNAL_IPS, ...LINK_LOCAL_IPS];
export const INTERNAL_SUBNETS = ["10.0.2.0/29", "10.0.2.4-10.0.2.12", "10.0.3.7", "fd00:2::/120"];
/** Service cluster IPs: two of their own, one IPv6, and one inside an internal subnet. */
export const SERVICE_IPS = ["10.96.0.1", "10.96.0.2", "fd00:96::1", INTERNAL_IPS[1]!];

export const DNS_NAMES = [
  "db.example.com",
  "a.b.example.com",
  "example.com",
  "shop.example.com",
  "api.shop.example.com",
  "x.rds.example.com",
  "www.other.org",
];
/** Exact names and wildcard suffixes address groups use (`*.` + suffix for wildcards). */
const DNS_PATTERNS = ["db.example.com", "example.com", "shop.example.com", "b.example.com", "rds.example.com", "other.org"];

export const NAMESPACES = ["shop", "shop-dev", "kube-system"];
export const SERVICES = ["web", "api", "db"];
const LABEL_KEYS = ["app", "tier", "env", "team"];
const LABEL_VALUES = ["web", "front", "back", "prod", "dev"];
const IMAGES = ["nginx:1.25", "registry.local/api:2", "redis:7", "evil/miner:latest"];
const CONTAINERS = ["web", "sidecar", "api", "db"];
const NODES = ["node-1", "node-2"];

const EQ_VALUES: Record<CriterionKeyModel, string[]> = {
  namespace: [...NAMESPACES, "shop*", "*-dev", "s?op", "kube", "any"],
  service: [...SERVICES, "w*", "?pi", "any"],
  label: [...LABEL_VALUES, "fr*", "any", ""],
  "ns-label": [...LABEL_VALUES, "p?od", "any"],
  image: [...IMAGES, "nginx*", "*:latest", "registry.local/*", "redis:?", "any"],
  node: [...NODES, "node-*", "node-?", "any"],
  container: [...CONTAINERS, "side*", "any"],
};
const SUBSTRINGS = ["we", "shop", "node-", "registry.local/", "e", "prod"];
const REGEXES = ["^web", "b", "ngin[xy]", "(api|db)$", "^$", ".*", "-dev$", "^node-[12]$"];

/** Applications rules and flows use: base protocols, a database, and an HTTP server child. */
const RULE_APPS = [1001, 1002, 1004, 2001, 2002, 2006];
const FLOW_APPS = ["http", "HTTP", "ssl", "tls", "dns", "mysql", "MariaDB", "redis", "postgres", "nginx", "ssh", "unknown", "gopher"];
/** Hosts as enforcers report them: any case, a trailing dot, an HTTP `:port`, none (""). */
const HOSTS = [...DNS_NAMES, "SHOP.example.com", "shop.example.com.", "shop.example.com:8443", "other.net", ""];
const PORTS = [0, 22, 53, 80, 443, 3306, 5432, 6379, 8000, 8080, 8443, 65535];

// ---- inventory and DNS ---------------------------------------------------------------------------

const labelsArb = (keys: string[]) => fc.dictionary(fc.constantFrom(...keys), fc.constantFrom(...LABEL_VALUES), { maxKeys: 3 });

const workloadBaseArb: fc.Arbitrary<Workload> = fc.record({
  name: fc.constantFrom("web-1", "web-2", "api-1", "db-0", "job-x"),
  namespace: fc.constantFrom(...NAMESPACES),
  service: fc.constantFrom(...SERVICES),
  labels: labelsArb(LABEL_KEYS),
  nsLabels: labelsArb(["team", "env"]),
  images: fc.uniqueArray(fc.constantFrom(...IMAGES), { maxLength: 2 }),
  containers: fc.uniqueArray(fc.constantFrom(...CONTAINERS), { maxLength: 2 }),
  node: fc.constantFrom(...NODES),
  ips: fc.uniqueArray(fc.constantFrom(...WORKLOAD_IPS, ...INTERNAL_IPS.slice(0, 1)), { minLength: 1, maxLength: 2 }),
});

/**
 * Host ports (S1.1) from the flows' port pool, so flows to node addresses hit them; two workloads
 * may map one node's port (the first in inventory order keeps it), and `hostIP` may name a node
 * address or any other.
 */
const hostPortsArb = fc.record(
  {
    hostPorts: fc.array(
      fc.record({
        hostPort: fc.constantFrom(...PORTS.filter((p) => p > 0)),
        containerPort: fc.constantFrom(...PORTS.filter((p) => p > 0)),
        protocol: fc.constantFrom("tcp" as const, "udp" as const),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    hostIP: fc.constantFrom(...NODE_IPS, INTERNAL_IPS[0]!, EXTERNAL_IPS[0]!),
  },
  { requiredKeys: ["hostPorts"] },
);

/**
 * One workload in four is one the enforcer cannot intercept (its denies are violations); one in
 * eight shares its node's network (hostNetwork: node addresses, rules matched by port only); half
 * publish host ports.
 */
const workloadArb: fc.Arbitrary<Workload> = fc
  .tuple(workloadBaseArb, fc.nat(7), fc.uniqueArray(fc.constantFrom(...NODE_IPS), { minLength: 1, maxLength: 2 }), fc.option(hostPortsArb, { freq: 2 }))
  .map(([w0, n, nodeIps, hp]) => {
    const w = hp ? { ...w0, ...hp } : w0;
    return n < 2 ? { ...w, interceptable: false } : n === 2 ? { ...w, ips: nodeIps, hostNetwork: true } : w;
  });

const nodeArb: fc.Arbitrary<InventoryNode> = fc.record({
  name: fc.constantFrom(...NODES),
  ips: fc.uniqueArray(fc.constantFrom(...NODE_IPS), { minLength: 1, maxLength: 2 }),
});

const serviceArb: fc.Arbitrary<InventoryService> = fc.record({
  name: fc.constantFrom(...SERVICES),
  namespace: fc.constantFrom(...NAMESPACES),
  ips: fc.uniqueArray(fc.constantFrom(...SERVICE_IPS), { minLength: 1, maxLength: 2 }),
  endpoints: fc.uniqueArray(fc.constantFrom(...WORKLOAD_IPS.slice(0, 4)), { maxLength: 2 }),
});

/** No IP is listed by two workloads (S1 would take the first; the inventory loader rejects it). */
function dedupeIps<T extends { ips: string[] }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.map((it) => ({ ...it, ips: it.ips.filter((ip) => !seen.has(ip) && seen.add(ip)) }));
}

/**
 * `externalIps`: list some outside and internal addresses as Service externalIPs (the decision
 * then skips the rules for workloads reaching them; the packet path also raises k8s-mitm).
 */
export function arbInventory(externalIps = false, services = false): fc.Arbitrary<Inventory> {
  return fc
    .record({
      workloads: fc.array(workloadArb, { maxLength: 6 }),
      nodes: fc.array(nodeArb, { maxLength: 2 }),
      services: services ? fc.uniqueArray(serviceArb, { maxLength: 3, selector: (v) => `${v.namespace}/${v.name}` }) : fc.constant([] as InventoryService[]),
      internalSubnets: fc.subarray(INTERNAL_SUBNETS),
      serviceExternalIps: externalIps ? fc.subarray([EXTERNAL_IPS[0]!, EXTERNAL_IPS[4]!, INTERNAL_IPS[0]!]) : fc.constant([] as string[]),
    })
    .map(({ services: svcs, ...inv }) => ({
      ...inv,
      workloads: dedupeIps(inv.workloads),
      nodes: dedupeIps(inv.nodes),
      ...(svcs.length ? { services: dedupeIps(svcs) } : {}),
    }));
}

/** Resolutions of pool names to the given addresses (default: the whole pool). */
export function arbDnsTable(addresses: readonly string[] = ADDRESS_POOL): fc.Arbitrary<DnsTable> {
  return fc.dictionary(
    fc.constantFrom(...DNS_NAMES),
    fc.uniqueArray(fc.constantFrom(...(addresses.length ? addresses : ADDRESS_POOL)), { minLength: 1, maxLength: 3 }),
    { maxKeys: 5 },
  );
}

// ---- policy model ----------------------------------------------------------------------------------

const V4_POOL = ADDRESS_POOL.filter((ip) => !ip.includes(":"));
const V6_POOL = ADDRESS_POOL.filter((ip) => ip.includes(":"));
const byValue = (p: bigint, q: bigint) => (p < q ? -1 : p > q ? 1 : 0);

/** CIDRs of every width around the pool (so they nest and overlap), single IPs and ranges. */
const ipTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...V4_POOL), fc.constantFrom(0, 8, 16, 24, 28, 29, 30, 31, 32)).map(([b, n]) => `${b}/${n}`),
  fc.tuple(fc.constantFrom(...V6_POOL), fc.constantFrom(0, 16, 32, 64, 120, 124, 126, 127, 128)).map(([b, n]) => `${b}/${n}`),
  fc.constantFrom(...ADDRESS_POOL),
  fc.constantFrom(V4_POOL, V6_POOL).chain((pool) =>
    fc.tuple(fc.constantFrom(...pool), fc.constantFrom(...pool)).map(([a, b]) => {
      const [lo, hi] = [parseIp(a) ?? 0n, parseIp(b) ?? 0n].sort(byValue);
      return `${formatIp(lo ?? 0n)}-${formatIp(hi ?? 0n)}`;
    }),
  ),
);

const ipEntryArb: fc.Arbitrary<AddressModel> = ipTextArb.map((text) => {
  const r = parseIpRange(text);
  if ("error" in r) throw new Error(`arbitrary produced a bad address entry: ${r.error}`);
  return { kind: "ip", lo: r.lo, hi: r.hi, text };
});

const nameEntryArb: fc.Arbitrary<AddressModel> = fc
  .record({ kind: fc.constantFrom("dns" as const, "vh" as const), name: fc.constantFrom(...DNS_PATTERNS), wildcard: fc.boolean() })
  .map((e) => ({ ...e, text: `${e.kind === "vh" ? "vh:" : ""}${e.wildcard ? "*." : ""}${e.name}` }));

const criterionArb: fc.Arbitrary<CriterionModel> = fc
  .record({
    key: fc.constantFrom<CriterionKeyModel>("namespace", "service", "label", "ns-label", "image", "node", "container"),
    op: fc.constantFrom<CriterionOp>(...CRITERION_OPS),
    labelKey: fc.constantFrom(...LABEL_KEYS),
    pick: fc.nat(),
  })
  .map(({ key, op, labelKey, pick }) => {
    const pool = op === "regex" || op === "!regex" ? REGEXES : op === "contains" || op === "prefix" ? SUBSTRINGS : EQ_VALUES[key];
    const c: CriterionModel = { key, op, value: pool[pick % pool.length] ?? "" };
    if (key === "label" || key === "ns-label") c.labelKey = labelKey;
    return c;
  });

type GroupSpec = Omit<GroupModel, "index">;

const serviceGroupArb: fc.Arbitrary<GroupSpec> = fc
  .record({ service: fc.constantFrom(...SERVICES), namespace: fc.constantFrom(...NAMESPACES), mode: fc.option(fc.constantFrom(...MODES), { nil: undefined }) })
  .map(({ service, namespace, mode }) => {
    const g: GroupSpec = { name: `nv.${service}.${namespace}`, kind: "service", service: { service, namespace } };
    if (mode) g.mode = mode;
    return g;
  });

/** NeuVector's service-IP groups nv.ip.<svc>.<ns> (S2.10). */
const serviceIpGroupArb: fc.Arbitrary<GroupSpec> = fc
  .record({ service: fc.constantFrom(...SERVICES), namespace: fc.constantFrom(...NAMESPACES) })
  .map(({ service, namespace }) => ({ name: `nv.ip.${service}.${namespace}`, kind: "service-ip", service: { service, namespace } }));

const workloadGroupArb: fc.Arbitrary<GroupSpec> = fc
  .array(criterionArb, { minLength: 1, maxLength: 4 })
  .map((criteria) => ({ name: "wl", kind: "workload", criteria }));

const addressGroupArb: fc.Arbitrary<GroupSpec> = fc
  .array(fc.oneof({ weight: 2, arbitrary: ipEntryArb }, { weight: 1, arbitrary: nameEntryArb }), { minLength: 1, maxLength: 3 })
  .map((addresses) => ({ name: "addr", kind: "address", addresses }));

const BUILTINS = ["any", "external", "nodes", "containers"] as const;

const groupsArb: fc.Arbitrary<GroupModel[]> = fc
  .tuple(
    fc.subarray([...BUILTINS], { minLength: 1 }),
    fc.uniqueArray(serviceGroupArb, { maxLength: 4, selector: (g) => g.name }),
    fc.array(workloadGroupArb, { maxLength: 3 }),
    fc.array(addressGroupArb, { maxLength: 4 }),
    fc.uniqueArray(serviceIpGroupArb, { maxLength: 2, selector: (g) => g.name }),
  )
  .map(([builtins, services, workloads, addresses, serviceIps]) => {
    const specs: GroupSpec[] = [
      ...builtins.map((b): GroupSpec => ({ name: b, kind: "builtin", builtin: b })),
      ...services,
      ...serviceIps,
      ...workloads.map((g, i) => ({ ...g, name: `wl-${i}` })),
      ...addresses.map((g, i) => ({ ...g, name: `addr-${i}` })),
    ];
    return specs.map((g, index) => ({ ...g, index }));
  });

export const portArb: fc.Arbitrary<PortModel> = fc.oneof(
  fc.constant<PortModel>({ proto: "any", lo: 0, hi: 65535 }),
  fc.constant<PortModel>({ proto: "icmp", lo: 0, hi: 65535 }),
  fc.constantFrom("tcp" as const, "udp" as const).map((proto): PortModel => ({ proto, lo: 0, hi: 65535 })),
  fc.tuple(fc.constantFrom("tcp" as const, "udp" as const), fc.constantFrom(...PORTS)).map(([proto, p]): PortModel => ({ proto, lo: p, hi: p })),
  fc
    .tuple(fc.constantFrom("tcp" as const, "udp" as const), fc.constantFrom(...PORTS), fc.constantFrom(...PORTS))
    .map(([proto, a, b]): PortModel => ({ proto, lo: Math.min(a, b), hi: Math.max(a, b) })),
);

const settingsArb: fc.Arbitrary<SettingsModel> = fc.record({
  xff: fc.boolean(),
  contention: fc.constantFrom("basic" as const, "strict" as const),
  defaultMode: fc.constantFrom(...MODES),
  nodesMode: fc.constantFrom(...MODES),
  // NeuVector's carve-out switches (docs/semantics.md S3.1), both ways.
  extra: fc.record({
    "icmp-policy": fc.constantFrom("on", "off"),
    "link-local-policy": fc.constantFrom("on", "off"),
    platform: fc.constantFrom("kubernetes", "openshift"),
  }),
});

function rulesArb(groupCount: number, maxRules: number): fc.Arbitrary<RuleModel[]> {
  const groupIdx = fc.nat({ max: groupCount - 1 });
  const ruleBody = fc.record({
    action: fc.constantFrom("allow" as const, "deny" as const),
    learned: fc.boolean(),
    from: fc.uniqueArray(groupIdx, { minLength: 1, maxLength: 3 }),
    to: fc.uniqueArray(groupIdx, { minLength: 1, maxLength: 3 }),
    apps: fc.oneof(fc.constant([] as number[]), fc.uniqueArray(fc.constantFrom(...RULE_APPS), { minLength: 1, maxLength: 2 })),
    ports: fc.oneof(fc.constant([] as PortModel[]), fc.array(portArb, { minLength: 1, maxLength: 3 })),
  });
  return fc
    .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 20000 }), { maxLength: maxRules }), fc.array(ruleBody, { minLength: maxRules, maxLength: maxRules }))
    .map(([ids, bodies]) =>
      [...ids]
        .sort((a, b) => a - b)
        .map((id, i): RuleModel => {
          const b = bodies[i] ?? bodies[0];
          if (!b) throw new Error("unreachable: bodies has maxRules entries");
          // The checker only marks allow rules as learned.
          return { id, ...b, learned: b.action === "allow" && b.learned, apps: [...b.apps].sort((x, y) => x - y) };
        }),
    );
}

export interface ModelOptions {
  /** Upper bound on the number of rules (default 10). */
  maxRules?: number;
}

export function arbPolicyModel(opts: ModelOptions = {}): fc.Arbitrary<PolicyModel> {
  const maxRules = opts.maxRules ?? 10;
  return fc.tuple(groupsArb, settingsArb).chain(([groups, settings]) =>
    rulesArb(groups.length, maxRules).map((rules): PolicyModel => ({ name: "prop", params: {}, settings, groups, rules })),
  );
}

// ---- flows ---------------------------------------------------------------------------------------

/** The same address, sometimes written differently (upper-case, expanded IPv6) to test parsing. */
const spelledIp = (ips: readonly string[]) =>
  fc.tuple(fc.constantFrom(...ips), fc.boolean()).map(([ip, alt]) => {
    if (!alt || !ip.includes(":")) return ip;
    const v = parseIp(ip) ?? 0n;
    return Array.from({ length: 8 }, (_, i) => ((v >> BigInt((7 - i) * 16)) & 0xffffn).toString(16).toUpperCase()).join(":");
  });

/** Flows over the given addresses (default: the whole pool), every protocol form, app and host state. */
export function arbFlow(addresses: readonly string[] = ADDRESS_POOL): fc.Arbitrary<Flow> {
  const ip = spelledIp(addresses.length ? addresses : ADDRESS_POOL);
  return fc
    .record({
      src: ip,
      dst: ip,
      proto: fc.constantFrom<Flow["proto"]>("tcp", "tcp", "udp", "icmp", 6, 17, 1, 58, 47),
      port: fc.oneof(fc.constantFrom(...PORTS), fc.integer({ min: 0, max: 65535 })),
      app: fc.option(fc.constantFrom(...FLOW_APPS), { nil: undefined }),
      host: fc.option(fc.constantFrom(...HOSTS), { nil: undefined, freq: 2 }),
      // A whole header value uses its leftmost entry; a bad value is ignored.
      xff: fc.option(fc.oneof(fc.constantFrom(...ADDRESS_POOL), fc.constantFrom("not-an-ip", "203.0.113.5, 10.0.0.1")), {
        nil: undefined,
        freq: 3,
      }),
      withPort: fc.boolean(),
    })
    .map(({ withPort, ...f }) => {
      const flow: Flow = { src: f.src, dst: f.dst, proto: f.proto };
      // tcp/udp need a port; others sometimes carry a stray one, which must be ignored.
      const needsPort = f.proto === "tcp" || f.proto === "udp" || f.proto === 6 || f.proto === 17;
      if (needsPort || withPort) flow.port = f.port;
      if (f.app !== undefined) flow.app = f.app;
      if (f.host !== undefined) flow.host = f.host;
      if (f.xff !== undefined) flow.xff = f.xff;
      return flow;
    });
}

export interface Scenario {
  model: PolicyModel;
  ctx: EvalContext;
  flows: Flow[];
}

/** A whole test input: a model, an inventory and DNS table, and flows biased to their addresses. */
/** (node address, protocol, host port) of every mapping in the inventory (S1.1), mapped or shadowed. */
function hostPortTargets(inv: Inventory): { dst: string; proto: "tcp" | "udp"; port: number }[] {
  return inv.workloads.flatMap((w) => {
    const addrs = [...inv.nodes.filter((n) => n.name === w.node).flatMap((n) => n.ips), ...(w.hostIP !== undefined ? [w.hostIP] : [])];
    return (w.hostPorts ?? []).flatMap((m) => addrs.map((dst) => ({ dst, proto: m.protocol, port: m.hostPort })));
  });
}

/** Flows to a mapped host port (or the same address and port on the other protocol) from anywhere. */
function arbHostPortFlow(sources: readonly string[], targets: { dst: string; proto: "tcp" | "udp"; port: number }[]): fc.Arbitrary<Flow> {
  return fc
    .record({
      src: spelledIp(sources),
      target: fc.constantFrom(...targets),
      swap: fc.nat(5),
      app: fc.option(fc.constantFrom(...FLOW_APPS), { nil: undefined }),
      host: fc.option(fc.constantFrom(...HOSTS), { nil: undefined, freq: 2 }),
      xff: fc.option(fc.constantFrom(...ADDRESS_POOL), { nil: undefined, freq: 4 }),
    })
    .map(({ src, target, swap, app, host, xff }) => {
      const proto = swap === 0 ? (target.proto === "tcp" ? "udp" : "tcp") : target.proto;
      const flow: Flow = { src, dst: target.dst, proto, port: target.port };
      if (app !== undefined) flow.app = app;
      if (host !== undefined) flow.host = host;
      if (xff !== undefined) flow.xff = xff;
      return flow;
    });
}

export function arbScenario(opts: ModelOptions & { maxFlows?: number; externalIps?: boolean; services?: boolean } = {}): fc.Arbitrary<Scenario> {
  return fc.record({ model: arbPolicyModel(opts), inventory: arbInventory(opts.externalIps, opts.services) }).chain(({ model, inventory }) => {
    const used = [...inventory.workloads.flatMap((w) => w.ips), ...inventory.nodes.flatMap((n) => n.ips), ...(inventory.services ?? []).flatMap((v) => v.ips)];
    // Names resolve mostly to addresses flows will use, so DNS and vh: groups get hit; two
    // internal-subnet addresses too (a policy name resolving to one keeps kubernetes' client check).
    const hot = [...used, ...EXTERNAL_IPS.slice(0, 2), INTERNAL_IPS[2]!, INTERNAL_IPS[3]!];
    const targets = hostPortTargets(inventory);
    const flowArb = targets.length ? fc.oneof(arbFlow(hot), arbFlow(), arbHostPortFlow(hot, targets)) : fc.oneof(arbFlow(hot), arbFlow());
    return fc
      .tuple(arbDnsTable(hot), fc.array(flowArb, { minLength: 1, maxLength: opts.maxFlows ?? 8 }))
      .map(([dns, flows]) => ({ model, ctx: { inventory, dns }, flows }));
  });
}
