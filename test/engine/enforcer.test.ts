/**
 * The Enforcer on hand-written policies: endpoint kinds and modes, batches larger than the IO
 * area, long virtual hosts, DNS resolutions, inventory replacement, atomic swap, and input errors.
 * Expected verdicts come from the reference evaluator, with a few spelled out for readability.
 */
import { describe, expect, test } from "vitest";
import { emptyInventory, type DnsTable, type Flow, type Inventory } from "../../common/schema.js";
import { evaluate } from "../../compiler/reference/index.js";
import { Enforcer, loadModule, MODULE_CODES, NvpRuntimeError, type PolicyModule } from "../../runtime/index.js";
import { modelOf, moduleBytes, referenceDecision } from "./helpers.js";

const POLICY = `policy shop
service web = nv.web.shop { mode protect }
service api = nv.api.shop { mode monitor }
group db { address 10.20.0.0/16, "db.example.com" }
group shop { address vh:*.example.com }
rule 10 allow web -> api app http port tcp/8080
rule 20 allow api -> db port tcp/5432
rule 30 allow web -> shop
rule 40 deny external -> api
`;

const wl = (name: string, service: string, ips: string[]) => ({
  name, namespace: "shop", service, labels: {}, nsLabels: {}, images: [], containers: [], node: "n1", ips,
});

const INVENTORY: Inventory = {
  workloads: [wl("web-1", "web", ["10.0.0.1", "fd00::1"]), wl("api-1", "api", ["10.0.0.2"])],
  nodes: [{ name: "n1", ips: ["10.0.1.1"] }],
  internalSubnets: ["10.0.2.0/24"],
  serviceExternalIps: [],
};

function setup(policy = POLICY, inventory = INVENTORY, dns: DnsTable = {}) {
  const model = modelOf(policy);
  const enforcer = new Enforcer(loadModule(moduleBytes(policy)));
  enforcer.setInventory(inventory);
  for (const [name, ips] of Object.entries(dns)) enforcer.addDnsResolution(name, ips);
  const expected = (f: Flow) => referenceDecision(evaluate(model, { inventory, dns }, f));
  return { enforcer, expected };
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof NvpRuntimeError) return `${e.code} ${e.message}`;
    throw e;
  }
  return "no error";
}

describe("Enforcer.decide", () => {
  const { enforcer, expected } = setup();

  test("workload to workload: rule, app pending, mode by contention", () => {
    expect(enforcer.decide({ src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 8080 })).toEqual({
      action: "pending", rule: 10, mode: "monitor", awaiting: "app",
    });
    expect(enforcer.decide({ src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 8080, app: "nginx" })).toEqual({
      action: "allow", rule: 10, mode: "monitor",
    });
  });

  test("external, internal and node sources", () => {
    expect(enforcer.decide({ src: "198.51.100.1", dst: "10.0.0.2", proto: "udp", port: 53 })).toEqual({ action: "violate", rule: 40, mode: "monitor" });
    expect(enforcer.decide({ src: "10.0.2.9", dst: "10.0.0.2", proto: "udp", port: 53 })).toEqual({ action: "violate", rule: 0, mode: "monitor" });
    // A node is an unmanaged peer (the workload's mode is reported); unmatched ICMP passes (icmp-policy off).
    expect(enforcer.decide({ src: "10.0.1.1", dst: "10.0.0.1", proto: "icmp" })).toEqual({ action: "allow", rule: 0, mode: "protect" });
    expect(enforcer.decide({ src: "10.0.1.1", dst: "10.0.0.1", proto: "tcp", port: 9 })).toEqual({ action: "deny", rule: 0, mode: "protect" });
  });

  test("IPv6 and IPv4-mapped spellings resolve like the reference", () => {
    for (const f of [
      { src: "fd00::1", dst: "10.0.0.2", proto: "tcp", port: 8080, app: "http" },
      { src: "FD00:0:0:0:0:0:0:1", dst: "::ffff:10.0.0.2", proto: 6, port: 8080, app: "http" },
      { src: " 10.0.0.1 ", dst: "10.0.0.2", proto: 47 },
    ] as Flow[]) {
      expect(enforcer.decide(f)).toEqual(expected(f));
    }
  });

  test("X-Forwarded-For: the second lookup is reported and the more severe wins", () => {
    const f: Flow = { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 8080, app: "http", xff: "203.0.113.9, 10.0.0.1" };
    expect(enforcer.decide(f)).toEqual({ action: "violate", rule: 40, mode: "monitor", xff: { action: "violate", rule: 40, mode: "monitor" } });
    expect(enforcer.decide({ ...f, xff: "not-an-ip" })).toEqual({ action: "allow", rule: 10, mode: "monitor" });
  });

  test("decideMany over more flows than one engine batch, with hosts overflowing the arena", () => {
    const flows: Flow[] = [];
    for (let i = 0; i < 2600; i++) {
      flows.push({
        src: i % 3 ? "10.0.0.1" : "203.0.113.7",
        dst: i % 5 ? "10.0.0.2" : `198.51.100.${i % 250}`,
        proto: i % 7 ? "tcp" : "udp",
        port: 8080 + (i % 3),
        ...(i % 2 ? { app: "http" } : {}),
        host: `${"x".repeat(30)}${i}.example.com`,
      });
    }
    const got = enforcer.decideMany(flows);
    expect(got).toHaveLength(flows.length);
    expect(got).toEqual(flows.map(expected));
    expect(flows.slice(0, 50).map((f) => enforcer.decide(f))).toEqual(got.slice(0, 50));
  });
});

