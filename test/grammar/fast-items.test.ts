/**
 * The fast path for rules and address groups (compiler/ast/fast-items.ts) against the parser and
 * builder: whenever it builds an item, the parser accepts the item without an error, the builder
 * reports nothing, and both give the same AST, spans included. On valid files, random edits of them,
 * token soups of rule and group words, and every .nvp file of the repository.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { generate, toNvp } from "../../bench/classbench.js";
import { generatePolicy } from "../../bench/gen-policy.js";
import { buildItem } from "../../compiler/ast/build.js";
import { fastItem } from "../../compiler/ast/fast-items.js";
import { parseSource } from "../../compiler/ast/parse.js";
import { formatSource } from "../../compiler/fmt/format.js";
import { ItemSplitter } from "../../grammar/items.js";
import { Scanner } from "../../grammar/lexer.js";
import { parseItem } from "../../grammar/parser.js";
import { arbSourceFile } from "../arbitraries/ast.js";
import { REPO_ROOT, repoFiles } from "../repo-files.js";

/** Compares both paths on every item of `text`; returns how many items took the fast path, of how many. */
function bothWays(text: string, path = "t.nvp"): { fast: number; items: number } {
  const splitter = new ItemSplitter(new Scanner(path, text));
  let fast = 0;
  let items = 0;
  for (let chunk = splitter.nextChunk(); chunk; chunk = splitter.nextChunk()) {
    if (!chunk.rule || chunk.truncated) continue;
    items++;
    const quick = fastItem(path, chunk.rule, chunk.tokens);
    if (!quick) continue;
    fast++;
    const { cst, errors } = parseItem(chunk.rule, chunk.tokens);
    const ctx = { file: path, diagnostics: [] };
    const slow = buildItem(ctx, chunk.rule, cst);
    const what = chunk.tokens.map((t) => t.image).join(" ");
    expect(errors.map((e) => e.message), what).toEqual([]);
    expect(ctx.diagnostics, what).toEqual([]);
    expect(quick, what).toEqual(slow);
  }
  return { fast, items };
}

// Near-valid items: mostly well-formed pieces, some that the parser or the builder rejects.
const pick = (good: string[], odd: string[]) =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
const list = (item: fc.Arbitrary<string>, sep: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(item, sep), { minLength: 1, maxLength: 3 }).map((xs) => xs.map(([x, s], i) => (i ? s : "") + x).join(""));
const arbRef = pick(["web", "api", "nv.web.${ns}", "x${a}y", "any", "db.ext"], ["port", "10.0.0.1", "tcp/80", '"web"']);
const arbComma = pick([",", ", ", " , ", ",\n"], [" ", ",,"]);
const arbOption = fc.oneof(
  fc.tuple(pick(["port", "ports", "PORT"], ["app"]), list(pick(["tcp/80", "udp/53-60", "tcp/any", "TCP/443", "8080", "8000-8080", "icmp", "any"], ["tcp", "http", "99999999999999999999", "1-2-3", "\"80\""]), arbComma)).map(([k, l]) => `${k} ${l}`),
  fc.tuple(pick(["app", "apps"], ["port"]), list(pick(["http", "redis", "HTTP", "nope", "any"], ["a${x}", "port"]), arbComma)).map(([k, l]) => `${k} ${l}`),
  pick(["learned", '"note"', '"a ${x} \\n"'], ['"open', "{", "}", "->", ",", "rule"]),
);
const arbRuleText = fc
  .tuple(pick(["1", "20", "4294967295"], ["99999999999999999999", "x", ""]), pick(["allow", "deny"], ["accept"]), list(arbRef, arbComma),
    pick(["->", " -> "], ["-", ""]), list(arbRef, arbComma), fc.array(arbOption, { maxLength: 4 }))
  .map(([id, action, from, arrow, to, opts]) => `rule ${id} ${action} ${from}${arrow}${to} ${opts.join(" ")}`);
const arbItemValue = pick(["10.0.0.0/8", "10.0.0.1-10.0.0.9", "fd00::1", '"db.example.com"', "shop.example.com", "*.x.com", "${net}", "x${y}z"], ["mode", "="]);
const arbGroupText = fc
  .tuple(pick(["g", "any"], ["g${x}", "group"]), pick(["{", "{\n", "{ ;"], [""]), pick(["address"], ["addresses", "label x =", "mode"]),
    list(fc.tuple(pick(["", "vh:"], ["vh: "]), arbItemValue).map(([v, x]) => v + x), pick([",", ", ", ",\n  ", ",\n\n"], ["\n,", " ", ", ;"])),
    pick([" }", "\n}", " ;\n }"], ["", "}}", "; mode protect }"]))
  .map(([name, open, kw, items, close]) => `group ${name} ${open} ${kw} ${items}${close}`);

describe("fast path for rules and address groups", () => {
  test("valid files: same items as the parser", () => {
    fc.assert(
      fc.property(arbSourceFile({ maxItems: 10 }), (file) => {
        bothWays(formatSource(file));
      }),
      { numRuns: 300 },
    );
  });

  test("near-valid rules and groups", () => {
    let fast = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(arbRuleText, arbGroupText), { minLength: 1, maxLength: 4 }), (items) => {
        fast += bothWays(items.join("\n") + "\n").fast;
      }),
      { numRuns: 1000 },
    );
    // The generators reach both paths.
    expect(fast).toBeGreaterThan(200);
  });

  test("spans are exact when an item spans lines", () => {
    const r = bothWays('group g {\n  address 10.0.0.1,\n    vh:a.example.com ; \n}\nrule 7 deny a,b->c ports 80, tcp/1-2 apps http learned "x"\n');
    expect(r).toEqual({ fast: 2, items: 2 });
  });

  test("generated policies and ClassBench sets take it for every rule and address group", () => {
    for (const text of [generatePolicy(300, 40, 0).source, toNvp(generate(500, 0).rules).source]) {
      const r = bothWays(text);
      const shapes = text.split("\n").filter((l) => l.startsWith("rule ") || /^group \S+ \{ address /.test(l)).length;
      expect(r.fast).toBe(shapes);
    }
  });

  test("every .nvp file of the repository", () => {
    // A directory walk, not `git ls-files`: the test also runs from a tarball of the repository.
    const files = repoFiles(".nvp");
    expect(files).toContain("examples/shop/shop.nvp");
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) bothWays(readFileSync(join(REPO_ROOT, f), "utf8"), f);
  });

  test("what the fast path leaves to the parser still gets its diagnostics", () => {
    const codes = (src: string) => parseSource("t.nvp", src).diagnostics.map((d) => d.code);
    expect(codes("rule 1 allow a -> b port http")).toEqual(["NV1020"]);
    expect(codes("rule 1 allow a -> b port 80 port 81")).toEqual(["NV1018"]);
    expect(codes("rule 99999999999999999999 allow a -> b")).toEqual(["NV1017"]);
    expect(codes("group g${x} { address 10.0.0.1 }")).toEqual(["NV1010"]);
    expect(codes("rule 1 allow a -> b,")).toEqual(["NV1001"]);
  });
});
