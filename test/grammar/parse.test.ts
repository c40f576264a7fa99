import { describe, expect, test } from "vitest";
import { parseSource } from "../../compiler/ast/parse.js";
import type { GroupDecl, RuleDecl, ServiceDecl } from "../../compiler/ast/types.js";
import { diags, expectOne, FILE, items } from "./helpers.js";

const lit = (...parts: unknown[]) => ({ kind: "template", quoted: false, parts });
const str = (...parts: unknown[]) => ({ kind: "template", quoted: true, parts });
const ref = (name: string) => ({ kind: "param-ref", name });

describe("items", () => {
  test("policy, import, param", () => {
    expect(items('policy shop\nimport "std/net"\nparam ns = "shop-${env}"\nparam port = 5432\nparam req')).toEqual([
      { kind: "policy", name: { text: "shop" } },
      { kind: "import", path: "std/net" },
      { kind: "param", name: { text: "ns" }, default: str("shop-", ref("env")) },
      { kind: "param", name: { text: "port" }, default: lit("5432") },
      { kind: "param", name: { text: "req" } },
    ]);
  });

  test("services: alias, templated selector, optional body, split modes", () => {
    expect(items("service web = nv.web.${ns} { mode protect }\nservice api = nv.api.${ns} { mode network protect; mode process monitor }\nservice db = \"nv.db.x\"")).toEqual([
      { kind: "service", name: { text: "web" }, selector: lit("nv.web.", ref("ns")), props: [{ kind: "mode", scope: "all", mode: { text: "protect" } }] },
      {
        kind: "service", name: { text: "api" }, selector: lit("nv.api.", ref("ns")),
        props: [{ kind: "mode", scope: "network", mode: { text: "protect" } }, { kind: "mode", scope: "process", mode: { text: "monitor" } }],
      },
      { kind: "service", name: { text: "db" }, selector: str("nv.db.x"), props: [] },
    ]);
  });

  test("criteria: every key, every operator and shorthand, label keys bare, quoted or keywords", () => {
    const src = `group g {
      domain = ns; namespace != "kube-*"; service contains "web"; label app = "web"; label "app.kubernetes.io/name" @ "db"
      ns-label team ^ "pay"; image prefix "registry.local/"; node ~ "^n[0-9]"; container !~ "side"; label tier !regex "x"
      label port = 8080; image regex "a"; container = x-\${ns}
    }`;
    const g = items(src)[0] as GroupDecl;
    expect(g.entries.map((e) => e.kind === "criterion" && [e.key, e.labelKey, e.op, e.value])).toEqual([
      ["domain", undefined, "=", ref("ns")],
      ["namespace", undefined, "!=", str("kube-*")],
      ["service", undefined, "contains", str("web")],
      ["label", lit("app"), "=", str("web")],
      ["label", str("app.kubernetes.io/name"), "contains", str("db")],
      ["ns-label", lit("team"), "prefix", str("pay")],
      ["image", undefined, "prefix", str("registry.local/")],
      ["node", undefined, "regex", str("^n[0-9]")],
      ["container", undefined, "!regex", str("side")],
      ["label", lit("tier"), "!regex", str("x")],
      ["label", lit("port"), "=", lit("8080")],
      ["image", undefined, "regex", str("a")],
      ["container", undefined, "=", lit("x-", ref("ns"))],
    ]);
  });

  test("address lists: IPv4, CIDR, ranges, IPv6, names, wildcards, strings, vh:, continued lines", () => {
    const g = items(`group g {
      address 10.20.0.0/16, 10.30.1.5-10.30.1.9, "db.internal.example.com", *.rds.example.com,
              fd00::/8, 2001:db8::10-2001:db8::20, face, vh:shop.example.com, vh:*.shop.example.com, db-\${env}.example.com
    }`)[0] as GroupDecl;
    const list = g.entries[0];
    expect(list?.kind === "address" && list.items.map((i) => [i.vh, i.value])).toEqual([
      [false, lit("10.20.0.0/16")], [false, lit("10.30.1.5-10.30.1.9")], [false, str("db.internal.example.com")],
      [false, lit("*.rds.example.com")], [false, lit("fd00::/8")], [false, lit("2001:db8::10-2001:db8::20")],
      [false, lit("face")], [true, lit("shop.example.com")], [true, lit("*.shop.example.com")],
      [false, lit("db-", ref("env"), ".example.com")],
    ]);
  });

  test("rules: lists, options in any order, built-in and templated groups", () => {
    const [a, b] = items(`rule 25 allow web, api -> nv.cache.\${ns}, external apps redis, http ports tcp/6379, 8000-8080, udp/53, icmp
      rule 20 deny api -> db-ext "locked" learned port TCP/any, udp/any, any, 80 app PostgreSQL`) as RuleDecl[];
    expect(a).toEqual({
      kind: "rule", id: 25, action: "allow", from: [{ name: lit("web") }, { name: lit("api") }],
      to: [{ name: lit("nv.cache.", ref("ns")) }, { name: lit("external") }], apps: [{ text: "redis" }, { text: "http" }],
      ports: [{ proto: "tcp", any: false, lo: 6379 }, { proto: null, any: false, lo: 8000, hi: 8080 },
        { proto: "udp", any: false, lo: 53 }, { proto: "icmp", any: false }],
      learned: false,
    });
    expect(b).toEqual({
      kind: "rule", id: 20, action: "deny", from: [{ name: lit("api") }], to: [{ name: lit("db-ext") }],
      apps: [{ text: "PostgreSQL" }], ports: [{ proto: "tcp", any: true }, { proto: "udp", any: true },
        { proto: "any", any: true }, { proto: null, any: false, lo: 80 }],
      learned: true, comment: "locked",
    });
  });

  test("numbers are stored as written; the checker bounds them", () => {
    const [r] = items("rule 99999999999999 allow a -> b port 99999-7") as RuleDecl[];
    expect([r?.id, r?.ports[0]?.lo, r?.ports[0]?.hi]).toEqual([99999999999999, 99999, 7]);
  });

  test("settings: words, numbers, strings, durations, lists, keyword keys", () => {
    expect(items('settings { xff on; contention strict\n syn-flood.threshold 800; dns-tunnel.window 5s; names "a b", c; mode x }')).toEqual([
      {
        kind: "settings",
        entries: [
          { key: { text: "xff" }, values: [{ kind: "word", text: "on" }] },
          { key: { text: "contention" }, values: [{ kind: "word", text: "strict" }] },
          { key: { text: "syn-flood.threshold" }, values: [{ kind: "number", text: "800" }] },
          { key: { text: "dns-tunnel.window" }, values: [{ kind: "duration", text: "5s" }] },
          { key: { text: "names" }, values: [{ kind: "string", text: "a b" }, { kind: "word", text: "c" }] },
          { key: { text: "mode" }, values: [{ kind: "word", text: "x" }] },
        ],
      },
    ]);
  });

  test("items may share a line or span several; bodies may be empty", () => {
    expect(items("rule 1 allow a\n  -> b\n  port 80 group g { } settings {\n}").map((i) => (i as { kind: string }).kind))
      .toEqual(["rule", "group", "settings"]);
  });

  test("spans are exact", () => {
    const src = "group g {\n  label tier = \"front\"\n}\nrule 10 allow web -> api";
    const r = parseSource(FILE, src);
    const g = r.file.items[0] as GroupDecl;
    const c = g.entries[0]!;
    const at = (s: { start: { offset: number }; end: { offset: number } }) => src.slice(s.start.offset, s.end.offset);
    expect(at(g.span)).toBe(src.slice(0, src.indexOf("}") + 1));
    expect(at(c.span)).toBe('label tier = "front"');
    expect(c.kind === "criterion" && [at(c.keySpan), at(c.opSpan), at(c.labelKey!.span), at(c.value.span)]).toEqual(["label", "=", "tier", '"front"']);
    const rule = r.file.items[1] as RuleDecl;
    expect([at(rule.span), at(rule.idSpan), at(rule.to[0]!.span)]).toEqual(["rule 10 allow web -> api", "10", "api"]);
    expect(rule.span.start).toEqual({ line: 4, col: 1, offset: src.indexOf("rule") });
    const s = parseSource(FILE, "service web = nv.web.${ns}").file.items[0] as ServiceDecl;
    const part = s.selector.parts[1];
    expect(typeof part === "object" && [part.span.start.col, part.span.end.col]).toEqual([22, 27]);
  });

  test("comments are collected in order", () => {
    const r = parseSource(FILE, "# head\nrule 1 allow a -> b # tail\ngroup g {\n  # inside\n}\n# end");
    expect(r.file.comments.map((c) => c.text)).toEqual([" head", " tail", " inside", " end"]);
  });
});

