/**
 * The policy-test file of `nvp test` (docs/formats.md "Policy tests"): which policy, with which
 * parameters, inventory and DNS resolutions, and the expected verdict of each flow. `variants:`
 * runs the same tests under several parameter sets (DEV/QA/PROD). A file with any error yields no
 * suite: a test run on half a file would report a pass it has not earned.
 */
import { basename, dirname, isAbsolute, join } from "node:path";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../../common/diagnostics.js";
import { ACTIONS, MODES, type Action, type Mode } from "../../common/schema.js";
import { inventoryFromValue } from "../inventory/load.js";
import { TESTS } from "./codes.js";
import { readDnsTable } from "./dns.js";
import { readFlow } from "./flows.js";
import type { FileRef, PolicyTestCase, PolicyTestExpect, PolicyTestRun, PolicyTestSuite } from "./policy-test-types.js";
import { at, closest, isRecord, kindOf, pathText, Reader, relatedAt, rootLoc, Sink, spanOf, valueAt, type Loc } from "./reader.js";
import { readDocuments } from "./source-doc.js";

export type * from "./policy-test-types.js";

const TOP_KEYS = ["policy", "params", "inventory", "dns", "tests", "variants"];
const VARIANT_KEYS = ["name", "params", "inventory", "dns", "tests"];
const CASE_KEYS = ["name", "flow", "expect", "variants"];
const EXPECT_KEYS = ["action", "rule", "mode", "awaiting"];
/** `alert` is what several NeuVector screens call a violation. */
const ACTION_ALIASES: Record<string, Action> = { alert: "violate" };

/** Shared inputs of a run: the file's own, or a variant's overriding them. */
interface Inputs {
  params: Record<string, string>;
  inventory: PolicyTestRun["inventory"];
  dns: PolicyTestRun["dns"];
}

