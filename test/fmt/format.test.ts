import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseSource } from "../../compiler/ast/parse.js";
import { stripSpans } from "../../compiler/ast/strip.js";
import { formatSource } from "../../compiler/fmt/format.js";
import { formatText } from "../../compiler/fmt/index.js";
import { arbSourceFile } from "../arbitraries/ast.js";

function parseClean(src: string) {
  const r = parseSource("f.nvp", src);
  expect(r.diagnostics.map((d) => `${d.code} ${d.message} at ${d.span?.start.line}:${d.span?.start.col}`), src).toEqual([]);
  return r.file;
}

function fmt(src: string): string {
  return formatSource(parseClean(src));
}

/** Formats, and checks the result is a fixed point. */
function fmtStable(src: string): string {
  const once = fmt(src);
  expect(fmt(once)).toBe(once);
  return once;
}

describe("layout", () => {
  test("one item per line, a blank line between kinds, single spaces", () => {
    expect(fmtStable('policy   shop\nimport  "std/net"\nparam ns="x" param b\nrule 1 allow a->b\nrule 2 deny a , b -> c')).toBe(
      'policy shop\n\nimport "std/net"\n\nparam ns = "x"\nparam b\n\nrule 1 allow a -> b\nrule 2 deny a, b -> c\n',
    );
  });

  test("blank lines between items of one kind are kept, but never more than one", () => {
    expect(fmtStable("rule 1 allow a -> b\n\n\n\nrule 2 allow a -> b\nrule 3 allow a -> b\n")).toBe(
      "rule 1 allow a -> b\n\nrule 2 allow a -> b\nrule 3 allow a -> b\n",
    );
  });

  test("canonical spellings: operators, ports, app names, option order, singular/plural keywords", () => {
    expect(fmtStable('group g { domain @ "a"; image ^ "b"; node ~ "c"; container !~ "d" }')).toBe(
      'group g { domain contains "a"; image prefix "b"; node regex "c"; container !regex "d" }\n',
    );
    expect(fmtStable('rule 1 allow a -> b "why" learned ports TCP/80, UDP/any, 8080, 1-2 apps postgresql, app2, https, MYSQL')).toBe(
      'rule 1 allow a -> b apps PostgreSQL, app2, https, MySQL ports tcp/80, udp/any, 8080, 1-2 learned "why"\n',
    );
    expect(fmtStable("rule 1 allow a -> b ports icmp app HTTP")).toBe("rule 1 allow a -> b app HTTP port icmp\n");
  });

  test("bodies fold onto one line when they fit and hold no comments", () => {
    expect(fmtStable("group g {\n  domain = ns\n\n  label tier = \"front\"\n}\nsettings {\n xff on\n}\nservice s = nv.s.${ns} {\n}")).toBe(
      'group g { domain = ns; label tier = "front" }\n\nsettings { xff on }\n\nservice s = nv.s.${ns}\n',
    );
  });

  test("long bodies unfold, and long address lists fill lines aligned under the first address", () => {
    const addrs = Array.from({ length: 12 }, (_, i) => `10.0.0.${i + 1}`);
    const out = fmtStable(`group g { label app.kubernetes = "some-long-value"; image prefix "registry.example.com/team/"; address ${addrs.join(", ")} }`);
    expect(out).toBe([
      "group g {",
      '  label app.kubernetes = "some-long-value"',
      '  image prefix "registry.example.com/team/"',
      `  address ${addrs.slice(0, 9).join(", ")},`,
      `          ${addrs.slice(9).join(", ")}`,
      "}",
      "",
    ].join("\n"));
    const many = Array.from({ length: 30 }, (_, i) => `2001:db8::${i + 1}`);
    const lines = fmtStable(`group v6 { address ${many.join(", ")} }`).split("\n");
    expect(lines[1]).toMatch(/^  address 2001:db8::1, 2001:db8::2, .*,$/);
    expect(lines[2]).toMatch(/^ {10}2001:db8::\d+, /);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    expect(lines.slice(1, -2).join(" ").replace(/\s+/g, " ").trim()).toBe(`address ${many.join(", ")}`);
  });

  test("strings are re-escaped; templates and numbers are printed so they read back the same", () => {
    expect(fmtStable('param a = "q\\"b\\\\s\\n\\t\\$${x}${y}"\nrule 99999999999999 allow a -> b "\\${literal}"')).toBe(
      'param a = "q\\"b\\\\s\\n\\t$${x}${y}"\n\nrule 99999999999999 allow a -> b "\\${literal}"\n',
    );
  });
});

