/**
 * fast-check arbitraries of syntactically valid .nvp ASTs (compiler/ast/types.ts), for any test that
 * needs policies: `formatSource(tree)` is always a file that parses without errors back to `tree`
 * (up to spans). Spans are one dummy position; comments are empty (see test/fmt for comments).
 *
 * Trees are normalised as the parser produces them: template parts merge adjacent text, app names are
 * in the formatter's spelling, at most one `policy` header. Names are valid, never reserved words.
 * Names come from small pools so that rules tend to mention declared groups; semantic validity
 * (declared before use, unique ids) is not promised.
 */
import fc from "fast-check";
import { APPS, findApp } from "../../common/apps.js";
import type { Span } from "../../common/span.js";
import {
  CRITERION_KEYS, CRITERION_OPS, type AddressItem, type AddressList, type Criterion, type GroupDecl, type GroupEntry,
  type GroupRef, type Ident, type ImportDecl, type Item, type ModeProp, type ParamDecl, type ParamRef, type PolicyDecl,
  type PortItem, type RuleDecl, type ServiceDecl, type Setting, type SettingsDecl, type SettingValue, type SourceFile,
  type Template, type Value,
} from "../../compiler/ast/types.js";
import { KEYWORDS } from "../../grammar/tokens.js";

export const DUMMY_SPAN: Span = { file: "gen.nvp", start: { line: 1, col: 1, offset: 0 }, end: { line: 1, col: 1, offset: 0 } };
const span = DUMMY_SPAN;

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const WORD_CHARS = `${LOWER}ABCXYZ0123456789_`;

/** One name segment: `[A-Za-z_][A-Za-z0-9_]*` (later segments may start with a digit). */
const segment = (first: boolean): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...(first ? `${LOWER}_XY` : WORD_CHARS)), fc.string({ unit: fc.constantFrom(...WORD_CHARS), maxLength: 5 }))
    .map(([a, b]) => a + b);

/** A name: segments joined by single `-` or `.`, never a reserved word. */
export const arbName: fc.Arbitrary<string> = fc
  .tuple(segment(true), fc.array(fc.tuple(fc.constantFrom("-", "."), segment(false)), { maxLength: 2 }))
  .map(([first, rest]) => first + rest.map(([s, x]) => s + x).join(""))
  .filter((n) => !KEYWORDS.has(n));

/** Names from a small pool, so references hit declarations. */
export const arbPoolName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("web", "api", "db", "cache", "ns", "env", "front-end", "db.ext", "team_2") },
  { weight: 1, arbitrary: arbName },
);

const ident = (text: string): Ident => ({ text, span });
const paramRef = (name: string): ParamRef => ({ kind: "param-ref", name, span });

/** Parts as the parser builds them: adjacent text merged, no empty text. */
export function normaliseParts(parts: readonly (string | ParamRef)[]): (string | ParamRef)[] {
  const out: (string | ParamRef)[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p !== "string") out.push(p);
    else if (p !== "" && typeof last === "string") out[out.length - 1] = last + p;
    else if (p !== "") out.push(p);
  }
  return out;
}

const template = (quoted: boolean, parts: (string | ParamRef)[]): Template => ({
  kind: "template", quoted, parts: normaliseParts(parts), span,
});

/** Any text, including quotes, backslashes, `$`, `${`, tabs, line breaks and non-ASCII. */
const arbText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: fc.constantFrom("a", '"', "\\", "$", "{", "}", "\n", "\t", "\r", "#", " ", "é", "😀"), maxLength: 8 }),
);

/** `"…"` with text and `${param}` parts. */
export const arbQuoted: fc.Arbitrary<Template> = fc
  .array(fc.oneof(arbText, arbPoolName.map(paramRef)), { maxLength: 4 })
  .map((parts) => template(true, parts));

/** A bare word with at least one `${param}`: `nv.web.${ns}`, `${env}-db`. */
export const arbTemplatedWord: fc.Arbitrary<Template> = fc
  .tuple(
    fc.oneof(segment(true), arbPoolName.map(paramRef)),
    fc.array(fc.tuple(fc.constantFrom("-", "."), fc.oneof(segment(false), arbPoolName.map(paramRef))), { maxLength: 3 }),
    arbPoolName.map(paramRef),
    fc.constantFrom("-", "."),
  )
  .map(([first, rest, ref, sep]) => {
    const parts: (string | ParamRef)[] = [first];
    for (const [s, x] of rest) parts.push(s, x);
    parts.push(sep, ref);
    return template(false, parts);
  });