export function parsePolicyTests(path: string, text: string): { suite?: PolicyTestSuite; diagnostics: Diagnostic[] } {
  const sink = new Sink();
  const { docs, diagnostics } = readDocuments(path, text, TESTS.syntax);
  sink.addAll(diagnostics);
  const r = new Reader(sink, { type: TESTS.type, missing: TESTS.missing, unknownKey: TESTS.unknownKey });
  const doc = docs[0];
  for (const extra of docs.slice(1)) {
    sink.error(TESTS.shape, "a test file holds one suite", rootLoc(extra), {
      label: "second document",
      help: "use `variants:` to run the tests with several parameter sets",
    });
  }
  if (!doc || doc.value == null) {
    if (diagnostics.length === 0) sink.push({ code: TESTS.noTests, severity: "warning", message: "test file is empty", file: path, help: "add `tests:` with flows and expected verdicts" });
    return { diagnostics: sortDiagnostics(sink.diagnostics) };
  }
  const root = rootLoc(doc);
  const top = doc.value;
  if (!isRecord(top)) {
    sink.error(TESTS.shape, `a test file must be a mapping, found ${kindOf(top)}`, root, {
      label: "not a test suite",
      help: "a test file is a mapping with `policy`, `inventory` and `tests`",
    });
    return { diagnostics: sortDiagnostics(sink.diagnostics) };
  }
  r.unknownKeys(top, root, TOP_KEYS, "a test file", "error");
  const dir = dirname(path);
  const policy = readPolicy(top, root, dir, path, r);
  const base = readInputs(top, root, dir, r, { params: {}, inventory: { files: [] }, dns: { files: [], inline: {} } });
  const shared = top.tests == null ? [] : readCases(at(root, "tests"), r);
  const variants = top.variants == null ? undefined : r.list(at(root, "variants"), "`variants`", "write `variants:` as a list of `{name, params}`");
  const runs: PolicyTestRun[] = [];
  const reported = new Set<number>();
  if (!variants) {
    checkNoVariantFilter(shared, r);
    runs.push(makeRun(undefined, root, base, shared.map((c) => c.test), r, reported));
  } else {
    const names = new Map<string, Loc>();
    variants.forEach((_, i) => {
      const vloc = at(root, "variants", i);
      const v = r.map(vloc, "a variant", "write a variant as `{name: qa, params: {ns: shop-qa}}`");
      if (!v) return;
      r.unknownKeys(v, vloc, VARIANT_KEYS, "a variant", "error");
      if (!r.required(v, vloc, "name", "variant", "add `name:` (it labels the variant in results)")) return;
      const name = r.string(at(vloc, "name"), "`name`", "write the variant name as a string", { nonEmpty: true });
      if (name === undefined) return;
      const prev = names.get(name);
      if (prev) {
        sink.error(TESTS.variant, `variant \`${name}\` is defined twice`, at(vloc, "name"), { label: "second definition", help: "give each variant its own name", related: relatedAt(prev, "first defined here") });
        return;
      }
      names.set(name, at(vloc, "name"));
      const inputs = readInputs(v, vloc, dir, r, base);
      const own = v.tests == null ? [] : readCases(at(vloc, "tests"), r, `${name} `);
      checkNoVariantFilter(own, r);
      const cases = [...shared.filter((c) => !c.only || c.only.includes(name)), ...own].map((c) => c.test);
      runs.push(makeRun(name, vloc, inputs, cases, r, reported));
    });
    for (const c of shared) {
      c.only?.forEach((n, i) => {
        if (names.has(n)) return;
        const guess = closest(n, [...names.keys()]);
        sink.error(TESTS.variant, `variant \`${n}\` is not defined`, at(c.loc, "variants", i), {
          label: "unknown variant",
          help: guess ? `did you mean \`${guess}\`?` : `the variants are ${[...names.keys()].map((k) => `\`${k}\``).join(", ") || "none"}`,
        });
      });
    }
  }
  if (runs.every((run) => run.cases.length === 0) && !hasErrors(sink.diagnostics)) {
    sink.warn(TESTS.noTests, "test file has no tests", top.tests == null ? root : at(root, "tests"), { label: "nothing to run", help: "add `tests:` with flows and expected verdicts" });
  }
  const ds = sortDiagnostics(sink.diagnostics);
  if (hasErrors(ds) || !policy) return { diagnostics: ds };
  return { suite: { path, policy: policy.files, policyImplicit: policy.implicit, runs }, diagnostics: ds };
}

function makeRun(variant: string | undefined, loc: Loc, inputs: Inputs, cases: PolicyTestCase[], r: Reader, reported: Set<number>): PolicyTestRun {
  const seen = new Map<string, PolicyTestCase>();
  for (const c of cases) {
    const prev = seen.get(c.name);
    // A shared test is in every run: report its clash once, not once per variant.
    if (prev && c.span && !reported.has(c.span.start.offset)) {
      reported.add(c.span.start.offset);
      r.sink.push({
        code: TESTS.duplicateTest,
        severity: "error",
        message: `test \`${c.name}\` is defined twice${variant ? ` in variant \`${variant}\`` : ""}`,
        span: c.span,
        label: "second test with this name",
        help: "give each test its own name, so results can be told apart",
        ...(prev.span ? { related: [{ span: prev.span, message: "first defined here" }] } : {}),
      });
    }
    seen.set(c.name, c);
  }
  const span = spanOf(loc);
  return { ...(variant !== undefined ? { variant } : {}), ...(span ? { span } : {}), params: inputs.params, inventory: inputs.inventory, dns: inputs.dns, cases };
}

function readPolicy(top: Record<string, unknown>, root: Loc, dir: string, path: string, r: Reader): { files: FileRef[]; implicit: boolean } | undefined {
  if (top.policy == null) {
    const m = /^(.+)\.test\.ya?ml$/.exec(basename(path));
    if (m?.[1]) return { files: [{ path: join(dir, `${m[1]}.nvp`), written: `${m[1]}.nvp` }], implicit: true };
    r.sink.error(TESTS.missing, "test file is missing `policy`", root, {
      label: "which policy?",
      help: "add `policy: shop.nvp`, or name the file `shop.test.yaml` beside `shop.nvp`",
    });
    return undefined;
  }
  const files = readFileRefs(at(root, "policy"), dir, "`policy`", r, (written, loc) => {
    if (written.endsWith(".nvp")) return true;
    r.sink.error(TESTS.badPath, `\`${written}\` is not a policy file`, loc, { label: "expected a `.nvp` file", help: "name the policy's `.nvp` source files" });
    return false;
  });
  return files ? { files, implicit: false } : undefined;
}

