import { describe, expect, test } from "vitest";
import { check, expectClean, expectOne } from "./helpers.js";

/** A group used by a rule, so the only findings are about its body. */
const grp = (body: string) => check(`group g { ${body} }\nrule 1 allow g -> nodes`);
const ports = (p: string) => check(`rule 1 allow nodes -> nodes port ${p}`);

describe("addresses (NV2201, NV2202, NV2203, NV2218)", () => {
  test.each([
    ["10.0.0.256", "`10.0.0.256` is not an IP address", /four numbers 0\.\.255/],
    ["10.0.0.0/33", "prefix length `/33` is out of range 0..32", /CIDR block/],
    ["10.0.0.9-10.0.0.1", "range `10.0.0.9-10.0.0.1` is reversed", /low address first/],
    ["10.0.0.1-fd00::1", "range `10.0.0.1-fd00::1` mixes IPv4 and IPv6", /both of one family/],
    ["fd00:::1", "`fd00:::1` is not an IP address", /IPv6/],
    ["010.0.0.1", "`010.0.0.1` is not an IP address", /without leading zeros/],
  ])("%s", (text, message, help) => {
    expectOne(grp(`address ${text}`), { code: "NV2201", severity: "error", message, underlined: text, label: "invalid address", help });
  });

  test("a CIDR with host bits set is a warning that shows the network", () => {
    const r = grp("address 10.1.2.3/8");
    expectOne(r, {
      code: "NV2202",
      severity: "warning",
      message: "address block `10.1.2.3/8` has host bits set",
      underlined: "10.1.2.3/8",
      label: "this is the network 10.0.0.0/8",
      help: "write `10.0.0.0/8` (the block covers 10.0.0.0 to 10.255.255.255), or a single address without a prefix length",
    });
    expect(r.model!.groups[0]!.addresses![0]).toMatchObject({ kind: "ip", text: "10.1.2.3/8" });
  });

  test.each([
    ['"*.com"', "wildcard `*.com` needs at least two labels after `*.`"],
    ['"a.*.example.com"', "`a.*.example.com` has a wildcard that is not a leading `*.`"],
    ['"bad_name.example.com"', "`bad_name.example.com` is not a valid DNS name"],
    ["vh:*.com", "wildcard `*.com` needs at least two labels after `*.`"],
  ])("DNS %s", (text, message) => {
    expectOne(grp(`address ${text}`), { code: "NV2203", message, underlined: text, help: /.+/ });
  });

  test("vh: with an IP address", () => {
    expectOne(grp("address vh:10.0.0.1"), {
      code: "NV2203",
      message: "virtual host `vh:10.0.0.1` must be a DNS name",
      underlined: "vh:10.0.0.1",
      label: "not a host name",
    });
  });

  test("a single-label name is a warning", () => {
    expectOne(grp('address "db"'), { code: "NV2218", severity: "warning", message: "name `db` has a single label", underlined: '"db"' });
  });

  test("addresses and workload criteria in one group (NV2204)", () => {
    expectOne(grp('label app = "web"; address 10.0.0.1'), {
      code: "NV2204",
      message: "group `g` mixes addresses and workload criteria",
      underlined: "address 10.0.0.1",
      label: "address entry after workload criteria",
      help: /declare one address group and one workload group/,
      related: ['label app = "web"'],
    });
  });
});

describe("ports (NV2205)", () => {
  test.each([
    ["70000", "port `70000` is out of range", "70000", "ports are 0..65535"],
    ["udp/65536", "port `65536` is out of range", "udp/65536", "ports are 0..65535"],
    ["90-80", "port range `90-80` is reversed", "90-80", "write `tcp/80-90`"],
    ["udp/9-8", "port range `9-8` is reversed", "udp/9-8", "write `udp/8-9`"],
  ])("%s", (p, message, under, help) => {
    expectOne(ports(p), { code: "NV2205", message, underlined: under, help });
  });
  test("valid ports check clean", () => {
    expectClean(ports("tcp/0, udp/65535, 8000-8080, tcp/any, udp/any, icmp"));
    expectClean(ports("any"));
  });
});

describe("learned rules (NV2219)", () => {
  test("only allow rules can be learned", () => {
    expectOne(check("rule 7 deny nodes -> nodes learned"), {
      code: "NV2219",
      message: "deny rule 7 is marked `learned`",
      underlined: "rule 7 deny nodes -> nodes learned",
      label: "only allow rules are learned",
    });
    expect(check("rule 7 allow nodes -> nodes learned").model!.rules[0]!.learned).toBe(true);
  });
});

describe("applications (NV2206)", () => {
  test("unknown name with did you mean", () => {
    expectOne(check("rule 1 allow nodes -> nodes app postgress"), {
      code: "NV2206",
      message: "unknown application `postgress`",
      underlined: "postgress",
      help: "did you mean `postgres`?",
    });
  });
  test("nothing close: the help lists the names", () => {
    expectOne(check("rule 1 allow nodes -> nodes app gopher"), { code: "NV2206", help: /^known applications: HTTP, SSL, SSH/ });
  });
  test("names are case-insensitive and aliases work", () => {
    const r = check("rule 1 allow nodes -> nodes app HTTP, tls, MariaDB, grpc");
    expectClean(r);
    expect(r.model!.rules[0]!.apps).toEqual([1001, 1002, 2001, 2028]);
  });
});

