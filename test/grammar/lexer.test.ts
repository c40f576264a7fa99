import { describe, expect, test } from "vitest";
import { tokenize } from "../../grammar/lexer.js";

function kinds(src: string): string[] {
  return tokenize("t.nvp", src).tokens.map((t) => `${t.tokenType.name.replace(/^Kw_/, "kw:")} ${t.image}`);
}

describe("lexer", () => {
  test("`web->api` is a name, an arrow and a name", () => {
    expect(kinds("web->api")).toEqual(["Word web", "Arrow ->", "Word api"]);
  });

  test("IPv6 addresses are not names, and hex-looking names stay names", () => {
    expect(kinds("face cafe.example.com fe80::1 ::1 2001:db8::/32 fd00::1-fd00::9")).toEqual([
      "Word face", "Word cafe.example.com", "AddressLit fe80::1", "AddressLit ::1", "AddressLit 2001:db8::/32",
      "AddressLit fd00::1-fd00::9",
    ]);
  });

  test("numbers, ranges, durations, ports and IPv4 forms", () => {
    expect(kinds("80 8000-8080 5s 500ms 2m tcp/80 UDP/53-60 tcp/any 10.0.0.0/8 10.0.0.1-10.0.0.9 *.x.com 1.example.com")).toEqual([
      "NumberLit 80", "NumRange 8000-8080", "Duration 5s", "Duration 500ms", "Duration 2m", "PortSpec tcp/80",
      "PortSpec UDP/53-60", "PortSpec tcp/any", "AddressLit 10.0.0.0/8", "AddressLit 10.0.0.1-10.0.0.9",
      "AddressLit *.x.com", "AddressLit 1.example.com",
    ]);
  });

  test("keywords are exact lower-case words; longer words are names", () => {
    expect(kinds("rule rules Rule default-mode")).toEqual(["kw:rule rule", "Word rules", "Word Rule", "Word default-mode"]);
  });

  test("operators, including the NeuVector shorthands", () => {
    expect(kinds("= != @ ^ ~ !~ !regex contains prefix regex")).toEqual([
      "Eq =", "NotEq !=", "At @", "Caret ^", "Tilde ~", "NotTilde !~", "NotRegex !regex", "kw:contains contains",
      "kw:prefix prefix", "kw:regex regex",
    ]);
  });

  test("templates: words and strings split into literal parts and parameter references", () => {
    const { tokens } = tokenize("t.nvp", 'nv.web.${ns} "a\\"b\\\\c\\n\\t\\$${x}-${y}"');
    expect(tokens[0]?.payload).toEqual(["nv.web.", { name: "ns", start: 7, end: 12 }]);
    expect(tokens[1]?.payload).toEqual(['a"b\\c\n\t$', { name: "x", start: 27, end: 31 }, "-", { name: "y", start: 32, end: 36 }]);
  });

  test("`vh:` is its own token, then any address form", () => {
    expect(kinds('vh:shop.example.com vh:*.x.com vh:"a.b"')).toEqual([
      "VhPrefix vh:", "Word shop.example.com", "VhPrefix vh:", "AddressLit *.x.com", "VhPrefix vh:", 'StringLit "a.b"',
    ]);
  });

  test("comments are collected with their text and span; line breaks are tokens", () => {
    const r = tokenize("t.nvp", "a # one\r\n# two\nb");
    expect(r.comments.map((c) => [c.text, c.span.start.line, c.span.start.col])).toEqual([[" one", 1, 3], [" two", 2, 1]]);
    expect(r.tokens.map((t) => t.tokenType.name)).toEqual(["Word", "Newline", "Newline", "Word"]);
  });

  test.each([
    ["%", "NV0010", "unexpected character `%`", "%"],
    ["a $$$ b", "NV0010", "unexpected characters `$$$`", "$$$"],
    ['"abc', "NV0011", "unterminated string", '"abc'],
    ['"a\\qb"', "NV0012", "unknown escape `\\q` in string", "\\q"],
    ['"${ns"', "NV0013", "unterminated `${`", "${ns"],
    ["${}", "NV0013", "invalid parameter reference `${}`", "${}"],
    ["80abc", "NV0014", "invalid token `80abc`", "80abc"],
    ["web.", "NV0014", "invalid token `web.`", "web."],
    ["app.kubernetes.io/name", "NV0014", "invalid token `app.kubernetes.io/name`", "app.kubernetes.io/name"],
    ["!x", "NV0010", "unexpected character `!`", "!"],
  ])("lexical error in %j", (src, code, message, underlined) => {
    const { diagnostics } = tokenize("t.nvp", src);
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0]!;
    expect({ code: d.code, message: d.message, underlined: src.slice(d.span!.start.offset, d.span!.end.offset) })
      .toEqual({ code, message, underlined });
    expect(d.help).toBeTruthy();
  });

  // How long this takes is bench/garbage.ts's business; here, what comes out: one token per word.
  test("a megabyte on one line: one name and one invalid token, each spanning its megabyte", () => {
    const line = "a-".repeat(500_000) + "b " + ":".repeat(1_000_000) + "g";
    const r = tokenize("t.nvp", line);
    expect(r.tokens.map((t) => [t.tokenType.name, t.image.length])).toEqual([["Word", 1_000_001]]);
    expect(r.diagnostics.map((d) => [d.code, d.span!.start.offset, d.span!.end.offset])).toEqual([
      ["NV0014", 1_000_002, 2_000_003],
    ]);
  });
});
