/**
 * Host-port mappings (docs/semantics.md S1.1): a pod's container ports published on its node
 * (`spec.containers[].ports[].hostPort`). NeuVector keeps them as the workload's `Ports`
 * (`getMappedPort`, controller/cache/policy.go) and writes NAT rules for the node's addresses
 * on the host port; nvp's inventory carries them per workload. Read from nvp's format
 * (`hostPorts: [{hostPort, containerPort, protocol}]`) and from kubectl pod JSON.
 */
import type { HostPortMapping } from "../../common/schema.js";
import { INVENTORY } from "../../common/codes/input.js";
import { at, isRecord, relatedAt, valueAt, type Loc, type Reader, type Sink } from "../input/reader.js";
import { readIp, type WorkloadEntry } from "./collect.js";

const MAPPING_KEYS = ["hostPort", "containerPort", "protocol", "hostIP"];
const OWN_HELP = "write `hostPorts: [{hostPort: 8080, containerPort: 80, protocol: TCP}]`";

function portAt(r: Reader, loc: Loc, what: string, help: string): number | undefined {
  const v = valueAt(loc);
  if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535) return v;
  if (typeof v === "number" || (typeof v === "string" && /^\d+$/.test(v))) {
    r.sink.error(INVENTORY.badHostPort, `${what} \`${String(v)}\` is not a port in 1..65535`, loc, { label: "not a port", help });
    return undefined;
  }
  r.typeError(loc, what, "a port number", help);
  return undefined;
}

/** Kubernetes' `protocol` (default TCP). `sctp` is returned so the kubectl reader can skip it. */
function protocolAt(r: Reader, loc: Loc, help: string): "tcp" | "udp" | "sctp" | undefined {
  const v = valueAt(loc);
  if (v == null) return "tcp";
  const text = r.string(loc, "`protocol`", help);
  if (text === undefined) return undefined;
  const p = text.trim().toLowerCase();
  if (p === "tcp" || p === "udp" || p === "sctp") return p;
  r.sink.error(INVENTORY.badHostPort, `protocol \`${text}\` is not TCP or UDP`, loc, { label: "unknown protocol", help: "a host port is `TCP` (the default) or `UDP`" });
  return undefined;
}

/** One mapping; `kubectl`: Kubernetes field help, SCTP skipped (NeuVector polices TCP and UDP only). */
function readMapping(loc: Loc, r: Reader, kubectl: boolean): HostPortMapping | "skip" | undefined {
  const help = kubectl ? "a container port is `{containerPort, hostPort, protocol}`" : OWN_HELP;
  const m = r.map(loc, "a host-port mapping", help);
  if (!m) return undefined;
  if (!kubectl) r.unknownKeys(m, loc, MAPPING_KEYS, "a host-port mapping", "warning");
  if (kubectl && m.hostPort == null) return "skip";
  const okKeys = ["hostPort", "containerPort"].map((k) => r.required(m, loc, k, "host-port mapping", help));
  if (okKeys.includes(false)) return undefined;
  const hostPort = portAt(r, at(loc, "hostPort"), "`hostPort`", help);
  const containerPort = portAt(r, at(loc, "containerPort"), "`containerPort`", help);
  const protocol = protocolAt(r, at(loc, "protocol"), help);
  const hostIP = m.hostIP == null || m.hostIP === "" ? undefined : readIp(r, at(loc, "hostIP"), "`hostIP`");
  if (hostPort === undefined || containerPort === undefined || protocol === undefined) return undefined;
  if (m.hostIP != null && m.hostIP !== "" && hostIP === undefined) return undefined;
  if (protocol === "sctp") {
    if (kubectl) return "skip";
    r.sink.error(INVENTORY.badHostPort, "protocol `SCTP` is not TCP or UDP", at(loc, "protocol"), {
      label: "not policed",
      help: "NeuVector looks up TCP and UDP only (SCTP is never matched against rules); leave this mapping out",
    });
    return undefined;
  }
  return { hostPort, containerPort, protocol, ...(hostIP !== undefined ? { hostIP } : {}) };
}

export interface HostPortsRead {
  ports: HostPortMapping[];
  /** Where each mapping was written. */
  locs: Loc[];
}

/** The `n` mappings of the list at `loc` into `out`; false when one was bad (each is reported). */
function readList(loc: Loc, n: number, r: Reader, kubectl: boolean, out: HostPortsRead): boolean {
  let ok = true;
  for (let i = 0; i < n; i++) {
    const m = readMapping(at(loc, i), r, kubectl);
    if (m === undefined) ok = false;
    else if (m !== "skip") {
      out.ports.push(m);
      out.locs.push(at(loc, i));
    }
  }
  return ok;
}

/** nvp's `hostPorts:` list. Undefined when an entry was bad. */
export function readOwnHostPorts(loc: Loc, r: Reader): HostPortsRead | undefined {
  const list = r.list(loc, "`hostPorts`", OWN_HELP);
  const out: HostPortsRead = { ports: [], locs: [] };
  return list && readList(loc, list.length, r, false, out) ? out : undefined;
}

/** The `ports[]` entries with a `hostPort` of every container of a kubectl pod spec. */
export function readPodHostPorts(sloc: Loc, containers: unknown[], r: Reader): HostPortsRead | undefined {
  const out: HostPortsRead = { ports: [], locs: [] };
  let ok = true;
  containers.forEach((c, i) => {
    if (!isRecord(c) || c.ports == null) return;
    const ploc = at(sloc, "containers", i, "ports");
    const list = r.list(ploc, "`ports`", "a container's `ports` is a list of `{containerPort, hostPort, protocol}`");
    ok = (list !== undefined && readList(ploc, list.length, r, true, out)) && ok;
  });
  return ok ? out : undefined;
}

/**
 * One node publishes a host port once: a second workload mapping the same protocol and port
 * on the same node (by `node` name, else by `hostIP`) is an error and its mapping is dropped, so
 * that a flow to the node's address names one workload (Kubernetes' scheduler refuses this too).
 */
export function checkHostPorts(workloads: readonly WorkloadEntry[], sink: Sink): void {
  const first = new Map<string, { what: string; loc: Loc }>();
  for (const e of workloads) {
    const w = e.workload;
    if (!w.hostPorts) continue;
    const nodeKey = w.node !== "" ? `n:${w.node}` : w.hostIP !== undefined ? `ip:${w.hostIP}` : undefined;
    const what = `workload \`${w.namespace}/${w.name}\``;
    const keepLocs: Loc[] = [];
    w.hostPorts = w.hostPorts.filter((m, i) => {
      const loc = e.hostPortLocs?.[i] ?? e.loc;
      const key = `${nodeKey}|${m.protocol}/${m.hostPort}`;
      const prev = nodeKey === undefined ? undefined : first.get(key);
      if (!prev || nodeKey === undefined) {
        if (nodeKey !== undefined) first.set(key, { what, loc });
        keepLocs.push(loc);
        return true;
      }
      sink.error(INVENTORY.duplicateHostPort, `host port ${m.protocol}/${m.hostPort} on node \`${nodeKey.slice(nodeKey.indexOf(":") + 1)}\` is mapped by both ${prev.what} and ${what}`, loc, {
        label: "host port already mapped",
        help: "a node publishes each host port for one pod; remove one of the two mappings",
        related: relatedAt(prev.loc, `mapped by ${prev.what} here`),
      });
      return false;
    });
    e.hostPortLocs = keepLocs;
  }
}