/** A bare word without parameters, as a template (group references, selectors, label keys). */
const arbWordTemplate: fc.Arbitrary<Template> = arbPoolName.map((n) => template(false, [n]));

const arbDigits: fc.Arbitrary<string> = fc.oneof(fc.nat({ max: 70000 }).map(String), fc.constantFrom("0", "007", "65535"));

/** A criterion value: a parameter, a string, a templated word or a number. */
export const arbValue: fc.Arbitrary<Value> = fc.oneof(
  arbPoolName.map(paramRef),
  arbQuoted,
  arbTemplatedWord,
  arbDigits.map((d) => template(false, [d])),
);

const arbLabelKey: fc.Arbitrary<Template> = fc.oneof(
  arbWordTemplate,
  fc.constantFrom(...KEYWORDS.keys()).map((k) => template(false, [k])),
  arbQuoted,
  arbTemplatedWord,
);

export const arbCriterion: fc.Arbitrary<Criterion> = fc
  .tuple(fc.constantFrom(...CRITERION_KEYS), fc.constantFrom(...CRITERION_OPS), arbLabelKey, arbValue)
  .map(([key, op, labelKey, value]) => {
    const c: Criterion = { kind: "criterion", key, keySpan: span, op, opSpan: span, value, span };
    if (key === "label" || key === "ns-label") c.labelKey = labelKey;
    return c;
  });

const ADDRESS_WORDS = [
  "10.0.0.0/8", "10.30.1.5-10.30.1.9", "192.168.1.1", "fd00::/8", "2001:db8::1", "2001:db8::10-2001:db8::20", "::1",
  "*.rds.example.com", "db.internal.example.com", "1.example.com", "face", "cafe.example.com",
];

export const arbAddressItem: fc.Arbitrary<AddressItem> = fc
  .tuple(fc.boolean(), fc.oneof(fc.constantFrom(...ADDRESS_WORDS).map((w) => template(false, [w])), arbQuoted, arbTemplatedWord))
  .map(([vh, value]) => ({ vh, value, span }));

export const arbAddressList: fc.Arbitrary<AddressList> = fc
  .array(arbAddressItem, { minLength: 1, maxLength: 4 })
  .map((items) => ({ kind: "address", items, span }));

export const arbModeProp: fc.Arbitrary<ModeProp> = fc
  .tuple(fc.constantFrom("all", "network", "process") as fc.Arbitrary<ModeProp["scope"]>,
    fc.oneof(fc.constantFrom("discover", "monitor", "protect"), arbName))
  .map(([scope, mode]) => ({ kind: "mode", scope, mode: ident(mode), span }));

const arbGroupEntry: fc.Arbitrary<GroupEntry> = fc.oneof(
  { weight: 4, arbitrary: arbCriterion },
  { weight: 2, arbitrary: arbAddressList },
  { weight: 1, arbitrary: arbModeProp },
);

export const arbGroup: fc.Arbitrary<GroupDecl> = fc
  .tuple(arbPoolName, fc.array(arbGroupEntry, { maxLength: 4 }))
  .map(([name, entries]) => ({ kind: "group", name: ident(name), entries, span }));

export const arbService: fc.Arbitrary<ServiceDecl> = fc
  .tuple(arbPoolName, fc.oneof(arbTemplatedWord, arbWordTemplate, arbQuoted), fc.array(arbModeProp, { maxLength: 2 }))
  .map(([name, selector, props]) => ({ kind: "service", name: ident(name), selector, props, span }));

export const arbParam: fc.Arbitrary<ParamDecl> = fc
  .tuple(arbPoolName, fc.option(fc.oneof(
    arbQuoted, arbTemplatedWord, arbWordTemplate,
    fc.constantFrom("5432", "8000-8080", "5s", "10.0.0.1", "tcp/80").map((w) => template(false, [w])),
  ), { nil: undefined }))
  .map(([name, def]) => (def ? { kind: "param", name: ident(name), default: def, span } : { kind: "param", name: ident(name), span }));

export const arbImport: fc.Arbitrary<ImportDecl> = fc
  .oneof(fc.constantFrom("std/net", "./base.nvp", "../shared/x.nvp"), arbText)
  .map((path) => ({ kind: "import", path, pathSpan: span, span }));

const arbPortNumber = fc.oneof(fc.nat({ max: 70000 }), fc.constantFrom(0, 53, 80, 443, 65535));