describe("criteria values (NV2207, NV2208, NV2209)", () => {
  test.each([
    ['image regex "(a)\\\\1"', '"(a)\\\\1"', /backreference `\\1`, which RE2 does not support/],
    ['image regex "a(?=b)"', '"a(?=b)"', /lookahead `\(\?=`/],
    ['image !regex "(?<!a)b"', '"(?<!a)b"', /negative lookbehind/],
    ['image ~ "(unclosed"', '"(unclosed"', /does not compile/],
  ])("%s", (body, under, message) => {
    expectOne(grp(body), { code: "NV2207", message, underlined: under, label: "not valid RE2", help: /.+/ });
  });

  test("glob with anchors", () => {
    expectOne(grp('image = "^nginx*"'), {
      code: "NV2208",
      message: "glob value `^nginx*` contains `^` or `$`",
      underlined: '"^nginx*"',
      help: "`=` and `!=` globs are always anchored; drop `^`/`$`, or use `regex` for a regular expression",
    });
  });
  test("anchors without a glob are plain characters", () => {
    expectClean(grp('image = "a$b"'));
  });

  test("empty value with an operator that needs one", () => {
    expectOne(grp('image prefix ""'), {
      code: "NV2209",
      message: "operator `prefix` needs a non-empty value",
      underlined: '""',
      help: "only `=` and `!=` accept an empty value (an unset or empty attribute)",
    });
    expectClean(grp('label app = ""'));
  });
});

describe("service groups (NV2212, NV2213, NV2214, NV2215, NV2217)", () => {
  test.each([
    ["nv.web", "`nv.web` is not a service group name"],
    ["nv.web.shop.x", "`nv.web.shop.x` is not a service group name"],
    ["nv.web_1.shop", "service `web_1` in `nv.web_1.shop` is not a DNS-1123 label"],
  ])("selector %s", (sel, message) => {
    expectOne(check(`service s = ${sel}`), { code: "NV2212", message, underlined: sel, label: "not nv.<service>.<namespace>" });
  });
  test("a selector that is not nv.* at all", () => {
    expectOne(check("service s = web.shop.x"), { code: "NV2212", message: "`web.shop.x` is not a service group name" });
  });
  test("an nv. reference in a rule is checked the same way", () => {
    expectOne(check("rule 1 allow nv.web -> nodes"), { code: "NV2212", underlined: "nv.web" });
  });
  test("an undeclared nv group may be referenced directly", () => {
    const r = check("rule 1 allow nv.web.shop -> nodes");
    expectClean(r);
    expect(r.model!.groups[0]).toEqual({ index: 0, name: "nv.web.shop", kind: "service", service: { service: "web", namespace: "shop" } });
  });
  test("two services for one nv group", () => {
    expectOne(check("service a = nv.web.shop { mode protect }\nservice b = nv.web.shop"), {
      code: "NV2213",
      message: "services `a` and `b` both name `nv.web.shop`",
      underlined: "nv.web.shop",
      help: "a NeuVector group has one mode; keep one service declaration and refer to it as `a`",
      related: ["service a = nv.web.shop { mode protect }"],
    });
  });
  test("a mode that does not exist", () => {
    expectOne(check("service a = nv.web.shop { mode protcet }"), {
      code: "NV2214",
      message: "`protcet` is not a policy mode",
      underlined: "protcet",
      help: "did you mean `protect`?",
    });
  });
  test("mode on a custom group (reference §2: only service groups carry a mode)", () => {
    expectOne(grp('label app = "x"; mode protect'), {
      code: "NV2215",
      message: "group `g` cannot carry a mode",
      underlined: "mode protect",
      label: "only service groups carry a mode",
    });
  });
  test("mode on an address group", () => {
    expectOne(grp("address 10.0.0.1; mode monitor"), { code: "NV2215", underlined: "mode monitor" });
  });
  test("mode twice", () => {
    expectOne(check("service a = nv.web.shop { mode protect; mode monitor }"), {
      code: "NV2217",
      message: "mode is given twice",
      underlined: "mode monitor",
      related: ["mode protect"],
    });
    expectOne(check("service a = nv.web.shop { mode protect; mode network monitor }"), { code: "NV2217", message: "network mode is given twice" });
  });
  test("split modes: the network mode goes in the model", () => {
    const r = check("service a = nv.web.shop { mode process protect; mode network monitor }");
    expectClean(r);
    expect(r.model!.groups[0]!.mode).toBe("monitor");
    expect(check("service a = nv.web.shop { mode process protect }").model!.groups[0]!.mode).toBeUndefined();
  });
});