/** A path or a list of paths, resolved against the test file's directory. */
function readFileRefs(loc: Loc, dir: string, what: string, r: Reader, check: (written: string, loc: Loc) => boolean = () => true): FileRef[] | undefined {
  const v = valueAt(loc);
  const locs = typeof v === "string" ? [loc] : Array.isArray(v) ? v.map((_, i) => at(loc, i)) : undefined;
  if (!locs) {
    r.typeError(loc, what, "a path or a list of paths", `write ${what.replace(/`/g, "")}: file.yaml or a list`);
    return undefined;
  }
  const out: FileRef[] = [];
  let ok = true;
  for (const l of locs) {
    const written = r.string(l, `each entry of ${what}`, "write a path relative to the test file", { nonEmpty: true });
    if (written === undefined || !check(written, l)) {
      ok = false;
      continue;
    }
    const span = spanOf(l);
    out.push({ path: isAbsolute(written) ? written : join(dir, written), written, ...(span ? { span } : {}) });
  }
  return ok ? out : undefined;
}

function readInputs(o: Record<string, unknown>, loc: Loc, dir: string, r: Reader, base: Inputs): Inputs {
  const out: Inputs = { params: { ...base.params }, inventory: base.inventory, dns: base.dns };
  if (o.params != null) {
    const p = r.stringMap(at(loc, "params"), "`params`", "write `params: {ns: shop-qa}`; quote values YAML would read as numbers");
    if (p) Object.assign(out.params, p);
  }
  if (o.inventory != null) {
    const iloc = at(loc, "inventory");
    if (isRecord(o.inventory)) out.inventory = { files: [], inline: inventoryFromValue(iloc, r.sink) };
    else out.inventory = { files: readFileRefs(iloc, dir, "`inventory`", r) ?? [] };
  }
  if (o.dns != null) {
    const dloc = at(loc, "dns");
    if (isRecord(o.dns)) out.dns = { files: [], inline: readDnsTable(dloc, r.sink) };
    else out.dns = { files: readFileRefs(dloc, dir, "`dns`", r) ?? [], inline: {} };
  }
  return out;
}

interface ReadCase {
  test: PolicyTestCase;
  loc: Loc;
  /** `variants:` of a case: the variants it runs in (absent = all). */
  only?: string[];
}

/** `prefix` keeps default names apart: `test 2` in the file, `qa test 2` in variant `qa`. */
function readCases(loc: Loc, r: Reader, prefix = ""): ReadCase[] {
  const list = r.list(loc, "`tests`", "write `tests:` as a list of `{name, flow, expect}`");
  const out: ReadCase[] = [];
  list?.forEach((_, i) => {
    const cloc = at(loc, i);
    const c = r.map(cloc, "a test", "write a test as `{name, flow: {src, dst, port}, expect: {action}}`");
    if (!c) return;
    r.unknownKeys(c, cloc, CASE_KEYS, "a test", "error");
    const hasFlow = r.required(c, cloc, "flow", "test", "add `flow: {src: …, dst: …, port: tcp/8080}`");
    const hasExpect = r.required(c, cloc, "expect", "test", "add `expect: {action: allow}` (or `expect: deny`)");
    const name = c.name == null ? `${prefix}test ${i + 1}` : r.string(at(cloc, "name"), "`name`", "write the test name as a string", { nonEmpty: true });
    const flow = hasFlow ? readFlow(at(cloc, "flow"), r.sink) : undefined;
    const expect = hasExpect ? readExpect(at(cloc, "expect"), r) : undefined;
    const only = c.variants == null ? undefined : r.stringList(at(cloc, "variants"), "`variants`", "list the variant names this test runs in");
    if (name === undefined || !flow || !expect || (c.variants != null && !only)) return;
    const span = spanOf(cloc);
    const flowSpan = spanOf(at(cloc, "flow"));
    out.push({
      test: { name, ...(span ? { span } : {}), flow, ...(flowSpan ? { flowSpan } : {}), expect },
      loc: cloc,
      ...(only ? { only } : {}),
    });
  });
  return out;
}

/** Variant-level tests already belong to one variant; a file without variants has none to pick. */
function checkNoVariantFilter(cases: ReadCase[], r: Reader): void {
  for (const c of cases) {
    if (!c.only) continue;
    r.sink.error(TESTS.variant, "`variants` has no effect here", at(c.loc, "variants"), {
      label: "no variants to choose from",
      help: `a test under \`${pathText(c.loc.parent?.path ?? [])}\` runs in exactly one place; remove \`variants\``,
      part: "key",
    });
  }
}