describe("virtual hosts and DNS", () => {
  const dns = { "a.example.com": ["192.0.2.10"], "db.example.com": ["192.0.2.20", "2001:db8::20"] };
  const { enforcer, expected } = setup(POLICY, INVENTORY, dns);

  test("vh: pending until the host is known, then by the host", () => {
    const f: Flow = { src: "10.0.0.1", dst: "192.0.2.10", proto: "tcp", port: 443 };
    expect(enforcer.decide(f)).toEqual({ action: "pending", rule: 30, mode: "protect", awaiting: "host" });
    expect(enforcer.decide({ ...f, host: "Shop.Example.COM.:443" })).toEqual({ action: "allow", rule: 30, mode: "protect" });
    expect(enforcer.decide({ ...f, host: "example.com" })).toEqual({ action: "deny", rule: 0, mode: "protect" });
    expect(enforcer.decide({ ...f, host: "" })).toEqual(expected({ ...f, host: "" }));
  });

  test("a host far longer than any vh: name matches like the whole host", () => {
    const f: Flow = { src: "10.0.0.1", dst: "192.0.2.10", proto: "tcp", port: 443 };
    for (const host of [`${"a".repeat(50_000)}.example.com`, `.${"a".repeat(50_000)}.example.com`, `${"a.".repeat(20_000)}example.com`]) {
      expect(enforcer.decide({ ...f, host })).toEqual(expected({ ...f, host }));
    }
  });

  test("DNS names resolve for both address families; clearDns forgets them", () => {
    const f: Flow = { src: "10.0.0.2", dst: "2001:db8::20", proto: "tcp", port: 5432 };
    expect(enforcer.decide(f)).toEqual({ action: "allow", rule: 20, mode: "monitor" });
    enforcer.addDnsResolution("DB.example.com.", ["192.0.2.21"]);
    expect(enforcer.decide({ ...f, dst: "192.0.2.21" })).toEqual({ action: "allow", rule: 20, mode: "monitor" });
    enforcer.clearDns();
    expect(enforcer.decide(f)).toEqual({ action: "violate", rule: 0, mode: "monitor" });
    expect(enforcer.stats().dnsNames).toBe(0);
  });

  test("a bad DNS resolution is refused", () => {
    expect(code(() => enforcer.addDnsResolution("db.example.com", ["300.1.1.1"]))).toBe(
      `${MODULE_CODES.dns} DNS address \`300.1.1.1\` for \`db.example.com\` is not an IP address`,
    );
    expect(code(() => enforcer.addDnsResolution(" ", ["1.2.3.4"]))).toBe(`${MODULE_CODES.dns} DNS name \` \` is empty`);
  });
});