describe("comments", () => {
  const src = `# header

policy shop # trailing
# before import
import "std/net"
group db { # open
  # lead
  address 10.0.0.1, # inner
    10.0.0.2 # end of entry

  label a = "b"
  # dangling
} # after brace
rule 1 allow a # mid-rule
  -> b
# eof 1

# eof 2
`;

  test("every comment is kept, in order, and the layout is stable", () => {
    const out = fmtStable(src);
    expect(out).toBe(`# header

policy shop  # trailing

# before import
import "std/net"

group db {  # open
  # lead
  address 10.0.0.1,  # inner
          10.0.0.2  # end of entry

  label a = "b"
  # dangling
}  # after brace

# mid-rule
rule 1 allow a -> b
# eof 1

# eof 2
`);
    expect(parseClean(out).comments.map((c) => c.text)).toEqual(parseClean(src).comments.map((c) => c.text));
  });

  test("a comment after `{` or inside a body keeps the body unfolded", () => {
    expect(fmtStable("settings { # tuned\n xff on }")).toBe("settings {  # tuned\n  xff on\n}\n");
    expect(fmtStable("group g {\n# nothing yet\n}")).toBe("group g {\n  # nothing yet\n}\n");
  });

  test("trailing comments on items that share a line go to the last of them", () => {
    expect(fmtStable("param a = 1 param b = 2 # about b")).toBe("param a = 1\nparam b = 2  # about b\n");
  });

  test("a comment after an address of a list stays after that address, not above the entry or on a neighbour", () => {
    const src = "group g {\n  address 10.0.0.1,   # first\n     10.0.0.2, 10.0.0.3,    # second and third\n  # before the last\n  10.0.0.4\n}\n";
    expect(fmtStable(src)).toBe(
      "group g {\n  address 10.0.0.1,  # first\n          10.0.0.2, 10.0.0.3,  # second and third\n          # before the last\n          10.0.0.4\n}\n",
    );
    // The entry's own trailing comment stays on its last line.
    expect(fmtStable("group g {\n  address 10.0.0.1,  # one\n    10.0.0.2  # two\n  label a = b\n}")).toBe(
      "group g {\n  address 10.0.0.1,  # one\n          10.0.0.2  # two\n  label a = b\n}\n",
    );
  });

  test("trailing whitespace in comments is trimmed; the text is otherwise kept as written", () => {
    expect(fmtStable("#no space   \n#  two spaces\nrule 1 allow a -> b")).toBe("#no space\n#  two spaces\nrule 1 allow a -> b\n");
  });

  test("CRLF line endings and tabs format to LF and spaces, comment texts unchanged", () => {
    const src = "# a\r\ngroup g {\r\n\tdomain = ns\t# b\r\n\tlabel x = \"y\"\r\n}\r\n";
    expect(fmtStable(src)).toBe('# a\ngroup g {\n  domain = ns  # b\n  label x = "y"\n}\n');
  });

  test("a file of comments only", () => {
    expect(fmtStable("# a\n\n\n# b")).toBe("# a\n\n# b\n");
    expect(fmtStable("")).toBe("");
  });
});

describe("formatText", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  test("formats valid files and reports whether they changed", () => {
    const r = formatText("a.nvp", bytes("rule 1 allow a->b"));
    expect(r).toMatchObject({ text: "rule 1 allow a -> b\n", original: "rule 1 allow a->b", diagnostics: [] });
  });

  test("leaves files with errors alone and returns their diagnostics", () => {
    const r = formatText("a.nvp", bytes("rule 1 allow a b"));
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NV1001"]);
    expect(r.sources.get("a.nvp")).toBe("rule 1 allow a b");
    expect(formatText("b.nvp", new Uint8Array([0xff])).diagnostics.map((d) => d.code)).toEqual(["NV0003"]);
  });
});

describe("properties", () => {
  test("parse(format(tree)) is the tree, up to spans", () => {
    fc.assert(
      fc.property(arbSourceFile(), (file) => {
        const text = formatSource(file);
        const back = parseSource(file.path, text);
        expect(back.diagnostics.map((d) => d.message), text).toEqual([]);
        expect(stripSpans(back.file.items)).toEqual(stripSpans(file.items));
      }),
      { numRuns: 300 },
    );
  });

  test("format is idempotent", () => {
    fc.assert(
      fc.property(arbSourceFile(), (file) => {
        const once = formatSource(file);
        expect(formatSource(parseSource(file.path, once).file)).toBe(once);
      }),
      { numRuns: 200 },
    );
  });

  test("comments anywhere a line ends survive formatting, in order, and the result is stable", () => {
    const arb = fc.tuple(
      arbSourceFile({ maxItems: 8 }),
      fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.string({ maxLength: 10 }).map((s) => s.replace(/[\r\n]/g, " "))), { maxLength: 8 }),
    );
    fc.assert(
      fc.property(arb, ([file, notes]) => {
        const lines = formatSource(file).split("\n");
        // Insert comments as own lines or at the end of existing lines; end-of-line comments only
        // after lines that end outside a string (the printer never ends a line inside one).
        notes.forEach(([at, own, text], k) => {
          const i = at % (lines.length + 1);
          const c = `#${k}${text}`;
          if (own || i >= lines.length) lines.splice(i, 0, c);
          else lines[i] = `${lines[i]} ${c}`;
        });
        const src = lines.join("\n");
        const parsed = parseSource("c.nvp", src);
        expect(parsed.diagnostics.map((d) => d.message), src).toEqual([]);
        const once = formatSource(parsed.file);
        const again = parseSource("c.nvp", once);
        expect(again.file.comments.map((c) => c.text.trimEnd())).toEqual(parsed.file.comments.map((c) => c.text.trimEnd()));
        expect(stripSpans(again.file.items)).toEqual(stripSpans(parsed.file.items));
        expect(formatSource(again.file)).toBe(once);
      }),
      { numRuns: 200 },
    );
  });
});
