/**
 * fast-check arbitraries for whole `.nvp` ASTs (several files), built for the checker's "never
 * throws" property: every field draws from small pools that mix valid and invalid values (names
 * that collide with built-ins and each other, templates with unknown parameters, bad addresses,
 * out-of-range ports and ids, unknown apps and settings), so one run exercises most diagnostics.
 */
import fc from "fast-check";
import {
  CRITERION_KEYS,
  CRITERION_OPS,
  type AddressItem,
  type Criterion,
  type GroupEntry,
  type Item,
  type PortItem,
  type SourceFile,
  type Template,
  type Value,
} from "../../compiler/ast/types.js";
import { file, ident, span } from "../check/ast-helpers.js";

const NAMES = ["web", "api", "db", "fe", "any", "external", "nodes", "containers", "nv.web.shop", "nv.x", "g-1", "web-2"];
const PARAMS = ["ns", "env", "x"];
const TEXT = ["nv.", "web", ".", "shop", "", "10.0.0.1", "*.example.com", "a.*.b", "vh", "-", "^x*", "(a)\\1", "a(?=b)", "any", "*"];
const ADDRESSES = [
  "10.0.0.0/8", "10.1.2.3/8", "10.0.0.0/33", "10.0.0.1-10.0.0.9", "10.0.0.9-10.0.0.1", "fd00::/8", "::1", "fd00:::1",
  "db.example.com", "*.example.com", "*.com", "db", "a.*.b", "10.0.0.256", "1-2", "", "host.123",
];
const APPS = ["http", "HTTP", "ssl", "postgres", "postgress", "gopher", "any", "nginx"];
const SETTING_KEYS = ["xff", "contention", "default-mode", "nodes-mode", "contension", "frob"];
const SETTING_VALUES = ["on", "off", "strict", "basic", "discover", "monitor", "protect", "maybe", "5s", "10"];
const MODES = ["discover", "monitor", "protect", "protcet", "learn"];

const templateArb: fc.Arbitrary<Template> = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TEXT) }, { weight: 1, arbitrary: fc.constantFrom(...PARAMS, "nope") }).map((x) => x), {
    minLength: 1,
    maxLength: 3,
  })
  .map((parts) => ({
    kind: "template" as const,
    quoted: false,
    parts: parts.map((p) => (PARAMS.includes(p) || p === "nope" ? { kind: "param-ref" as const, name: p, span: span() } : p)),
    span: span(),
  }));

const plainTemplate = (pool: readonly string[]): fc.Arbitrary<Template> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...pool).map((t): Template => ({ kind: "template", quoted: false, parts: [t], span: span() })) },
    { weight: 1, arbitrary: templateArb },
  );

const valueArb: fc.Arbitrary<Value> = fc.oneof(
  templateArb,
  fc.constantFrom(...PARAMS, "any", "front").map((name): Value => ({ kind: "param-ref", name, span: span() })),
);

const criterionArb: fc.Arbitrary<Criterion> = fc
  .record({ key: fc.constantFrom(...CRITERION_KEYS), op: fc.constantFrom(...CRITERION_OPS), value: valueArb, labelKey: plainTemplate(["app", "tier", ""]) })
  .map(({ key, op, value, labelKey }) => {
    const c: Criterion = { kind: "criterion", key, keySpan: span(), op, opSpan: span(), value, span: span() };
    if (key === "label" || key === "ns-label") c.labelKey = labelKey;
    return c;
  });

const addressItemArb: fc.Arbitrary<AddressItem> = fc
  .record({ vh: fc.boolean(), value: plainTemplate(ADDRESSES) })
  .map(({ vh, value }) => ({ vh, value, span: span() }));

const modeArb = fc
  .record({ scope: fc.constantFrom("all" as const, "network" as const, "process" as const), mode: fc.constantFrom(...MODES) })
  .map(({ scope, mode }) => ({ kind: "mode" as const, scope, mode: ident(mode), span: span() }));

