/**
 * Raw `kubectl get … -o json` output: a `List` (or `PodList`, `NodeList`…) or a single object.
 * Strict about the fields the inventory uses, silent about the many it does not (status
 * conditions, resources, managedFields…): real kubectl output carries far more than we read.
 */
import { INVENTORY } from "../../common/codes/input.js";
import { at, isRecord, type Loc, type Reader } from "../input/reader.js";
import { readIp, type Collected } from "./collect.js";
import { readEndpointSlice, readKubectlService } from "./services.js";
import { ownerKey, type OwnerRef } from "./service-name.js";
import { readPodHostPorts } from "./host-ports.js";

/** Kinds whose information reaches us through their pods anyway: accepted without a warning. */
const QUIET_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "CronJob", "ReplicationController"]);

export function looksLikeKubectl(obj: Record<string, unknown>): boolean {
  return "kind" in obj || "apiVersion" in obj;
}

export function readKubectl(obj: Record<string, unknown>, root: Loc, r: Reader, out: Collected): void {
  if (!r.required(obj, root, "kind", "kubectl object", "kubectl output names its `kind`, e.g. `\"kind\": \"List\"`")) return;
  const kind = r.string(at(root, "kind"), "`kind`", "write the object kind, e.g. `Pod`");
  if (kind === undefined) return;
  const ignored = new Map<string, { count: number; loc: Loc }>();
  if (kind.endsWith("List")) {
    const items = obj.items == null ? [] : r.list(at(root, "items"), "`items`", "a kubectl list has `items: [...]`");
    const itemKind = kind === "List" ? undefined : kind.slice(0, -"List".length);
    items?.forEach((_, i) => readObject(at(root, "items", i), itemKind, r, out, ignored, true));
  } else {
    readObject(root, kind, r, out, ignored, false);
  }
  for (const [k, { count, loc }] of ignored) {
    r.sink.warn(INVENTORY.ignoredKind, `${count} \`${k}\` object${count === 1 ? " is" : "s are"} ignored`, loc, {
      label: "not used by the inventory",
      help: "the inventory reads Pods, Nodes, Namespaces, Services, EndpointSlices, and ReplicaSets/Jobs for owner names",
    });
  }
}

/** `inList`: controllers are quiet inside a List (`kubectl get all`), but a file holding only a Deployment is a mistake worth a warning. */
function readObject(loc: Loc, defaultKind: string | undefined, r: Reader, out: Collected, ignored: Map<string, { count: number; loc: Loc }>, inList: boolean): void {
  const o = r.map(loc, "a kubectl list item", "each item of a kubectl list is an object with `kind` and `metadata`");
  if (!o) return;
  let kind = defaultKind;
  if (o.kind != null || !defaultKind) {
    if (!r.required(o, loc, "kind", "kubectl object", "each item needs its `kind`, e.g. `Pod`")) return;
    kind = r.string(at(loc, "kind"), "`kind`", "write the object kind, e.g. `Pod`");
  }
  switch (kind) {
    case undefined:
      return;
    case "Pod":
      return readPod(o, loc, r, out);
    case "Node":
      return readNode(o, loc, r, out);
    case "Namespace":
      return readNamespace(loc, r, out);
    case "Service":
      return readService(o, loc, r, out);
    case "EndpointSlice":
      return readSlice(o, loc, r, out);
    case "ReplicaSet":
    case "Job":
      return readOwnerLink(kind, loc, r, out);
    default: {
      if (QUIET_KINDS.has(kind) && inList) return;
      const seen = ignored.get(kind);
      if (seen) seen.count++;
      else ignored.set(kind, { count: 1, loc: at(loc, "kind") });
    }
  }
}

interface Meta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  owner?: OwnerRef;
}

