/**
 * The data shapes shared by the compiler, the runtime and the CLI: policy modes, verdict actions,
 * flows, verdicts and the workload inventory. Documented in docs/formats.md; field names are stable.
 */

export const MODES = ["discover", "monitor", "protect"] as const;
export type Mode = (typeof MODES)[number];

/** Restrictiveness order used by mode contention: discover < monitor < protect. */
export const MODE_RANK: Record<Mode, number> = { discover: 0, monitor: 1, protect: 2 };

/**
 * What happens to a connection. `violate` = allowed and reported (NeuVector's VIOLATE, shown as
 * "alert" in some UIs); `learn` = allowed, and Discover mode learns a rule; `pending` = allowed
 * provisionally until the application or virtual host is known (CHECK_APP / CHECK_VH).
 */
export const ACTIONS = ["allow", "learn", "pending", "violate", "deny"] as const;
export type Action = (typeof ACTIONS)[number];

/** Severity order used to combine the primary and the X-Forwarded-For lookups. */
export const ACTION_RANK: Record<Action, number> = { allow: 0, learn: 1, pending: 2, violate: 3, deny: 4 };

export type Proto = "tcp" | "udp" | "icmp";

/**
 * One connection as seen by the policy. `app` absent = not yet identified; `"unknown"` = inspected
 * and not recognised. `host` absent = virtual host not yet known; `""` = the connection has none.
 */
export interface Flow {
  src: string;
  dst: string;
  /** tcp, udp, icmp, or another IP protocol number. */
  proto: Proto | number;
  /** Destination port (ignored for icmp and other protocols). */
  port?: number;
  sport?: number;
  app?: string;
  host?: string;
  /** Leftmost X-Forwarded-For address of an HTTP request. */
  xff?: string;
}

export type EndpointKind = "workload" | "node" | "internal" | "external";

export interface EndpointInfo {
  ip: string;
  kind: EndpointKind;
  /** `namespace/name` for a workload, the node name for a node. */
  name?: string;
  /** Every group the endpoint belongs to (a vh: group awaiting its host is listed with a `?`). */
  groups: string[];
  /** The endpoint's policy mode (service group or nodes mode); absent when unmanaged. */
  mode?: Mode;
}

export interface LookupResult {
  action: Action;
  /** Deciding rule id; 0 = implicit (no rule matched). For `pending`, the rule awaiting data. */
  rule: number;
  /** The mode that decided the action after contention; absent when no side is managed. */
  mode?: Mode;
  /** What a `pending` verdict is waiting for. */
  awaiting?: "app" | "host";
}

export interface Verdict extends LookupResult {
  src: EndpointInfo;
  dst: EndpointInfo;
  /** The second lookup with the X-Forwarded-For client as source, when it ran. */
  xff?: LookupResult & { src: EndpointInfo };
  /** Human-readable reasoning, one step a line. */
  trace: string[];
}

export interface Workload {
  name: string;
  namespace: string;
  /** NeuVector service name: the owner workload (Deployment, StatefulSet…) name. */
  service: string;
  labels: Record<string, string>;
  /** Labels of the workload's namespace (criteria key `ns-label`). */
  nsLabels: Record<string, string>;
  images: string[];
  containers: string[];
  node: string;
  ips: string[];
  /** False: the enforcer cannot intercept the workload's traffic (NeuVector's CapIntcp), so a deny
   *  involving it is a violation (docs/semantics.md S4). Absent = true. */
  interceptable?: boolean;
  /** True: the pod shares its node's network namespace (`spec.hostNetwork`); its IPs are the
   *  node's. NeuVector decides it by port, never by application, and cannot intercept it
   *  (docs/semantics.md S4). Absent = false. */
  hostNetwork?: boolean;
  /** Container ports published on the node (`hostPort`): a flow to one of the node's addresses on
   *  the host port is decided as NeuVector's NAT rules do (docs/semantics.md S1.1). */
  hostPorts?: HostPortMapping[];
  /** The address of the node the pod runs on (kubectl `status.hostIP`), a host-port address
   *  besides the inventory node named by `node`. */
  hostIP?: string;
}

/** One `spec.containers[].ports[]` entry with a `hostPort`. */
export interface HostPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: "tcp" | "udp";
  /** The address the port is bound to; recorded, not used: NeuVector's getMappedPort ignores it. */
  hostIP?: string;
}

export interface InventoryNode {
  name: string;
  ips: string[];
}

/**
 * A Kubernetes Service: its cluster IPs are internal addresses in NeuVector's service-IP group
 * `nv.ip.<name>.<namespace>` (docs/semantics.md S2.10); `endpoints` are its backends' addresses
 * (EndpointSlices), shown in traces of flows to it.
 */
export interface InventoryService {
  name: string;
  namespace: string;
  ips: string[];
  endpoints: string[];
}

export interface Inventory {
  workloads: Workload[];
  nodes: InventoryNode[];
  /** Services with cluster IPs; absent = none. */
  services?: InventoryService[];
  /** CIDRs, ranges or IPs that are internal although they are no workload or node. */
  internalSubnets: string[];
  /** Service external IPs (CVE-2020-8554 MITM detection). */
  serviceExternalIps: string[];
}

/** Host-provided DNS resolutions: lower-case name -> addresses. */
export type DnsTable = Record<string, string[]>;

export function emptyInventory(): Inventory {
  return { workloads: [], nodes: [], internalSubnets: [], serviceExternalIps: [] };
}
