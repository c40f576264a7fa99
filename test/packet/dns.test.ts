/**
 * DNS snooping on the committed captures: answers on the wire (UDP and TCP, A and AAAA, CNAME
 * chains) feed DNS-name groups for the connections that follow, even in the same batch; only
 * names the policy uses are kept, in a bounded table with evictions and expiry counted; host
 * resolutions still work beside the snooped ones.
 */
import { describe, expect, test } from "vitest";
import type { PacketInput } from "../../runtime/packet/engine.js";
import { SYN, input, ip, tcp } from "./craft.js";
import { capture, engineFor, inventory, workload } from "./engine.js";

const POLICY = `policy p
service web = nv.web.shop { mode protect }
group www { address "www.example.test" }
group chained { address "chain1.example.test" }
group anydb { address "*.example.test" }
rule 10 allow web -> www port tcp/443
rule 20 allow web -> chained port tcp/8443
rule 30 allow web -> anydb port tcp/5432
`;
const INV = inventory([workload("web-1", "shop", "web", ["10.0.0.1", "fd00::1"])]);

const dns = capture("dns.pcap");
const end = dns[dns.length - 1]!.ts;
/** A SYN from web-1 at `ms` after the DNS capture. */
const syn = (dst: string, port: number, ms: number): PacketInput => {
  const src = dst.includes(":") ? "fd00::1" : "10.0.0.1";
  return { ...input(ip(src, dst, 6, tcp(41000 + ms, port, SYN)), 0), ts: end + BigInt(ms) * 1_000_000n };
};

describe("DNS snooping", () => {
  test("without the answers the names resolve to nothing: implicit deny", () => {
    const e = engineFor(POLICY, { inventory: INV });
    const v = e.process([syn("192.0.2.10", 443, 1), syn("192.0.2.10", 8443, 2)]);
    expect(v.map((x) => [x.action, x.rule])).toEqual([["deny", 0], ["deny", 0]]);
  });

  test("A, AAAA and CNAME chains from dns.pcap feed the groups, within the same batch", () => {
    const e = engineFor(POLICY, { inventory: INV });
    const v = e.process([...dns, syn("192.0.2.10", 443, 1), syn("192.0.2.10", 8443, 2), syn("2001:db8::10", 443, 3), syn("192.0.2.20", 5432, 4), syn("192.0.2.99", 443, 5)]);
    const last = v.slice(dns.length).map((x) => [x.action, x.rule]);
    expect(last).toEqual([
      ["allow", 10], // www A
      ["allow", 20], // chain1 -> chain2 -> chain3 -> www, A
      ["allow", 10], // www AAAA
      ["allow", 30], // db.example.test (over ::1) matches *.example.test
      ["deny", 0],
    ]);
    const s = e.stats().dns;
    // www, alias, chain1..3, db: every name the wildcard covers; example.test (TXT) and nosuch (NXDOMAIN) add nothing.
    expect(s.names).toBe(6);
    expect(s.responses).toBe(6);
  });

  test("a DNS answer over TCP (length-prefixed) is snooped too", () => {
    const e = engineFor(POLICY, { inventory: INV });
    const tcpDns = capture("dns-tcp.pcap");
    const t = tcpDns[tcpDns.length - 1]!.ts;
    const v = e.process([...tcpDns, { ...syn("192.0.2.10", 8443, 1), ts: t + 1_000_000n }]);
    expect(v[v.length - 1]).toMatchObject({ action: "allow", rule: 20 });
  });

  test("names the policy does not use are not kept", () => {
    const e = engineFor(`policy p\nservice web = nv.web.shop { mode protect }\ngroup www { address "www.example.test" }\nrule 10 allow web -> www\n`, { inventory: INV });
    e.process(dns);
    expect(e.stats().dns).toMatchObject({ names: 1, responses: 6 });
  });

  test("answers expire: max(TTL, dnsMinTtl) after the answer", () => {
    const e = engineFor(POLICY, { inventory: INV, settings: { dnsMinTtl: 60 } });
    e.process(dns);
    expect(e.process([syn("192.0.2.10", 443, 59_000)])[0]!.action).toBe("allow");
    e.tick(end + 61_000_000_000n);
    expect(e.stats().dns.expired).toBeGreaterThan(0);
    expect(e.stats().dns.names).toBe(0);
    expect(e.process([syn("192.0.2.10", 443, 62_000)])[0]!.action).toBe("deny");
  });

  test("a swap carries the snooped answers to the new module's engine until each expires", () => {
    const e = engineFor(POLICY, { inventory: INV, settings: { dnsMinTtl: 60 } });
    e.process(dns);
    // The same groups, rule 10 renumbered: verdicts tell which module decided.
    e.swap(engineFor(POLICY.replace("rule 10 allow", "rule 11 allow")).module);
    expect(e.process([syn("192.0.2.10", 443, 59_000)])[0]).toMatchObject({ action: "allow", rule: 11 });
    expect(e.resolutions().get("www.example.test")).toContain("192.0.2.10");
    // Past the answer's 60 s the carried answer is gone, without a tick: the next packet's clock ends it.
    expect(e.process([syn("192.0.2.10", 443, 61_000)])[0]).toMatchObject({ action: "deny", rule: 0 });
    expect(e.resolutions().has("www.example.test")).toBe(false);
  });

  test("the table is bounded: the name answered longest ago is evicted and counted", () => {
    const e = engineFor(POLICY, { inventory: INV, settings: { dnsNames: 2 } });
    e.process(dns);
    const s = e.stats().dns;
    expect(s.names).toBe(2);
    expect(s.evicted).toBe(4);
    // db.example.test (the last answer) survived; www did not.
    const v = e.process([syn("192.0.2.20", 5432, 1), syn("192.0.2.10", 443, 2)]);
    expect(v.map((x) => x.action)).toEqual(["allow", "deny"]);
  });

  test("host resolutions work beside snooped ones", () => {
    const e = engineFor(POLICY, { inventory: INV });
    e.addDnsResolution("WWW.example.test.", ["198.51.100.7"]);
    e.process(dns);
    const v = e.process([syn("198.51.100.7", 443, 1), syn("192.0.2.10", 443, 2)]);
    expect(v.map((x) => [x.action, x.rule])).toEqual([["allow", 10], ["allow", 10]]);
  });

  test("events name the DNS groups an address resolved into", () => {
    const e = engineFor(POLICY, { inventory: INV });
    e.process([...dns, syn("192.0.2.10", 443, 1)]);
    e.flush();
    const endEv = e.drainEvents().find((x) => x.type === "flow-end" && x.dst.ip === "192.0.2.10" && x.proto === "tcp");
    expect(endEv?.dst.groups).toEqual(["www", "chained", "anydb"]);
  });
});
