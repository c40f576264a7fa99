import { describe, expect, test } from "vitest";
import { parseIp } from "../../common/ip.js";
import { check, expectClean } from "./helpers.js";

describe("the PolicyModel", () => {
  const SHOP = `policy shop
param ns = "shop-dev"

service web = nv.web.\${ns} { mode protect }
service api = nv.api.\${ns} { mode monitor }
group frontends { domain = ns; label tier = "front" }
group db-ext { address 10.20.0.0/16, 10.30.1.5-10.30.1.9, "DB.internal.example.com", "*.rds.example.com" }
group shop   { address vh:shop.example.com }

rule 30 deny  external -> api
rule 10 allow web -> api     app http          port tcp/8080
rule 20 allow api -> db-ext  app postgresql    port tcp/5432   "locked to 5432 for QA"
rule 25 allow frontends -> shop, nv.db.\${ns} learned
rule 40 allow nodes, containers -> api port any
settings { xff on }
`;

  test("the design example builds exactly as compiler/model.ts documents", () => {
    const r = check(SHOP);
    expectClean(r);
    const m = r.model!;
    expect(m.name).toBe("shop");
    expect(m.params).toEqual({ ns: "shop-dev" });
    const strip = <T extends { span?: unknown }>(x: T) => {
      const { span, ...rest } = x;
      void span;
      return rest;
    };
    expect(m.groups.map(strip)).toEqual([
      { index: 0, name: "web", kind: "service", service: { service: "web", namespace: "shop-dev" }, mode: "protect" },
      { index: 1, name: "api", kind: "service", service: { service: "api", namespace: "shop-dev" }, mode: "monitor" },
      {
        index: 2,
        name: "frontends",
        kind: "workload",
        criteria: [
          { key: "namespace", op: "=", value: "shop-dev" },
          { key: "label", labelKey: "tier", op: "=", value: "front" },
        ],
      },
      {
        index: 3,
        name: "db-ext",
        kind: "address",
        addresses: [
          { kind: "ip", lo: parseIp("10.20.0.0"), hi: parseIp("10.20.255.255"), text: "10.20.0.0/16" },
          { kind: "ip", lo: parseIp("10.30.1.5"), hi: parseIp("10.30.1.9"), text: "10.30.1.5-10.30.1.9" },
          { kind: "dns", name: "db.internal.example.com", wildcard: false, text: "DB.internal.example.com" },
          { kind: "dns", name: "rds.example.com", wildcard: true, text: "*.rds.example.com" },
        ],
      },
      { index: 4, name: "shop", kind: "address", addresses: [{ kind: "vh", name: "shop.example.com", wildcard: false, text: "vh:shop.example.com" }] },
      // Implicit groups follow, in evaluation order of first reference: rule 10 names none, 20 none…
      { index: 5, name: "nv.db.shop-dev", kind: "service", service: { service: "db", namespace: "shop-dev" } },
      { index: 6, name: "external", kind: "builtin", builtin: "external" },
      { index: 7, name: "nodes", kind: "builtin", builtin: "nodes" },
      { index: 8, name: "containers", kind: "builtin", builtin: "containers" },
    ]);
    expect(m.rules.map(strip)).toEqual([
      { id: 10, action: "allow", learned: false, from: [0], to: [1], apps: [1001], ports: [{ proto: "tcp", lo: 8080, hi: 8080 }] },
      { id: 20, action: "allow", learned: false, from: [1], to: [3], apps: [2006], ports: [{ proto: "tcp", lo: 5432, hi: 5432 }], comment: "locked to 5432 for QA" },
      { id: 25, action: "allow", learned: true, from: [2], to: [4, 5], apps: [], ports: [] },
      { id: 30, action: "deny", learned: false, from: [6], to: [1], apps: [], ports: [] },
      { id: 40, action: "allow", learned: false, from: [7, 8], to: [1], apps: [], ports: [{ proto: "any", lo: 0, hi: 65535 }] },
    ]);
    const { extra, ...core } = m.settings;
    expect(core).toEqual({ xff: true, contention: "basic", defaultMode: "discover", nodesMode: "discover" });
    expect(extra["syn-flood.threshold"]).toBe("800");
    expect(m.rules[0]!.span!.start.line).toBe(11);
  });

  test("ports normalize: bare N is tcp, tcp/any is the whole range, icmp, merged and sorted", () => {
    const r = check("rule 1 allow nodes -> nodes port 8080, udp/53, icmp, tcp/8081-8090, 22, udp/any");
    expect(r.model!.rules[0]!.ports).toEqual([
      { proto: "icmp", lo: 0, hi: 65535 },
      { proto: "tcp", lo: 22, hi: 22 },
      { proto: "tcp", lo: 8080, hi: 8090 },
      { proto: "udp", lo: 0, hi: 65535 },
    ]);
    expect(check("rule 1 allow nodes -> nodes port tcp/any").model!.rules[0]!.ports).toEqual([{ proto: "tcp", lo: 0, hi: 65535 }]);
  });

  test("apps are sorted unique ids; `any` means no restriction", () => {
    expect(check("rule 1 allow nodes -> nodes app redis, HTTP, redis").model!.rules[0]!.apps).toEqual([1001, 2002]);
    expect(check("rule 1 allow nodes -> nodes app any").model!.rules[0]!.apps).toEqual([]);
  });

  test("criteria: domain folds into namespace, operators kept, labels keyed", () => {
    const r = check('group g { domain = "a"; namespace != "b"; image prefix "reg/"; container contains "x"; node regex "^n"; service !regex "^t"; ns-label team = "t" }\nrule 1 allow g -> nodes');
    expect(r.model!.groups[0]!.criteria).toEqual([
      { key: "namespace", op: "=", value: "a" },
      { key: "namespace", op: "!=", value: "b" },
      { key: "image", op: "prefix", value: "reg/" },
      { key: "container", op: "contains", value: "x" },
      { key: "node", op: "regex", value: "^n" },
      { key: "service", op: "!regex", value: "^t" },
      { key: "ns-label", labelKey: "team", op: "=", value: "t" },
    ]);
  });

  test("IPv6 entries live in the same 128-bit space", () => {
    const r = check("group g { address fd00::/8, ::1, 2001:db8::1-2001:db8::ff }\nrule 1 allow g -> nodes");
    expect(r.model!.groups[0]!.addresses).toEqual([
      { kind: "ip", lo: parseIp("fd00::"), hi: parseIp("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), text: "fd00::/8" },
      { kind: "ip", lo: 1n, hi: 1n, text: "::1" },
      { kind: "ip", lo: parseIp("2001:db8::1"), hi: parseIp("2001:db8::ff"), text: "2001:db8::1-2001:db8::ff" },
    ]);
  });

  test("no model when there is an error; warnings do not block it", () => {
    expect(check("rule 1 allow nowhere -> nodes").model).toBeUndefined();
    const r = check('group unused { label app = "x" }\nrule 1 allow nodes -> nodes');
    expect(r.diagnostics.map((d) => d.severity)).toEqual(["warning"]);
    expect(r.model).toBeDefined();
  });

  test("the model does not depend on the order of rules in the files", () => {
    const a = check("rule 2 allow nodes -> external\nrule 1 allow containers -> nodes").model!;
    const b = check("rule 1 allow containers -> nodes\nrule 2 allow nodes -> external").model!;
    const noSpans = (x: unknown) => JSON.stringify(x, (k, v) => (k === "span" ? undefined : v));
    expect(noSpans(a)).toBe(noSpans(b));
  });
});
