import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseIp } from "../../common/ip.js";
import { defaultStdlibDir } from "../../compiler/check/import-path.js";
import type { GroupModel } from "../../compiler/model.js";
import { check } from "./helpers.js";

const modules = readdirSync(defaultStdlibDir())
  .filter((f) => f.endsWith(".nvp"))
  .map((f) => f.slice(0, -4));

describe("the standard library", () => {
  test("has the documented modules", () => {
    expect(modules.sort()).toEqual(["dns", "net"]);
  });

  test.each(modules)("std/%s loads and checks without a single diagnostic", (name) => {
    const r = check(`import "std/${name}"`);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
    expect(r.model!.groups.length).toBeGreaterThan(0);
    for (const g of r.model!.groups) expect(g.span!.file).toBe(`std/${name}.nvp`);
  });

  test("std/net has the well-known blocks", () => {
    const groups = check('import "std/net"').model!.groups;
    const has = (name: string, ip: string) => {
      const g = groups.find((x) => x.name === name) as GroupModel;
      const v = parseIp(ip)!;
      return g.addresses!.some((a) => a.kind === "ip" && a.lo <= v && v <= a.hi);
    };
    expect(has("rfc1918", "172.31.255.255")).toBe(true);
    expect(has("rfc1918", "172.32.0.0")).toBe(false);
    expect(has("loopback", "::1")).toBe(true);
    expect(has("link-local", "fe80::1")).toBe(true);
    expect(has("cloud-metadata", "169.254.169.254")).toBe(true);
    expect(has("cloud-metadata", "fd00:ec2::254")).toBe(true);
    expect(has("ula", "fd12::1")).toBe(true);
    expect(has("cgnat", "100.127.255.255")).toBe(true);
    expect(has("multicast", "239.1.2.3")).toBe(true);
  });

  test("std groups are usable in rules and never reported unused", () => {
    const r = check('import "std/net"\nimport "std/dns"\nrule 10 allow containers -> cluster-dns port udp/53\nrule 20 deny containers -> cloud-metadata\nsettings { link-local-policy on }');
    expect(r.diagnostics).toEqual([]);
  });

  test("a user group may not reuse a std name", () => {
    const r = check('import "std/net"\ngroup loopback { address 127.0.0.1 }');
    expect(r.diagnostics.map((d) => [d.code, d.span?.file])).toEqual([["NV2101", "test.nvp"]]);
  });
});