function readExpect(loc: Loc, r: Reader): PolicyTestExpect | undefined {
  const v = valueAt(loc);
  const span = spanOf(loc);
  const withSpan = (e: PolicyTestExpect): PolicyTestExpect => (span ? { ...e, span } : e);
  if (typeof v === "string") {
    const action = readAction(loc, r);
    return action ? withSpan({ action }) : undefined;
  }
  const e = r.map(loc, "`expect`", "write `expect: {action: allow, rule: 10}` or `expect: deny`");
  if (!e) return undefined;
  r.unknownKeys(e, loc, EXPECT_KEYS, "`expect`", "error");
  if (!r.required(e, loc, "action", "`expect`", `add \`action:\` (${ACTIONS.join(", ")})`)) return undefined;
  const action = readAction(at(loc, "action"), r);
  let ok = action !== undefined;
  const out: PolicyTestExpect = { action: action ?? "allow" };
  if (e.rule != null) {
    const rule = e.rule;
    if (typeof rule === "number" && Number.isInteger(rule) && rule >= 0 && rule <= 0xffffffff) out.rule = rule;
    else {
      ok = false;
      r.sink.error(TESTS.badRule, `\`${String(rule)}\` is not a rule id`, at(loc, "rule"), { label: "expected a rule id", help: "write the deciding rule's id, e.g. `rule: 10`; `0` is the implicit rule" });
    }
  }
  if (e.mode != null) {
    const mode = readEnum(at(loc, "mode"), "mode", MODES, r);
    if (mode === undefined) ok = false;
    else out.mode = mode as Mode;
  }
  if (e.awaiting != null) {
    const aw = readEnum(at(loc, "awaiting"), "awaiting", ["app", "host"], r);
    if (aw === undefined) ok = false;
    else if (action !== undefined && action !== "pending") {
      ok = false;
      r.sink.error(TESTS.badExpect, `\`awaiting\` only applies to \`pending\`, not \`${action}\``, at(loc, "awaiting"), { label: "never checked", help: "remove `awaiting`, or expect `action: pending`", part: "key" });
    } else out.awaiting = aw as "app" | "host";
  }
  return ok ? withSpan(out) : undefined;
}

function readAction(loc: Loc, r: Reader): Action | undefined {
  const a = readEnum(loc, "action", [...ACTIONS, ...Object.keys(ACTION_ALIASES)], r);
  return a === undefined ? undefined : (ACTION_ALIASES[a] ?? (a as Action));
}

function readEnum(loc: Loc, what: string, allowed: readonly string[], r: Reader): string | undefined {
  const s = r.string(loc, `\`${what}\``, `write one of ${allowed.map((a) => `\`${a}\``).join(", ")}`);
  if (s === undefined) return undefined;
  const v = s.trim().toLowerCase();
  if (allowed.includes(v)) return v;
  const guess = closest(v, allowed);
  r.sink.error(TESTS.badExpect, `\`${s}\` is not a valid ${what}`, loc, {
    label: `unknown ${what}`,
    help: guess ? `did you mean \`${guess}\`?` : `write one of ${allowed.map((a) => `\`${a}\``).join(", ")}`,
  });
  return undefined;
}
