/** S2 and S6: built-in, service and address groups, DNS names, wildcards and vh: three-valued membership. */
import { describe, expect, test } from "vitest";
import { memberships, resolveEndpoint } from "../../compiler/reference/index.js";
import { address, builtin, crit, criteria, inventory, model, service, workload } from "./build.js";

const inv = inventory({
  workloads: [workload("web-1", ["10.0.0.5", "fd00::5"], { namespace: "shop", service: "web", labels: { app: "web" } })],
  nodes: [{ name: "n1", ips: ["10.0.1.1"] }],
  internalSubnets: ["10.0.2.0/24"],
});
const dns = {
  "db.example.com": ["203.0.113.10"],
  "a.b.example.com": ["203.0.113.11"],
  "example.com": ["203.0.113.12"],
  "Shop.Example.com.": ["203.0.113.13", "10.0.0.5"],
  "x.rds.example.com": ["203.0.113.10"],
};
const ctx = { inventory: inv, dns };

const m = model(
  [
    builtin("any"),
    builtin("external"),
    builtin("nodes"),
    builtin("containers"),
    service("web", "shop"),
    service("web", "other"),
    criteria("web-label", crit("label", "=", "web", "app")),
    address("nets", "10.0.0.0/24", "10.0.2.7-10.0.2.9", "fd00::/120"),
    address("db", "db.example.com"),
    address("wild", "*.example.com"),
    address("wild-b", "*.b.example.com"),
    address("shop-vh", "vh:shop.example.com"),
    address("any-vh", "vh:*.example.com"),
  ],
  [],
);

function groupsOf(ip: string, host?: string): Record<string, string> {
  const ms = memberships(m, ctx, ip, resolveEndpoint(inv, ip), host);
  return Object.fromEntries([...ms].map(([i, v]) => [m.groups[i]?.name ?? "?", v]));
}

describe("memberships", () => {
  test("a workload: any, containers, its service group, criteria groups, address groups naming its IP", () => {
    // 10.0.0.5 is also a resolution of shop.example.com, hence `wild`.
    expect(groupsOf("10.0.0.5", "")).toEqual({ any: "yes", containers: "yes", "nv.web.shop": "yes", "web-label": "yes", nets: "yes", wild: "yes" });
  });
  test("the same workload over IPv6", () => {
    expect(groupsOf("fd00::5", "")).toEqual({ any: "yes", containers: "yes", "nv.web.shop": "yes", "web-label": "yes", nets: "yes" });
  });
  test("a node: any and nodes, never external", () => {
    expect(groupsOf("10.0.1.1")).toEqual({ any: "yes", nodes: "yes" });
  });
  test("an internal-subnet address is never external, but address groups still apply", () => {
    expect(groupsOf("10.0.2.8")).toEqual({ any: "yes", nets: "yes" });
    expect(groupsOf("10.0.2.6")).toEqual({ any: "yes" });
  });
  test("an outside address is external", () => {
    expect(groupsOf("8.8.8.8")).toEqual({ any: "yes", external: "yes" });
  });
  test("a DNS name matches the addresses it resolved to; a wildcard any depth below it", () => {
    expect(groupsOf("203.0.113.10", "")).toEqual({ any: "yes", external: "yes", db: "yes", wild: "yes" });
    expect(groupsOf("203.0.113.11", "")).toEqual({ any: "yes", external: "yes", wild: "yes", "wild-b": "yes" });
  });
  test("a wildcard never matches the bare suffix", () => {
    expect(groupsOf("203.0.113.12", "")).toEqual({ any: "yes", external: "yes" });
  });
  test("vh: is maybe until the host is known, then yes or no", () => {
    expect(groupsOf("203.0.113.13")).toEqual({ any: "yes", external: "yes", wild: "yes", "shop-vh": "maybe", "any-vh": "maybe" });
    expect(groupsOf("203.0.113.13", "SHOP.example.com.")).toMatchObject({ "shop-vh": "yes", "any-vh": "yes" });
    expect(groupsOf("203.0.113.13", "api.example.com")).toMatchObject({ "any-vh": "yes" });
    expect(groupsOf("203.0.113.13", "api.example.com")["shop-vh"]).toBeUndefined();
    expect(groupsOf("203.0.113.13", "example.com")["any-vh"]).toBeUndefined();
  });
  test("a connection without a virtual host is in no vh: group", () => {
    const g = groupsOf("203.0.113.13", "");
    expect(g["shop-vh"]).toBeUndefined();
    expect(g["any-vh"]).toBeUndefined();
  });
  test("vh: needs the address to resolve from the name, whatever the host says", () => {
    expect(groupsOf("8.8.8.8", "shop.example.com")["shop-vh"]).toBeUndefined();
  });
  test("DNS and vh: apply to workload addresses too", () => {
    expect(groupsOf("10.0.0.5", "shop.example.com")).toMatchObject({ wild: "yes", "shop-vh": "yes" });
  });
});
