/**
 * `nvp import`: NeuVector's documented CRD samples, every input form, criteria operators, name
 * referral, priority layering, application names, and errors that point at file:line:column.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { importCrds } from "../../compiler/crd/import.js";
import { checkText, importOk, ROOT } from "./helpers.js";

const DOCS = join(ROOT, "test/fixtures/crd/docs");
const read = (f: string) => readFileSync(join(DOCS, f), "utf8");
const crd = (text: string, name = "in.yaml") => importCrds([{ name, text }]);
const where = (r: ReturnType<typeof crd>) => r.diagnostics.map((d) => `${d.code} ${d.span?.start.line}:${d.span?.start.col} ${d.message}`);
const rulesOf = (text: string) => text.split("\n").filter((l) => l.startsWith("rule ") || l.startsWith("group ") || l.startsWith("service "));

const doc = (name: string, spec: string, kind = "NvSecurityRule") =>
  `apiVersion: neuvector.com/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: shop\nspec:\n${spec}`;
const target = (name: string, mode = "") =>
  `  target:\n    selector:\n      name: ${name}\n${mode ? `    policymode: ${mode}\n` : ""}`;

describe("NeuVector's documented samples (docs/05.policy/13.usingcrd)", () => {
  // Every YAML block of the page that holds a NeuVector object; the outcome of each, by file.
  const expected: Record<string, string> = {
    "usingcrd-line93.yaml": "5 rules",
    "usingcrd-line324.yaml": "0 rules", // NvAdmissionControlSecurityRule: warned, not imported
    "usingcrd-line532.yaml": "1 rules",
    "usingcrd-line566.yaml": "1 rules",
    "usingcrd-line667.yaml": "1 rules",
    "usingcrd-line730.yaml": "NV6002 2:3", // an excerpt: the page left out `apiVersion`
    "usingcrd-line757.yaml": "NV6001 33:1", // the page's YAML is mis-indented
    "usingcrd-line836.yaml": "2 rules",
  };
  test("every sample on the page is here", () => {
    expect(readdirSync(DOCS).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const [file, outcome] of Object.entries(expected)) {
    test(`${file}: ${outcome}`, () => {
      const r = crd(read(file), file);
      if (outcome.endsWith("rules")) {
        expect(r.text, where(r).join("\n")).toBeDefined();
        expect(`${r.rules.length} rules`).toBe(outcome);
        checkText(r.text!);
      } else {
        expect(r.text).toBeUndefined();
        expect(where(r)[0]).toMatch(new RegExp(`^${outcome} `));
      }
    });
  }

  test("the sample the reference notes quote: egress deny with a Protect target, process rules kept", () => {
    const r = importOk([{ name: "nv.yaml", text: read("usingcrd-line836.yaml") }]);
    expect(rulesOf(r.text)).toEqual([
      "service alpine.default = nv.alpine.default { mode protect }",
      'rule 10 deny external -> containers app SSH port tcp/22 "containers-ingress-0"',
      'rule 20 deny nv.alpine.default -> external app HTTP port tcp/80 "external-egress-0"',
    ]);
    expect(r.kept).toContain("path: /bin/scp");
    expect(r.kept).toContain("path: /bin/ssh");
  });
});

describe("input forms", () => {
  const one = doc("web", `${target("nv.web.shop", "Protect")}  ingress:\n    - name: r0\n      action: allow\n      selector: { name: external }\n      ports: tcp/443\n`);
  const two = doc("api", `${target("nv.api.shop")}  egress:\n    - name: r1\n      action: deny\n      selector: { name: nv.db.shop }\n`);
  const indent = (s: string) => s.split("\n").map((l, i) => (l ? `${i === 0 ? "- " : "  "}${l}` : l)).join("\n");
  const forms = {
    stream: `${one}---\n${two}`,
    list: `apiVersion: v1\nkind: List\nitems:\n${indent(one)}\n${indent(two)}`,
    sequence: `${indent(one)}\n${indent(two)}`,
  };
  test.each(Object.entries(forms))("%s gives the same policy", (_name, text) => {
    expect(rulesOf(importOk([{ name: "x.yaml", text }]).text)).toEqual([
      "service web.shop = nv.web.shop { mode protect }",
      'rule 10 allow external -> nv.web.shop port tcp/443 "r0"',
      'rule 20 deny nv.api.shop -> nv.db.shop "r1"',
    ]);
  });
});

describe("criteria, names and applications", () => {
  test("every operator and key maps to nvp's criteria", () => {
    const criteria = [
      ["domain", "=", "shop"], ["image", "!=", "evil/*"], ["node", "prefix", "node-"], ["container", "contains", "side"],
      ["app", "regex", "^web"], ["ns:team", "!regex", "^ops$"], ["tier", "regexContainsAny", "front"], ["service", "=", "web.*"],
    ];
    const sel = `      selector:\n        name: mixed\n        criteria:\n${criteria.map(([k, o, v]) => `          - { key: "${k}", op: "${o}", value: "${v}" }`).join("\n")}\n`;
    const r = importOk([{ name: "c.yaml", text: doc("t", `${target("nv.web.shop")}  ingress:\n    - name: r\n      action: allow\n${sel}`) }]);
    expect(rulesOf(r.text)[0]).toBe(
      'group mixed { namespace = "shop"; image != "evil/*"; node prefix "node-"; container contains "side"; label app regex "^web"; ns-label team !regex "^ops\\$"; label tier regex "front"; service = "web" }',
    );
  });

  test("service values: `<service>.<namespace>` alone splits, `prefix` stays, a service regex is refused", () => {
    const group = (crit: string) => importCrds([{ name: "s.yaml", text: doc("t", `${target("nv.web.shop")}  ingress:\n    - name: r\n      action: allow\n      selector:\n        name: g\n        criteria:\n${crit}`) }]);
    expect(rulesOf(group('          - { key: service, op: "=", value: "api.shop" }\n').text!)[0]).toBe('group g { service = "api"; namespace = "shop" }');
    expect(rulesOf(group('          - { key: service, op: prefix, value: "ap" }\n').text!)[0]).toBe('group g { service prefix "ap" }');
    expect(rulesOf(group('          - { key: service, op: regex, value: "^[^.]*pi" }\n').text!)[0]).toBe('group g { service contains "pi" }');
    const bad = group('          - { key: service, op: regex, value: "^a.*b$" }\n');
    expect(bad.text).toBeUndefined();
    expect(where(bad)).toEqual(["NV6105 16:13 criterion `service regex ^a.*b$` has no nvp equivalent"]);
  });

  test("address groups, `vh:` and renamed groups", () => {
    const r = importOk([{ name: "a.yaml", text: doc("t", `${target("nv.web.shop")}  egress:\n    - name: r\n      action: allow\n      selector:\n        name: "1:db"\n        criteria:\n          - { key: address, op: "=", value: "10.0.0.0/8" }\n          - { key: address, op: "=", value: "vh:*.shop.example.com" }\n          - { key: address, op: "=", value: "db.example.com" }\n`) }]);
    expect(rulesOf(r.text)).toEqual(['group g-1-db { address 10.0.0.0/8, vh:"*.shop.example.com", "db.example.com" }', 'rule 10 allow nv.web.shop -> g-1-db "r"']);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NV6108"]);
  });

  test("NeuVector's application names, GRPC and SSL included, any case", () => {
    const r = importOk([{ name: "p.yaml", text: doc("t", `${target("nv.web.shop")}  ingress:\n    - name: r\n      action: allow\n      selector: { name: containers }\n      applications: [GRPC, ssl, Oracle, MSSQL, echo]\n      ports: "TCP/80 udp/53-60,icmp  8080"\n`) }]);
    expect(rulesOf(r.text)[0]).toBe('rule 10 allow containers -> nv.web.shop apps gRPC, SSL, TNS, TDS, ECHO ports tcp/80, udp/53-60, icmp, tcp/8080 "r"');
  });

  test("name_referral takes the NvGroupDefinition's criteria; a missing one is an error", () => {
    const def = "apiVersion: neuvector.com/v1\nkind: NvGroupDefinition\nmetadata: { name: dbs, namespace: neuvector }\nspec:\n  selector:\n    name: dbs\n    criteria: [{ key: image, op: prefix, value: postgres }]\n";
    const use = doc("t", `${target("nv.web.shop")}  egress:\n    - name: r\n      action: allow\n      selector: { name: dbs, name_referral: true }\n`);
    expect(rulesOf(importOk([{ name: "d.yaml", text: `${def}---\n${use}` }]).text)).toEqual(['group dbs { image prefix "postgres" }', 'rule 10 allow nv.web.shop -> dbs "r"']);
    expect(where(crd(use))).toEqual(["NV6106 13:17 `dbs` refers to a group no document defines"]);
  });

  test("priority layers rules across documents: higher first, then input order", () => {
    const rule = (n: string, p?: number) => `    - name: ${n}\n      action: allow\n      selector: { name: external }\n${p === undefined ? "" : `      priority: ${p}\n`}`;
    const a = doc("a", `${target("nv.a.shop")}  ingress:\n${rule("a0")}${rule("a1", 5)}`);
    const b = doc("b", `${target("nv.b.shop")}  ingress:\n${rule("b0", 5)}${rule("b1", 9)}`);
    const names = importOk([{ name: "p.yaml", text: `${a}---\n${b}` }]).rules.map((r) => r.name);
    expect(names).toEqual(["b1", "a1", "b0", "a0"]);
  });
});

describe("errors point at the YAML", () => {
  test("bad values, duplicates, conflicts and unknown fields, each at its line and column", () => {
    const a = doc("web", `${target("custom", "Protect")}  ingress:\n    - name: r\n      action: permit\n      selector: { name: g, criteria: [{ key: image, op: "=", value: a }] }\n      ports: tcp/99999\n      applications: [Gopher]\n      color: blue\n    - name: r\n      action: allow\n      selector: { name: g, criteria: [{ key: image, op: "=", value: b }] }\n`);
    expect(where(crd(a))).toEqual([
      "NV6104 10:17 target `custom` cannot take a policy mode",
      "NV6101 13:15 rule `r`: action `permit` is not `allow` or `deny`",
      "NV6101 15:14 rule `r`: `tcp/99999`: ports are 0..65535 with the low end first",
      "NV6101 16:21 rule `r`: `Gopher` is not an application NeuVector's CRD knows (HTTP, SSL, SSH, DNS, DHCP, NTP, TFTP, Echo, RTSP, SIP, MySQL, Redis, ZooKeeper, Cassandra, MongoDB, PostgreSQL, Kafka, Couchbase, Wordpress, ActiveMQ, CouchDB, ElasticSearch, Memcached, RabbitMQ, Radius, VoltDB, Consul, Syslog, etcd, Spark, Apache, nginx, Jetty, Oracle, MSSQL, GRPC)",
      "NV6005 17:7 unknown field `color` in `document.spec.ingress[0]` is ignored",
      "NV6102 18:13 rule name `r` is used twice in this document",
      "NV6103 20:17 group `g` is defined twice with different criteria",
    ]);
  });

  test("YAML syntax, wrong types, missing fields and foreign kinds", () => {
    expect(where(crd("a: [1, 2\n"))[0]).toMatch(/^NV6001 2:1 /);
    expect(where(crd(doc("x", "  target: 3\n")))).toEqual(["NV6004 7:11 `document.spec.target` must be a mapping"]);
    expect(where(crd(doc("x", "  ingress: []\n")))).toEqual(["NV6003 7:3 `document.spec` has no `target`"]);
    expect(where(crd("apiVersion: v1\nkind: ConfigMap\n"))).toEqual(["NV6002 2:7 kind `ConfigMap` is not a NeuVector network CRD"]);
  });
});
