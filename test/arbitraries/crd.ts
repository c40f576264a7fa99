/**
 * fast-check arbitrary of NeuVector CRD YAML as users and NeuVector write it: NvSecurityRule and
 * NvClusterSecurityRule documents with service, custom, address and built-in groups (criteria in
 * NeuVector's spelling: `domain`, `ns:<label>`, pod-label keys, `service = <svc>.*`), policy modes,
 * ingress and egress rules with NeuVector application names in any case, port strings in every
 * accepted spelling, and priorities; written as a `---` stream, a `kind: List` or a bare sequence.
 * Pools are test/arbitraries/model.ts's, so generated policies meet the generated inventories.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { CRD_APP_NAMES } from "../../compiler/crd/types.js";
import { NAMESPACES, SERVICES } from "./model.js";

interface Criterion {
  key: string;
  op: string;
  value: string;
}

const ADDRESSES = ["10.0.0.0/24", "10.0.0.5", "10.0.0.1-10.0.0.6", "192.0.2.0/25", "8.8.8.8", "fd00::/120", "0.0.0.0/0", "db.example.com", "*.example.com", "vh:shop.example.com", "vh:*.other.org"];

const criterionArb: fc.Arbitrary<Criterion> = fc.oneof(
  fc.record({ key: fc.constantFrom("domain", "namespace"), op: fc.constantFrom("=", "!="), value: fc.constantFrom(...NAMESPACES, "shop*", "any") }),
  fc.record({ key: fc.constant("service"), op: fc.constantFrom("=", "!="), value: fc.constantFrom(...SERVICES.map((s) => `${s}.*`), "w*.*", "any") }),
  fc.record({ key: fc.constant("service"), op: fc.constant("prefix"), value: fc.constantFrom("we", "a", "d") }),
  fc.record({ key: fc.constantFrom("app", "tier", "env", "ns:team", "ns:env"), op: fc.constantFrom("=", "!=", "contains", "prefix", "regex", "!regex"), value: fc.constantFrom("web", "front", "prod", "b") }),
  fc.record({ key: fc.constantFrom("image", "node", "container"), op: fc.constantFrom("=", "!=", "prefix", "regex"), value: fc.constantFrom("nginx", "node-1", "redis:7", "side") }),
);

/** A custom group: either workload criteria or address entries (NeuVector cannot mix them). */
const customArb = fc.oneof(
  fc.array(criterionArb, { minLength: 1, maxLength: 3 }),
  fc.uniqueArray(fc.constantFrom(...ADDRESSES), { minLength: 1, maxLength: 3 }).map((as) => as.map((value) => ({ key: "address", op: "=", value }))),
);

const serviceNames = SERVICES.flatMap((s) => NAMESPACES.map((n) => `nv.${s}.${n}`));
const APP_NAMES = [...CRD_APP_NAMES.values()];

const portsArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom("any", "", "tcp/80", "TCP/443", "udp/53", "icmp", "tcp/any", "udp/any", "8080", "8000-8443", "tcp/80,udp/53", "tcp/22 tcp/8080-8090", "icmp, tcp/5432"),
);
const appsArb = fc.oneof(
  fc.constant(undefined),
  fc.uniqueArray(fc.constantFrom(...APP_NAMES.slice(0, 12), "GRPC", "SSL", "any"), { maxLength: 2 }).chain((as) =>
    fc.tuple(...as.map((a) => fc.constantFrom(a, a.toLowerCase(), a.toUpperCase()))),
  ),
);

/** A stream of CRD documents as YAML text. */
export function arbCrdYaml(): fc.Arbitrary<string> {
  return fc
    .record({
      customs: fc.array(customArb, { minLength: 1, maxLength: 4 }),
      docs: fc.array(
        fc.record({
          target: fc.nat(),
          mode: fc.constantFrom(undefined, "Discover", "Monitor", "Protect", "N/A"),
          rules: fc.array(
            fc.record({ ingress: fc.boolean(), other: fc.nat(), action: fc.constantFrom("allow", "deny"), ports: portsArb, apps: appsArb, priority: fc.option(fc.nat({ max: 3 }), { nil: undefined }) }),
            { maxLength: 5 },
          ),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      form: fc.constantFrom("stream", "list", "sequence"),
    })
    .map(({ customs, docs, form }) => {
      const pool: { name: string; criteria: Criterion[] }[] = [
        ...["external", "nodes", "containers"].map((name) => ({ name, criteria: [] })),
        ...serviceNames.map((name) => {
          const [, svc, ns] = name.split(".");
          return { name, criteria: [{ key: "service", op: "=", value: `${svc}.${ns}` }, { key: "domain", op: "=", value: ns ?? "" }] };
        }),
        // NeuVector ANDs `domain` and `namespace` where nvp has one key; the importer refuses the mix.
        ...customs.map((cs, i) => ({ name: `custom-${i}`, criteria: cs.some((c) => c.key === "domain") ? cs.map((c) => (c.key === "namespace" ? { ...c, key: "domain" } : c)) : cs })),
      ];
      const pick = (n: number) => pool[n % pool.length]!;
      const modes = new Map<string, (typeof docs)[number]["mode"]>();
      const objects = docs.map((d) => {
        const t = pick(d.target);
        // One group, one mode: a second document naming the target repeats the first one's.
        if (!modes.has(t.name)) modes.set(t.name, d.mode);
        d.mode = modes.get(t.name);
        const isService = t.name.startsWith("nv.");
        const spec: Record<string, unknown> = { target: { selector: { name: t.name, criteria: t.criteria } } };
        if (d.mode !== undefined && (isService || d.mode === "N/A")) (spec["target"] as Record<string, unknown>)["policymode"] = d.mode;
        const ingress: unknown[] = [];
        const egress: unknown[] = [];
        d.rules.forEach((r, i) => {
          const o = pick(r.other);
          const rule: Record<string, unknown> = { name: `${t.name}-${r.ingress ? "ingress" : "egress"}-${i}`, action: r.action, selector: { name: o.name, criteria: o.criteria } };
          if (r.apps !== undefined) rule["applications"] = r.apps;
          if (r.ports !== undefined) rule["ports"] = r.ports;
          if (r.priority !== undefined) rule["priority"] = r.priority;
          (r.ingress ? ingress : egress).push(rule);
        });
        spec["ingress"] = ingress;
        spec["egress"] = egress;
        const ns = isService ? t.name.split(".")[2] : undefined;
        return { apiVersion: "neuvector.com/v1", kind: ns ? "NvSecurityRule" : "NvClusterSecurityRule", metadata: { name: t.name.toLowerCase(), ...(ns ? { namespace: ns } : {}) }, spec };
      });
      const opts = { aliasDuplicateObjects: false };
      if (form === "list") return stringify({ apiVersion: "v1", kind: "List", items: objects }, opts);
      if (form === "sequence") return stringify(objects, opts);
      return objects.map((o) => stringify(o, opts)).join("---\n");
    });
}