describe("inventory and swap", () => {
  test("setInventory replaces the previous inventory", () => {
    const { enforcer } = setup();
    const f: Flow = { src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 8080, app: "http" };
    expect(enforcer.decide(f).rule).toBe(10);
    enforcer.setInventory(emptyInventory());
    expect(enforcer.decide(f)).toEqual({ action: "learn", rule: 0 });
    expect(enforcer.stats().inventoryClasses).toBe(0);
  });

  test("swap switches policy and keeps inventory and DNS", () => {
    const { enforcer } = setup(POLICY, INVENTORY, { "db.example.com": ["192.0.2.20"] });
    const f: Flow = { src: "10.0.0.2", dst: "192.0.2.20", proto: "tcp", port: 5432 };
    expect(enforcer.decide(f)).toEqual({ action: "allow", rule: 20, mode: "monitor" });
    const next = loadModule(moduleBytes(POLICY.replace("rule 20 allow", "rule 20 deny").replace("mode monitor", "mode protect")));
    enforcer.swap(next);
    expect(enforcer.module).toBe(next);
    expect(enforcer.decide(f)).toEqual({ action: "deny", rule: 20, mode: "protect" });
  });

  test("a failed swap leaves the old policy in place", () => {
    const { enforcer } = setup();
    const before = enforcer.module;
    const broken = { ...before, wasm: new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])) } as PolicyModule;
    expect(() => enforcer.swap(broken)).toThrow();
    expect(enforcer.module).toBe(before);
    expect(enforcer.decide({ src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp", port: 8080, app: "http" }).rule).toBe(10);
  });

  test("stats report engine memory and classes", () => {
    const { enforcer } = setup();
    const s = enforcer.stats();
    expect(s.memoryBytes).toBeGreaterThanOrEqual(s.usedBytes);
    expect(s.inventoryClasses).toBe(3);
  });
});

describe("invalid flows", () => {
  const { enforcer } = setup();
  test.each([
    [{ src: "10.0.0.300", dst: "10.0.0.2", proto: "icmp" }, "flow src `10.0.0.300` is not an IPv4 or IPv6 address"],
    [{ src: "10.0.0.1", dst: "", proto: "icmp" }, "flow dst `` is not an IPv4 or IPv6 address"],
    [{ src: "10.0.0.1", dst: "10.0.0.2", proto: "tcp" }, "tcp flow has no destination port"],
    [{ src: "10.0.0.1", dst: "10.0.0.2", proto: "udp", port: 70000 }, "udp flow port `70000` is out of range 0..65535"],
    [{ src: "10.0.0.1", dst: "10.0.0.2", proto: "sctp" }, "flow proto `sctp` is not `tcp`, `udp`, `icmp` or an IP protocol number 0..255"],
    [{ src: "10.0.0.1", dst: "10.0.0.2", proto: "icmp", app: 7 }, "flow app `7` is not a name"],
    [{ src: "10.0.0.1", dst: "10.0.0.2", proto: "icmp", host: 7 }, "flow host `7` is not a string"],
  ])("%j", (flow, message) => {
    expect(code(() => enforcer.decide(flow as unknown as Flow))).toBe(`${MODULE_CODES.flow} ${message}`);
  });

  test("decideMany names the bad flow", () => {
    const flows = [{ src: "10.0.0.1", dst: "10.0.0.2", proto: "icmp" }, { src: "x", dst: "10.0.0.2", proto: "icmp" }] as Flow[];
    expect(code(() => enforcer.decideMany(flows))).toBe(`${MODULE_CODES.flow} flow 2: flow src \`x\` is not an IPv4 or IPv6 address`);
  });
});