function readMeta(loc: Loc, r: Reader, what: string, namespaced: boolean): Meta | undefined {
  const mloc = at(loc, "metadata");
  const o = r.map(loc, what, "a kubectl object is a mapping");
  if (!o || !r.required(o, loc, "metadata", what, "kubectl objects carry `metadata` with `name`")) return undefined;
  const m = r.map(mloc, "`metadata`", "`metadata` is a mapping with `name` and `namespace`");
  if (!m) return undefined;
  const help = "kubectl output always has it; was the JSON edited by hand?";
  const okName = r.required(m, mloc, "name", `${what} metadata`, help);
  const okNs = !namespaced || r.required(m, mloc, "namespace", `${what} metadata`, help);
  const name = okName ? r.string(at(mloc, "name"), "`metadata.name`", help, { nonEmpty: true }) : undefined;
  const namespace = namespaced && okNs ? r.string(at(mloc, "namespace"), "`metadata.namespace`", help, { nonEmpty: true }) : undefined;
  const labels = m.labels == null ? {} : r.stringMap(at(mloc, "labels"), "`metadata.labels`", "label values are strings");
  let owner: OwnerRef | undefined;
  if (m.ownerReferences != null) {
    const refs = r.list(at(mloc, "ownerReferences"), "`metadata.ownerReferences`", "a list of `{kind, name}`");
    // The controller reference is the owner NeuVector names the service after.
    const refIndex = refs ? Math.max(0, refs.findIndex((x) => isRecord(x) && x.controller === true)) : -1;
    if (refs && refs.length > 0) {
      const rloc = at(mloc, "ownerReferences", refIndex);
      const ref = r.map(rloc, "an owner reference", "an owner reference has `kind` and `name`");
      if (ref && r.required(ref, rloc, "kind", "owner reference", help) && r.required(ref, rloc, "name", "owner reference", help)) {
        const k = r.string(at(rloc, "kind"), "`kind`", help, { nonEmpty: true });
        const n = r.string(at(rloc, "name"), "`name`", help, { nonEmpty: true });
        if (k !== undefined && n !== undefined) owner = { kind: k, name: n };
      }
    }
  }
  if (name === undefined || (namespaced && namespace === undefined) || !labels) return undefined;
  return { name, ...(namespace !== undefined ? { namespace } : {}), labels, ...(owner ? { owner } : {}) };
}

function readPod(o: Record<string, unknown>, loc: Loc, r: Reader, out: Collected): void {
  const meta = readMeta(loc, r, "pod", true);
  const help = "kubectl output always has it; was the JSON edited by hand?";
  const spec = r.required(o, loc, "spec", "pod", help) ? r.map(at(loc, "spec"), "`spec`", "a pod `spec` is a mapping") : undefined;
  const status = o.status == null ? {} : r.map(at(loc, "status"), "`status`", "a pod `status` is a mapping");
  if (!meta || !spec || !status) return;
  const sloc = at(loc, "spec");
  const phase = status.phase == null ? undefined : r.string(at(loc, "status", "phase"), "`status.phase`", help);
  const hostNetwork = spec.hostNetwork === true;
  if (spec.hostNetwork != null && typeof spec.hostNetwork !== "boolean") {
    r.typeError(at(sloc, "hostNetwork"), "`spec.hostNetwork`", "a boolean", "write `true` or `false`");
    return;
  }
  const containers = readContainers(sloc, spec, r);
  const nodeName = spec.nodeName == null ? "" : r.string(at(sloc, "nodeName"), "`spec.nodeName`", help);
  const ips = readPodIps(at(loc, "status"), status, r);
  // Host ports (S1.1): `spec.containers[].ports[].hostPort`, published on `status.hostIP`.
  const clist = Array.isArray(spec.containers) ? spec.containers : [];
  const hostPorts = hostNetwork ? { ports: [], locs: [] } : readPodHostPorts(sloc, clist, r);
  const hostIP = status.hostIP == null || status.hostIP === "" ? undefined : readIp(r, at(loc, "status", "hostIP"), "`status.hostIP`");
  if (!containers || nodeName === undefined || !ips || !hostPorts) return;
  if (status.hostIP != null && status.hostIP !== "" && hostIP === undefined) return;
  if (phase === "Succeeded" || phase === "Failed") {
    out.skipped.finished++;
    return;
  }
  if (ips.ips.length === 0) {
    out.skipped.noIp++;
    return;
  }
  out.workloads.push({
    workload: {
      name: meta.name,
      namespace: meta.namespace ?? "",
      labels: meta.labels,
      images: [...new Set(containers.images)],
      containers: containers.names,
      node: nodeName,
      ips: ips.ips,
      // Its IPs are its node's; merge keeps each for the first host-network pod listing it.
      ...(hostNetwork ? { hostNetwork: true } : {}),
      ...(hostPorts.ports.length > 0 ? { hostPorts: hostPorts.ports, ...(hostIP !== undefined ? { hostIP } : {}) } : {}),
    },
    ...(meta.owner ? { owner: meta.owner } : {}),
    loc,
    ipLocs: ips.locs,
    ...(hostPorts.ports.length > 0 ? { hostPortLocs: hostPorts.locs } : {}),
  });
}