export const arbPort: fc.Arbitrary<PortItem> = fc.oneof(
  fc.tuple(arbPortNumber, fc.option(arbPortNumber, { nil: undefined })).map(([lo, hi]): PortItem =>
    hi === undefined ? { proto: null, any: false, lo, span } : { proto: null, any: false, lo, hi, span }),
  fc.tuple(fc.constantFrom("tcp", "udp") as fc.Arbitrary<"tcp" | "udp">, arbPortNumber, fc.option(arbPortNumber, { nil: undefined }))
    .map(([proto, lo, hi]): PortItem => (hi === undefined ? { proto, any: false, lo, span } : { proto, any: false, lo, hi, span })),
  fc.constantFrom("tcp", "udp").map((proto): PortItem => ({ proto: proto as "tcp" | "udp", any: true, span })),
  fc.constant<PortItem>({ proto: "icmp", any: false, span }),
  fc.constant<PortItem>({ proto: "any", any: true, span }),
);

/** Application names as the formatter writes them: NeuVector's spelling, aliases in lower case, or unknown names. */
export const arbApp: fc.Arbitrary<Ident> = fc
  .oneof(
    fc.constantFrom(...APPS.map((a) => a.name)),
    fc.constantFrom(...APPS.flatMap((a) => a.aliases)),
    arbName.filter((n) => findApp(n) === undefined),
  )
  .map(ident);

const arbGroupRef: fc.Arbitrary<GroupRef> = fc
  .oneof(
    { weight: 3, arbitrary: arbWordTemplate },
    { weight: 1, arbitrary: fc.constantFrom("any", "external", "nodes", "containers").map((n) => template(false, [n])) },
    { weight: 1, arbitrary: arbTemplatedWord },
  )
  .map((name) => ({ name, span }));

export const arbRule: fc.Arbitrary<RuleDecl> = fc
  .record({
    id: fc.oneof({ weight: 5, arbitrary: fc.nat({ max: 20000 }) }, { weight: 1, arbitrary: fc.maxSafeNat() }),
    action: fc.constantFrom("allow", "deny") as fc.Arbitrary<"allow" | "deny">,
    from: fc.array(arbGroupRef, { minLength: 1, maxLength: 3 }),
    to: fc.array(arbGroupRef, { minLength: 1, maxLength: 3 }),
    apps: fc.array(arbApp, { maxLength: 3 }),
    ports: fc.array(arbPort, { maxLength: 4 }),
    learned: fc.boolean(),
    comment: fc.option(arbText, { nil: undefined }),
  })
  .map((r) => {
    const { comment, ...rest } = r;
    const rule: RuleDecl = { kind: "rule", idSpan: span, span, ...rest };
    if (comment !== undefined) rule.comment = comment;
    return rule;
  });

const arbSettingValue: fc.Arbitrary<SettingValue> = fc.oneof(
  arbName.map((text): SettingValue => ({ kind: "word", text, span })),
  arbDigits.map((text): SettingValue => ({ kind: "number", text, span })),
  arbText.map((text): SettingValue => ({ kind: "string", text, span })),
  fc.tuple(fc.nat({ max: 999 }), fc.constantFrom("ms", "s", "m", "h")).map(([n, u]): SettingValue => ({ kind: "duration", text: `${n}${u}`, span })),
);

const arbSetting: fc.Arbitrary<Setting> = fc
  .tuple(fc.oneof(arbName, fc.constantFrom("xff", "contention", "default-mode", "syn-flood.threshold")),
    fc.array(arbSettingValue, { minLength: 1, maxLength: 3 }))
  .map(([key, values]) => ({ key: ident(key), values, span }));

export const arbSettings: fc.Arbitrary<SettingsDecl> = fc
  .array(arbSetting, { maxLength: 4 })
  .map((entries) => ({ kind: "settings", entries, span }));

export const arbPolicy: fc.Arbitrary<PolicyDecl> = arbName.map((n) => ({ kind: "policy", name: ident(n), span }));

export const arbItem: fc.Arbitrary<Item> = fc.oneof(
  { weight: 1, arbitrary: arbImport },
  { weight: 2, arbitrary: arbParam },
  { weight: 2, arbitrary: arbService },
  { weight: 3, arbitrary: arbGroup },
  { weight: 4, arbitrary: arbRule },
  { weight: 1, arbitrary: arbSettings },
);

/** A whole file: an optional `policy` header first, then any items in any order. */
export function arbSourceFile(opts: { maxItems?: number; path?: string } = {}): fc.Arbitrary<SourceFile> {
  return fc
    .tuple(fc.option(arbPolicy, { nil: undefined }), fc.array(arbItem, { maxLength: opts.maxItems ?? 12 }))
    .map(([policy, items]): SourceFile => ({
      kind: "file",
      path: opts.path ?? "gen.nvp",
      items: policy ? [policy, ...items] : items,
      comments: [],
    }));
}
