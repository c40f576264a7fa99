import { describe, expect, test } from "vitest";
import { checkDnsName, underWildcard, parseServiceName } from "../../compiler/check/dns-name.js";
import { checkRegex } from "../../compiler/check/criteria.js";
import { closest, editDistance } from "../../compiler/check/diag.js";
import { normalizePorts } from "../../compiler/check/ports-apps.js";
import { accepts } from "../../compiler/check/group-facts.js";
import { globMatch } from "../../common/criteria.js";

describe("DNS names (NeuVector's rule)", () => {
  test.each([
    ["db.example.com", "db.example.com", false],
    ["DB.Example.COM.", "db.example.com", false],
    ["*.rds.example.com", "rds.example.com", true],
    ["*.example.com", "example.com", true],
    ["1-2.example.com", "1-2.example.com", false],
  ])("%s is valid", (text, name, wildcard) => {
    expect(checkDnsName(text)).toMatchObject({ ok: true, name, wildcard });
  });
  test.each([
    ["*.com", "at least two labels"],
    ["a.*.example.com", "not a leading"],
    ["db*.example.com", "not a leading"],
    ["-db.example.com", "not a valid DNS name"],
    ["db-.example.com", "not a valid DNS name"],
    ["db..example.com", "empty label"],
    ["db_1.example.com", "not a valid DNS name"],
    ["10.0.0.300x.1", "neither an IP address nor a DNS name"],
    ["host.123", "neither an IP address nor a DNS name"],
    [`${"a".repeat(64)}.com`, "longer than 63"],
  ])("%s is rejected (%s)", (text, why) => {
    const r = checkDnsName(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });
  test("single-label names are flagged for a warning", () => {
    expect(checkDnsName("db")).toMatchObject({ ok: true, singleLabel: true });
  });
  test("wildcard suffixes need one more label", () => {
    expect(underWildcard("a.example.com", "example.com")).toBe(true);
    expect(underWildcard("a.b.example.com", "example.com")).toBe(true);
    expect(underWildcard("example.com", "example.com")).toBe(false);
    expect(underWildcard("badexample.com", "example.com")).toBe(false);
  });
});

describe("regexes must mean the same in JavaScript and RE2", () => {
  test.each(["^web-[0-9]+$", "a|b", "[]a]x".replace("[]", "[\\]"), "(?<name>x)", "\\d+\\.\\w", "[(?=]", "\\x41"])("%s is accepted", (re) => {
    expect(checkRegex(re)).toEqual({ ok: true });
  });
  test.each([
    ["(a)\\1", "backreference"],
    ["(?<n>a)\\k<n>", "named backreference"],
    ["a(?=b)", "lookahead"],
    ["a(?!b)", "negative lookahead"],
    ["(?<=a)b", "lookbehind"],
    ["(?<!a)b", "negative lookbehind"],
    ["\\Aabc", "read differently"],
    ["[]a]", "class starting with"],
    ["\\x4", "without two hex digits"],
    ["(", "does not compile"],
    ["(?P<n>a)", "does not compile"],
  ])("%s is rejected (%s)", (re, why) => {
    const r = checkRegex(re);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });
  test("named groups in Go syntax get a specific help", () => {
    const r = checkRegex("(?P<n>a)");
    expect(r.ok ? "" : r.help).toContain("(?<name>...)");
  });
});

describe("did you mean", () => {
  test("edit distance counts a transposition as one edit", () => {
    expect(editDistance("protcet", "protect")).toBe(1);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
  test("suggests only close names", () => {
    expect(closest("web-fronted", ["web-frontend", "api", "db"])).toBe("web-frontend");
    expect(closest("postgress", ["postgresql", "mysql"])).toBe("postgresql");
    expect(closest("xy", ["api", "db"])).toBeUndefined();
    expect(closest("HTTP", ["http"])).toBe("http");
  });
});

describe("service group names", () => {
  test("nv.<service>.<namespace>", () => {
    expect(parseServiceName("nv.web.shop-dev")).toEqual({ ok: true, service: "web", namespace: "shop-dev" });
  });
  test.each(["nv.web", "nv.a.b.c", "xx.web.shop", "nv.Web.shop", "nv.web.-shop", "nv..shop"])("%s is rejected", (n) => {
    expect(parseServiceName(n).ok).toBe(false);
  });
});

describe("port normalization", () => {
  test("merges overlapping and adjacent ranges per protocol, icmp first", () => {
    expect(
      normalizePorts([
        { proto: "udp", lo: 53, hi: 53 },
        { proto: "tcp", lo: 81, hi: 90 },
        { proto: "tcp", lo: 80, hi: 80 },
        { proto: "icmp", lo: 0, hi: 65535 },
        { proto: "tcp", lo: 85, hi: 100 },
        { proto: "icmp", lo: 0, hi: 65535 },
      ]),
    ).toEqual([
      { proto: "icmp", lo: 0, hi: 65535 },
      { proto: "tcp", lo: 80, hi: 100 },
      { proto: "udp", lo: 53, hi: 53 },
    ]);
  });
  test("any swallows everything", () => {
    expect(normalizePorts([{ proto: "tcp", lo: 1, hi: 2 }, { proto: "any", lo: 0, hi: 65535 }])).toEqual([{ proto: "any", lo: 0, hi: 65535 }]);
  });
});

describe("criteria matching used by the lints", () => {
  test("globs are anchored; * and ? only", () => {
    expect(globMatch("web-*", "web-1")).toBe(true);
    expect(globMatch("web-*", "xweb-1")).toBe(false);
    expect(globMatch("w?b", "web")).toBe(true);
    expect(globMatch("a.c", "abc")).toBe(false);
    expect(globMatch("*", "")).toBe(true);
    expect(globMatch("a*b*c", "aXbYbc")).toBe(true);
  });
  test("operators", () => {
    expect(accepts({ key: "service", op: "=", value: "any" }, "x")).toBe(true);
    expect(accepts({ key: "service", op: "!=", value: "web*" }, "web-1")).toBe(false);
    expect(accepts({ key: "image", op: "prefix", value: "reg/" }, "reg/app")).toBe(true);
    expect(accepts({ key: "image", op: "contains", value: "app" }, "reg/app:1")).toBe(true);
    expect(accepts({ key: "node", op: "regex", value: "^n[0-9]$" }, "n1")).toBe(true);
    expect(accepts({ key: "node", op: "!regex", value: "^n[0-9]$" }, "n1")).toBe(false);
  });
});