function readContainers(sloc: Loc, spec: Record<string, unknown>, r: Reader): { names: string[]; images: string[] } | undefined {
  const help = "a pod spec lists `containers: [{name, image}]`";
  if (!r.required(spec, sloc, "containers", "pod spec", help)) return undefined;
  const list = r.list(at(sloc, "containers"), "`spec.containers`", help);
  if (!list) return undefined;
  const names: string[] = [];
  const images: string[] = [];
  let ok = true;
  list.forEach((_, i) => {
    const cloc = at(sloc, "containers", i);
    const c = r.map(cloc, "a container", help);
    if (!c || !r.required(c, cloc, "name", "container", help)) {
      ok = false;
      return;
    }
    const name = r.string(at(cloc, "name"), "`name`", help, { nonEmpty: true });
    const image = c.image == null ? undefined : r.string(at(cloc, "image"), "`image`", help);
    if (name === undefined || (c.image != null && image === undefined)) ok = false;
    if (name !== undefined) names.push(name);
    if (image !== undefined) images.push(image);
  });
  return ok ? { names, images } : undefined;
}

/** `status.podIPs` (dual stack) plus `status.podIP`, which repeats the first of them. */
function readPodIps(stloc: Loc, status: Record<string, unknown>, r: Reader): { ips: string[]; locs: Loc[] } | undefined {
  const ips: string[] = [];
  const locs: Loc[] = [];
  let ok = true;
  const add = (l: Loc): void => {
    const ip = readIp(r, l, "a pod IP");
    if (ip === undefined) ok = false;
    else if (!ips.includes(ip)) {
      ips.push(ip);
      locs.push(l);
    }
  };
  if (status.podIPs != null) {
    const list = r.list(at(stloc, "podIPs"), "`status.podIPs`", "`podIPs` is a list of `{ip: …}`");
    if (!list) ok = false;
    list?.forEach((entry, i) => {
      const l = at(stloc, "podIPs", i);
      if (!isRecord(entry)) {
        r.typeError(l, "each entry of `status.podIPs`", "a mapping", "`podIPs` is a list of `{ip: …}`");
        ok = false;
      } else if (r.required(entry, l, "ip", "pod IP entry", "`podIPs` is a list of `{ip: …}`")) add(at(l, "ip"));
      else ok = false;
    });
  }
  if (status.podIP != null) add(at(stloc, "podIP"));
  return ok ? { ips, locs } : undefined;
}

function readNode(o: Record<string, unknown>, loc: Loc, r: Reader, out: Collected): void {
  const meta = readMeta(loc, r, "node", false);
  const status = o.status == null ? {} : r.map(at(loc, "status"), "`status`", "a node `status` is a mapping");
  if (!meta || !status) return;
  const ips: string[] = [];
  const locs: Loc[] = [];
  const aloc = at(loc, "status", "addresses");
  const list = status.addresses == null ? [] : r.list(aloc, "`status.addresses`", "a list of `{type, address}`");
  if (!list) return;
  list.forEach((entry, i) => {
    const l = at(aloc, i);
    if (!isRecord(entry)) return r.typeError(l, "a node address", "a mapping", "a list of `{type, address}`");
    if (entry.type !== "InternalIP" && entry.type !== "ExternalIP") return; // Hostname, InternalDNS…
    if (!r.required(entry, l, "address", "node address", "each address has `type` and `address`")) return;
    const ip = readIp(r, at(l, "address"), "a node address");
    if (ip !== undefined && !ips.includes(ip)) {
      ips.push(ip);
      locs.push(at(l, "address"));
    }
  });
  if (ips.length === 0) {
    r.sink.warn(INVENTORY.noAddress, `node \`${meta.name}\` has no InternalIP or ExternalIP address`, at(loc, "metadata", "name"), {
      label: "left out of the inventory",
      help: "traffic from this node's addresses will count as external; export the node again once it has addresses",
    });
    return;
  }
  out.nodes.push({ node: { name: meta.name, ips }, loc, ipLocs: locs });
}

function readNamespace(loc: Loc, r: Reader, out: Collected): void {
  const meta = readMeta(loc, r, "namespace", false);
  if (meta) out.namespaces.push({ name: meta.name, labels: meta.labels, loc });
}

/** Services and EndpointSlices: services.ts. */
function readService(o: Record<string, unknown>, loc: Loc, r: Reader, out: Collected): void {
  const meta = readMeta(loc, r, "service", true);
  if (meta) readKubectlService(o, loc, meta, r, out);
}

function readSlice(o: Record<string, unknown>, loc: Loc, r: Reader, out: Collected): void {
  const meta = readMeta(loc, r, "EndpointSlice", true);
  if (meta) readEndpointSlice(o, loc, meta, r, out);
}

function readOwnerLink(kind: string, loc: Loc, r: Reader, out: Collected): void {
  const meta = readMeta(loc, r, kind, true);
  if (meta?.owner && meta.namespace !== undefined) out.owners.set(ownerKey(meta.namespace, kind, meta.name), meta.owner);
}
