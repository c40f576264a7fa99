/** S1: endpoint resolution order, IPv4/IPv6 spelling, and input errors (FlowError). */
import { describe, expect, test } from "vitest";
import { evaluate, FlowError, resolveEndpoint } from "../../compiler/reference/index.js";
import { inventory, model, workload } from "./build.js";

const inv = inventory({
  workloads: [workload("web-1", ["10.0.0.5", "fd00::5"]), workload("dup-1", ["10.0.0.5"])],
  nodes: [{ name: "node-1", ips: ["10.0.1.1", "10.0.0.5"] }],
  internalSubnets: ["10.0.2.0/24", "10.0.3.1-10.0.3.9", "192.168.7.7", "fd00:2::/64"],
});

describe("resolveEndpoint", () => {
  test("a workload IP is a workload, ahead of a node listing the same IP; the first workload wins", () => {
    const ep = resolveEndpoint(inv, "10.0.0.5");
    expect(ep.kind).toBe("workload");
    expect(ep.workload?.name).toBe("web-1");
  });
  test("IPv6 compares by value, not spelling", () => {
    expect(resolveEndpoint(inv, "FD00:0:0::5").workload?.name).toBe("web-1");
  });
  test("a node IP is a node", () => {
    const ep = resolveEndpoint(inv, "10.0.1.1");
    expect(ep.kind).toBe("node");
    expect(ep.node?.name).toBe("node-1");
  });
  test.each(["10.0.2.200", "10.0.3.1", "10.0.3.9", "192.168.7.7", "fd00:2::abcd"])("%s is internal", (ip) => {
    expect(resolveEndpoint(inv, ip).kind).toBe("internal");
  });
  test.each(["10.0.3.10", "192.168.7.8", "8.8.8.8", "2001:db8::1"])("%s is external", (ip) => {
    expect(resolveEndpoint(inv, ip)).toEqual({ kind: "external" });
  });
  test("an unparsable address throws FlowError naming the value", () => {
    expect(() => resolveEndpoint(inv, "10.0.0.256")).toThrow(FlowError);
    expect(() => resolveEndpoint(inv, "10.0.0.256")).toThrow("address `10.0.0.256` is not an IPv4 or IPv6 address");
  });
  test("unparsable inventory entries never match and never throw", () => {
    const bad = inventory({ workloads: [workload("x-1", ["nope"])], internalSubnets: ["10.0.0.0/99"] });
    expect(resolveEndpoint(bad, "10.0.0.1").kind).toBe("external");
  });
});

describe("flow input errors", () => {
  const m = model([], [{ id: 1, from: ["any"], to: ["any"] }]);
  const ctx = { inventory: inv, dns: {} };
  const cases: [string, object, string, string][] = [
    ["bad src", { src: "x", dst: "10.0.0.1", proto: "tcp", port: 1 }, "src", "flow src `x` is not an IPv4 or IPv6 address"],
    ["bad dst", { src: "10.0.0.1", dst: "1.2.3", proto: "tcp", port: 1 }, "dst", "flow dst `1.2.3` is not an IPv4 or IPv6 address"],
    ["bad proto", { src: "10.0.0.1", dst: "10.0.0.2", proto: "sctp" }, "proto", "flow proto `sctp` is not `tcp`, `udp`, `icmp` or an IP protocol number 0..255"],
    ["proto out of range", { src: "10.0.0.1", dst: "10.0.0.2", proto: 256 }, "proto", "flow proto `256`"],
    ["tcp without port", { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp" }, "port", "tcp flow has no destination port"],
    ["udp port too big", { src: "10.0.0.1", dst: "10.0.0.2", proto: "udp", port: 65536 }, "port", "udp flow port `65536` is out of range 0..65535"],
    ["proto 6 needs a port", { src: "10.0.0.1", dst: "10.0.0.2", proto: 6 }, "port", "tcp flow has no destination port"],
  ];
  test.each(cases)("%s", (_name, flow, field, message) => {
    let err: unknown;
    try {
      evaluate(m, ctx, flow as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlowError);
    expect((err as FlowError).field).toBe(field);
    expect((err as FlowError).message).toContain(message);
  });
  test("icmp and other protocols need no port, and a stray one is ignored", () => {
    expect(evaluate(m, ctx, { src: "10.0.0.1", dst: "10.0.0.2", proto: "icmp" }).action).toBe("allow");
    expect(evaluate(m, ctx, { src: "10.0.0.1", dst: "10.0.0.2", proto: 47, port: 99999 }).action).toBe("allow");
  });
  test("an unparsable XFF value is not an input error: it is ignored and traced", () => {
    const v = evaluate(m, ctx, { src: "10.0.0.1", dst: "10.0.0.5", proto: "tcp", port: 80, xff: "unknown" });
    expect(v.xff).toBeUndefined();
    expect(v.trace).toContain("xff: `unknown` is not an IP address; ignored");
  });
});

describe("flow normalisation", () => {
  const ctx = { inventory: inv, dns: { "shop.example.com": ["203.0.113.10"] } };
  const m = model(
    [{ name: "shop", kind: "address", addresses: [{ kind: "vh", name: "shop.example.com", wildcard: false, text: "vh:shop.example.com" }] }],
    [{ id: 1, from: ["any"], to: ["shop"] }, { id: 2, action: "deny", from: ["external"], to: ["any"] }],
  );
  test("the Host header's :port, case and trailing dot do not matter", () => {
    for (const host of ["shop.example.com:8443", "Shop.Example.com.", "SHOP.EXAMPLE.COM:80"]) {
      expect(evaluate(m, ctx, { src: "10.0.0.5", dst: "203.0.113.10", proto: "tcp", port: 443, host }).rule).toBe(1);
    }
  });
  test("a whole X-Forwarded-For header uses its leftmost entry", () => {
    const v = evaluate(m, ctx, { src: "10.0.0.5", dst: "10.0.0.5", proto: "tcp", port: 80, xff: " 198.51.100.7 , 10.0.0.1" });
    expect(v.xff?.src.ip).toBe("198.51.100.7");
    expect(v.xff?.rule).toBe(2);
  });
});
