/**
 * Kubernetes Services in the inventory (docs/formats.md "Services"): nvp's `services:` entries,
 * kubectl `Service` objects and `EndpointSlice` objects. A Service's cluster IPs are what
 * NeuVector puts in its service-IP group `nv.ip.<name>.<namespace>` (controller/resource
 * kubernetes_resource.go `xlateService` → controller/cache/group.go `createServiceIPGroup`);
 * externalIPs feed the CVE-2020-8554 check; EndpointSlices name the backends.
 */
import { INVENTORY } from "../../common/codes/input.js";
import { at, isRecord, type Loc, type Reader } from "../input/reader.js";
import { readIp, readIpList, type Collected } from "./collect.js";

const SERVICE_KEYS = ["name", "namespace", "ips", "externalIps", "endpoints"];
/** The label that ties an EndpointSlice to its Service (discovery.k8s.io/v1). */
export const SLICE_SERVICE_LABEL = "kubernetes.io/service-name";

/** nvp's `services:` list. */
export function readOwnServices(loc: Loc, r: Reader, out: Collected): void {
  const list = r.list(loc, "`services`", "write `services:` as a list of `{name, namespace, ips}`");
  list?.forEach((_, i) => readOwnService(at(loc, i), r, out));
}

function readOwnService(loc: Loc, r: Reader, out: Collected): void {
  const help = "write each service as `{name: api, namespace: shop, ips: [10.96.0.10]}`";
  const s = r.map(loc, "a service", help);
  if (!s) return;
  r.unknownKeys(s, loc, SERVICE_KEYS, "a service", "warning");
  const req = ["name", "namespace"].map((k) => r.required(s, loc, k, "service", `add \`${k}:\` to this service`));
  const name = s.name == null ? undefined : r.string(at(loc, "name"), "`name`", help, { nonEmpty: true });
  const namespace = s.namespace == null ? undefined : r.string(at(loc, "namespace"), "`namespace`", help, { nonEmpty: true });
  const ips = s.ips == null ? { ips: [], locs: [], ok: true } : readIpList(r, at(loc, "ips"), "`ips`");
  const endpoints = s.endpoints == null ? { ips: [], locs: [], ok: true } : readIpList(r, at(loc, "endpoints"), "`endpoints`");
  const ext = s.externalIps == null ? undefined : readIpList(r, at(loc, "externalIps"), "`externalIps`");
  ext?.ips.forEach((ip, i) => out.serviceExternalIps.push({ ip, loc: ext.locs[i] as Loc }));
  if (req.includes(false) || name === undefined || namespace === undefined || !ips?.ok || !endpoints?.ok) return;
  out.services.push({ name, namespace, ips: ips.ips, endpoints: endpoints.ips, loc, ipLocs: ips.locs });
}

/**
 * A kubectl Service: `spec.clusterIPs` / `spec.clusterIP` (a headless `None` has none) and
 * `spec.externalIPs`. NeuVector's xlateService reads `spec.clusterIP`; dual-stack clusters list
 * the second family in `clusterIPs`, which nvp keeps too.
 */
export function readKubectlService(o: Record<string, unknown>, loc: Loc, meta: { name: string; namespace?: string }, r: Reader, out: Collected): void {
  const spec = o.spec == null ? {} : r.map(at(loc, "spec"), "`spec`", "a service `spec` is a mapping");
  if (!spec) return;
  const sloc = at(loc, "spec");
  const ips: string[] = [];
  const ipLocs: Loc[] = [];
  const addCluster = (l: Loc): void => {
    const v = r.string(l, "a cluster IP", "a cluster IP is an address or `None`");
    if (v === undefined || v === "" || v === "None") return;
    const ip = readIp(r, l, "a cluster IP");
    if (ip !== undefined && !ips.includes(ip)) {
      ips.push(ip);
      ipLocs.push(l);
    }
  };
  if (spec.clusterIPs != null) r.list(at(sloc, "clusterIPs"), "`spec.clusterIPs`", "a list of addresses")?.forEach((_, i) => addCluster(at(sloc, "clusterIPs", i)));
  if (spec.clusterIP != null) addCluster(at(sloc, "clusterIP"));
  if (spec.externalIPs != null) {
    r.list(at(sloc, "externalIPs"), "`spec.externalIPs`", "a list of addresses")?.forEach((_, i) => {
      const l = at(sloc, "externalIPs", i);
      const ip = readIp(r, l, "an external IP");
      if (ip !== undefined) out.serviceExternalIps.push({ ip, loc: l });
    });
  }
  if (ips.length > 0) out.services.push({ name: meta.name, namespace: meta.namespace ?? "", ips, endpoints: [], loc, ipLocs });
}

/**
 * A kubectl EndpointSlice: `endpoints[].addresses`, for the Service its `kubernetes.io/service-name`
 * label names. Endpoints reported not ready still count: they are the Service's backends.
 */
export function readEndpointSlice(o: Record<string, unknown>, loc: Loc, meta: { namespace?: string; labels: Record<string, string> }, r: Reader, out: Collected): void {
  const service = meta.labels[SLICE_SERVICE_LABEL];
  if (service === undefined) {
    r.sink.warn(INVENTORY.missing, `EndpointSlice has no \`${SLICE_SERVICE_LABEL}\` label`, at(loc, "metadata"), {
      label: "not tied to a Service",
      help: "its addresses are left out; Kubernetes sets this label on every slice a Service owns",
    });
    return;
  }
  const help = "an EndpointSlice lists `endpoints: [{addresses: [...]}]`";
  const ips: string[] = [];
  const eloc = at(loc, "endpoints");
  const list = o.endpoints == null ? [] : r.list(eloc, "`endpoints`", help);
  list?.forEach((entry, i) => {
    const l = at(eloc, i);
    if (!isRecord(entry)) return r.typeError(l, "an endpoint", "a mapping", help);
    if (entry.addresses == null) return;
    const addrs = readIpList(r, at(l, "addresses"), "`addresses`");
    for (const ip of addrs?.ips ?? []) if (!ips.includes(ip)) ips.push(ip);
  });
  out.slices.push({ service, namespace: meta.namespace ?? "", ips });
}
