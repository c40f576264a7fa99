import { describe, expect, test } from "vitest";
import type { PortModel } from "../../compiler/model.js";
import { portsCover } from "../../compiler/check/shadow.js";
import { check, expectOne } from "./helpers.js";

const HEAD = [
  'service web = nv.web.shop { mode protect }',
  'service api = nv.api.shop { mode protect }',
  'group fe { service = "web"; domain = "shop" }',
  'group shopns { domain = "shop*" }',
  'group net10 { address 10.0.0.0/8, 192.168.0.0/16 }',
  'group net10a { address 10.1.0.0/16, 10.2.3.4-10.2.3.9 }',
  'group names { address "*.example.com", "db.other.org" }',
  'group one-name { address "api.example.com", vh:shop.example.com }',
].join("\n");

/** Rules under a header of groups; unused-group warnings are filtered out. */
const shadow = (rules: string) => {
  const r = check(`${HEAD}\n${rules}`);
  return { ...r, diagnostics: r.diagnostics.filter((d) => d.code === "NV2302") };
};

describe("shadowed rules (NV2302)", () => {
  test("one earlier rule covers a later one: the witness is named", () => {
    const r = shadow("rule 20 allow web -> api port tcp/80-90\nrule 40 deny web -> api port tcp/85");
    expectOne(r, {
      code: "NV2302",
      severity: "warning",
      message: "rule 40 never decides: rule 20 matches every flow it would",
      underlined: "rule 40 deny web -> api port tcp/85",
      label: "shadowed by rule 20",
      help: "rule 40 denies what an earlier rule already decides; if it should win, give it an id below 20",
      related: ["rule 20 allow web -> api port tcp/80-90"],
    });
  });
  test("same action: the later rule adds nothing", () => {
    expectOne(shadow("rule 10 allow web -> api\nrule 20 allow web -> api app http port 8080"), { code: "NV2302", help: "rule 20 adds nothing; remove it" });
  });
  test("ids decide the order, not the position in the file", () => {
    expectOne(shadow("rule 40 deny web -> api port tcp/85\nrule 20 allow web -> api"), {
      code: "NV2302",
      message: "rule 40 never decides: rule 20 matches every flow it would",
    });
  });
  test("a port range split across several earlier rules", () => {
    expectOne(shadow("rule 10 allow web -> api port tcp/1-100\nrule 11 allow web -> api port tcp/101-200, udp/53\nrule 20 deny web -> api port tcp/50-150"), {
      code: "NV2302",
      message: "rule 20 never decides: rules 10 and 11 together match every flow it would",
      related: ["rule 10 allow web -> api port tcp/1-100", "rule 11 allow web -> api port tcp/101-200, udp/53"],
    });
  });
  test.each([
    ["any holds every group", "rule 1 deny any -> any port tcp/22\nrule 2 allow fe -> net10 port tcp/22"],
    ["containers holds service and workload groups", "rule 1 deny containers -> api\nrule 2 allow fe, web -> api"],
    ["a service group is inside a workload group that accepts it", "rule 1 allow shopns -> api\nrule 2 deny web -> api"],
    ["a workload group naming exactly a service is inside it", "rule 1 allow web -> api\nrule 2 deny fe -> api"],
    ["address intervals", "rule 1 allow web -> net10\nrule 2 deny web -> net10a"],
    ["names under a wildcard, vh: inside its DNS form", "rule 1 allow web -> names\nrule 2 deny web -> one-name"],
    ["application subset", "rule 1 allow web -> api app http, ssl\nrule 2 deny web -> api app ssl"],
    ["an HTTP server is covered by http", "rule 1 allow web -> api app http\nrule 2 deny web -> api app nginx"],
    ["several from groups each covered", "rule 1 allow web, api -> api\nrule 2 deny api, fe -> api"],
  ])("%s", (_, rules) => {
    expect(shadow(rules).diagnostics.map((d) => d.message)).toEqual(["rule 2 never decides: rule 1 matches every flow it would"]);
  });
  test.each([
    ["a narrower earlier rule", "rule 1 allow web -> api port tcp/80\nrule 2 deny web -> api"],
    ["different groups", "rule 1 allow web -> api\nrule 2 deny api -> web"],
    ["external does not hold address groups", "rule 1 deny external -> api\nrule 2 allow net10 -> api"],
    ["containers does not hold address groups", "rule 1 deny containers -> api\nrule 2 allow net10 -> api"],
    ["apps vs no apps", "rule 1 allow web -> api app http\nrule 2 deny web -> api"],
    ["http does not cover every HTTP server from nginx", "rule 1 allow web -> api app nginx\nrule 2 deny web -> api app http"],
    ["a DNS name is not inside a vh: group", "rule 1 allow web -> one-name\nrule 2 deny web -> names"],
    ["a partly covered from list", "rule 1 allow web -> api\nrule 2 deny web, net10 -> api"],
    ["ports split but not covering", "rule 1 allow web -> api port tcp/1-10\nrule 2 allow web -> api port tcp/12-20\nrule 3 deny web -> api port tcp/5-15"],
    ["tcp/any does not cover other protocols", "rule 1 allow web -> api port tcp/any, udp/any, icmp\nrule 2 deny web -> api"],
  ])("no warning: %s", (_, rules) => {
    expect(shadow(rules).diagnostics).toEqual([]);
  });
  test("a group with errors proves nothing: its partial model could claim a false containment", () => {
    const r = check("group wide { address 10.0.0.0/8 }\ngroup bad { address 10.1.0.0/16, 10.0.0.300 }\nrule 1 allow any -> wide\nrule 2 deny any -> bad");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NV2201"]);
  });
});

describe("port coverage", () => {
  const p = (proto: PortModel["proto"], lo = 0, hi = 65535): PortModel => ({ proto, lo, hi });
  test("union of ranges", () => {
    expect(portsCover([[p("tcp", 1, 10)], [p("tcp", 11, 20)]], [p("tcp", 5, 15)])).toBe(true);
    expect(portsCover([[p("tcp", 1, 10)], [p("tcp", 12, 20)]], [p("tcp", 5, 15)])).toBe(false);
    expect(portsCover([[p("udp", 1, 20)]], [p("tcp", 5, 15)])).toBe(false);
  });
  test("any and empty", () => {
    expect(portsCover([[]], [p("tcp", 5, 15)])).toBe(true);
    expect(portsCover([[p("any")]], [])).toBe(true);
    expect(portsCover([[p("tcp"), p("udp"), p("icmp")]], [])).toBe(false);
    expect(portsCover([[p("icmp")]], [p("icmp")])).toBe(true);
  });
});