describe("syntax errors", () => {
  test("missing arrow", () => {
    expectOne("rule 10 allow web api app http", {
      code: "NV1001", message: "expected `->` after the rule's source groups, found `api`", underlined: "api",
      label: "expected `->`", help: "rules look like: rule 10 allow web -> api port tcp/80",
    });
  });

  test("bad action", () => {
    expectOne("rule 12 permit web -> api", {
      code: "NV1001", message: "expected `allow` or `deny` after `12`, found `permit`", underlined: "permit",
    });
  });

  test("reserved word as a name", () => {
    expectOne("group rule { }", {
      code: "NV1001", message: "expected a group name after `group`, found `rule`", underlined: "rule",
      help: "`rule` is a reserved word; choose another name",
    });
  });

  test("missing separator between group entries", () => {
    expectOne('group g { domain = ns label x = "y" }', {
      code: "NV1001", message: "expected `;`, a new line or `}` after `ns`, found `label`", underlined: "label",
    });
  });

  test("missing `}` points at the next item and the open brace", () => {
    const src = "group g {\n  domain = ns\nrule 1 allow g -> any";
    const r = parseSource(FILE, src);
    expect(r.diagnostics).toHaveLength(1);
    const d = r.diagnostics[0]!;
    expect([d.code, d.message, d.help]).toEqual(["NV1001", "expected `}`, found `rule`", "close the `{` before starting the next item"]);
    expect(d.related?.[0]?.message).toBe("this `{` is not closed");
    expect(r.file.items.map((i) => i.kind)).toEqual(["group", "rule"]);
  });

  test("error at the end of the file", () => {
    expectOne("rule 1 allow a ->", { code: "NV1001", message: "expected a group name after `->`, found the end of the file", underlined: "" });
  });

  test("stray text between items", () => {
    expectOne("hello world\nrule 1 allow a -> b", {
      code: "NV1003", message: "expected an item, found `hello`", underlined: "hello",
      help: "every item starts with a keyword, e.g. rule 10 allow web -> api port tcp/80",
    });
  });

  test("unexpected tokens after an item", () => {
    expectOne("service web = nv.web.x mode protect", {
      code: "NV1002", message: "unexpected `mode` after the service", underlined: "mode",
      help: "a service's mode goes in braces: service web = nv.web.${ns} { mode protect }",
    });
  });

  test("duplicate rule options name both places", () => {
    const src = "rule 11 allow web -> api port tcp/80 app http port 443";
    const r = parseSource(FILE, src);
    expect(diags(src)).toEqual([{
      code: "NV1018", message: "the rule lists ports twice", underlined: "port 443", label: "given again here",
      help: "merge the lists: `ports tcp/80, tcp/443`",
    }]);
    const rel = r.diagnostics[0]!.related![0]!;
    expect([src.slice(rel.span.start.offset, rel.span.end.offset), rel.message]).toEqual(["port tcp/80", "first given here"]);
  });

  test.each([
    ["a declared name interpolates", "group web-${ns} { }", "NV1010", "a group name cannot use parameters", "${ns}"],
    ["unknown criterion key", 'group g { domian = "x" }', "NV1014", "unknown criterion key `domian`", "domian"],
    ["label name on a key without labels", 'group g { image tier = "x" }', "NV1015", "`image` takes no label name", "tier"],
    ["label without a label name", 'group g { label = "x" }', "NV1016", "`label` needs a label name", "label"],
    ["unknown mode scope", "service s = nv.s.n { mode fast protect }", "NV1013", "unknown mode scope `fast`", "fast"],
    ["huge number", "rule 99999999999999999999 allow a -> b", "NV1017", "rule id `99999999999999999999` is too large", "99999999999999999999"],
    ["not a port", "rule 1 allow a -> b port http", "NV1020", "`http` is not a port", "http"],
    ["bare protocol", "rule 1 allow a -> b port tcp", "NV1020", "`tcp` is not a port", "tcp"],
    ["comment with a parameter", 'rule 1 allow a -> b "for ${x}"', "NV1010", "a rule comment cannot use parameters", "${x}"],
    ["two policy headers", "policy a\npolicy b", "NV1011", "a file has at most one `policy` header", "policy b"],
    ["bad operator", 'group g { domain is "x" }', "NV1001", "expected an operator (`=`, `!=`, `contains`, `prefix`, `regex` or `!regex`) after `domain`, found `is`", "is"],
    ["bad port token", "rule 1 allow a -> b port 10.0.0.1", "NV1001", "expected a port (`tcp/80`, `udp/53-60`, `tcp/any`, `icmp`, `any`, `8080` or `8000-8080`) after `port`, found `10.0.0.1`", "10.0.0.1"],
  ])("%s", (_name, src, code, message, underlined) => {
    expectOne(src, { code, message, underlined });
  });

  test("one mistake per item gives one diagnostic per item, and the good items survive", () => {
    const broken = [
      "rule 1 allow a b", "rule 2 permit a -> b", "group g1 { domain = }", "group g2 { domian = x }",
      "service s = { mode protect }", "param = 1", 'import std', "settings { xff }", "rule 3 allow a -> b port foo",
      "group g3 { address }",
    ];
    const src = broken.flatMap((b, i) => [b, `rule ${100 + i} allow ok -> ok`]).join("\n");
    const r = parseSource(FILE, src);
    expect(r.diagnostics.map((d) => d.span!.start.line)).toEqual(broken.map((_b, i) => 2 * i + 1));
    expect(r.file.items.filter((i) => i.kind === "rule" && i.id >= 100)).toHaveLength(10);
  });

  test("a lexical error is not echoed by a syntax error in the same item", () => {
    expect(diags("rule 1 allow a -> b port 80abc\nrule 2 allow a -> b").map((d) => d.code)).toEqual(["NV0014"]);
  });

  test("errors are capped at 100 plus one `too many errors`", () => {
    const src = "rule x\n".repeat(500);
    const ds = parseSource(FILE, src).diagnostics;
    expect(ds).toHaveLength(101);
    expect(ds[100]).toMatchObject({ code: "NV1099", message: "too many errors; stopped after 100" });
    expect(ds[100]!.span!.start.line).toBe(101);
  });
});

describe("trailing tokens", () => {
  test("a word after a complete rule is reported as unexpected, not as `expected EOF`", () => {
    expectOne("rule 1 allow a -> b apps postgresql app2", {
      code: "NV1002", message: "unexpected `app2` after the rule", underlined: "app2",
    });
  });
});

describe("code catalog", () => {
  test("every front-end code the sources can emit has a catalog entry", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const { SYNTAX_CODES } = await import("../../common/codes/syntax.js");
    const files = [
      ...readdirSync("grammar").map((f) => `grammar/${f}`),
      ...readdirSync("compiler/ast").map((f) => `compiler/ast/${f}`),
      "compiler/source.ts",
      "compiler/fmt/index.ts",
    ].filter((f) => f.endsWith(".ts") && !f.endsWith("codes.ts"));
    const used = new Set(files.flatMap((f) => readFileSync(f, "utf8").match(/NV[01]\d{3}/g) ?? []));
    expect([...used].filter((c) => !(c in SYNTAX_CODES))).toEqual([]);
    expect(Object.keys(SYNTAX_CODES).filter((c) => !used.has(c))).toEqual([]);
  });
});