const entryArb: fc.Arbitrary<GroupEntry> = fc.oneof(
  { weight: 3, arbitrary: criterionArb },
  { weight: 2, arbitrary: fc.array(addressItemArb, { maxLength: 3 }).map((items): GroupEntry => ({ kind: "address", items, span: span() })) },
  { weight: 1, arbitrary: modeArb },
);

const portArb: fc.Arbitrary<PortItem> = fc
  .record({
    proto: fc.constantFrom("tcp" as const, "udp" as const, "icmp" as const, "any" as const, null),
    any: fc.boolean(),
    lo: fc.option(fc.constantFrom(0, 1, 80, 65535, 65536, -1, 1e9), { nil: undefined }),
    hi: fc.option(fc.constantFrom(0, 79, 443, 65535, 70000), { nil: undefined }),
  })
  .map(({ proto, any, lo, hi }) => {
    const p: PortItem = { proto, any, span: span() };
    if (lo !== undefined) p.lo = lo;
    if (hi !== undefined) p.hi = hi;
    return p;
  });

const refArb = plainTemplate(NAMES).map((name) => ({ name, span: span() }));

const itemArb: fc.Arbitrary<Item> = fc.oneof(
  fc.constantFrom("shop", "other").map((n): Item => ({ kind: "policy", name: ident(n), span: span() })),
  fc.record({ name: fc.constantFrom(...PARAMS, "zz"), def: fc.option(templateArb, { nil: undefined }) }).map(({ name, def }): Item => {
    const p: Item = { kind: "param", name: ident(name), span: span() };
    if (def) p.default = def;
    return p;
  }),
  fc
    .record({ name: fc.constantFrom(...NAMES), selector: plainTemplate(["nv.web.shop", "nv.api.shop", "nv.bad", "web", "nv.A.b"]), props: fc.array(modeArb, { maxLength: 2 }) })
    .map(({ name, selector, props }): Item => ({ kind: "service", name: ident(name), selector, props, span: span() })),
  fc
    .record({ name: fc.constantFrom(...NAMES), entries: fc.array(entryArb, { maxLength: 4 }) })
    .map(({ name, entries }): Item => ({ kind: "group", name: ident(name), entries, span: span() })),
  fc
    .record({
      id: fc.constantFrom(0, 1, 2, 10, 20, 4294967295, 4294967296, 1.5),
      action: fc.constantFrom("allow" as const, "deny" as const),
      from: fc.array(refArb, { minLength: 1, maxLength: 3 }),
      to: fc.array(refArb, { minLength: 1, maxLength: 3 }),
      apps: fc.array(fc.constantFrom(...APPS).map(ident), { maxLength: 2 }),
      ports: fc.array(portArb, { maxLength: 3 }),
      learned: fc.boolean(),
    })
    .map((r): Item => ({ kind: "rule", ...r, idSpan: span(), span: span() })),
  fc
    .array(
      fc.record({ key: fc.constantFrom(...SETTING_KEYS), values: fc.array(fc.constantFrom(...SETTING_VALUES), { maxLength: 2 }) }),
      { maxLength: 3 },
    )
    .map((entries): Item => ({
      kind: "settings",
      entries: entries.map((e) => ({
        key: ident(e.key),
        values: e.values.map((text) => ({ kind: "word" as const, text, span: span() })),
        span: span(),
      })),
      span: span(),
    })),
);

/** One to three files of random items (imports are the loader's business and left out). */
export function arbSourceFiles(): fc.Arbitrary<SourceFile[]> {
  return fc
    .array(fc.array(itemArb, { maxLength: 12 }), { minLength: 1, maxLength: 3 })
    .map((files) => files.map((items, i) => file(`f${i}.nvp`, items)));
}

/** `--set` values: declared, undeclared and odd ones. */
export function arbParams(): fc.Arbitrary<Record<string, string>> {
  return fc.dictionary(fc.constantFrom(...PARAMS, "undeclared"), fc.constantFrom("shop", "", "${x}", "a.b"), { maxKeys: 3 });
}
