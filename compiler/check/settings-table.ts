/**
 * Every `settings { … }` key the language knows: one row per key with its validator and default.
 * The four core settings fill the typed fields of SettingsModel; any other row lands in
 * `SettingsModel.extra` (threat thresholds and the like) with its default when unset, so adding a
 * setting is adding a row here — the checker, `did you mean` and the docs table read this list.
 * The threat rows are generated from the catalog (common/threats.ts): `slug`, `slug.action`,
 * `slug.severity` and one row per parameter, so a new detection brings its settings with it.
 */
import { MODES } from "../../common/schema.js";
import { SEVERITIES, THREATS, type ThreatInfo, type ThreatParam } from "../../common/threats.js";
import type { SettingValue } from "../ast/types.js";

export type SettingResult = { ok: true; value: string } | { ok: false; error: string; help: string; at?: SettingValue };

export interface SettingSpec {
  key: string;
  /** One line for docs and `help:`; says what the setting does. */
  description: string;
  /** The accepted forms, shown in help text: `on|off`, `1..65535`, `1s..1h`. */
  accepts: string;
  /** The value in force when the policy does not set it, in normalized form. */
  default: string;
  validate(values: readonly SettingValue[]): SettingResult;
}

function single(values: readonly SettingValue[], accepts: string): SettingValue | SettingResult {
  if (values.length === 1) return values[0]!;
  if (values.length === 0) return { ok: false, error: "is missing a value", help: `give one of ${accepts}` };
  return { ok: false, error: "takes one value", help: `give one of ${accepts}`, at: values[1] };
}

function isResult(x: SettingValue | SettingResult): x is SettingResult {
  return "ok" in x;
}

/** One word from a fixed list; `aliases` map extra spellings (`true`) to a canonical word (`on`). */
export function oneOf(words: readonly string[], aliases: Record<string, string> = {}) {
  const accepts = words.join("|");
  return {
    accepts,
    validate(values: readonly SettingValue[]): SettingResult {
      const v = single(values, accepts);
      if (isResult(v)) return v;
      const w = v.text.toLowerCase();
      const canon = words.includes(w) ? w : aliases[w];
      if (canon === undefined) return { ok: false, error: `cannot be \`${v.text}\``, help: `use one of ${accepts}`, at: v };
      return { ok: true, value: canon };
    },
  };
}

/** An integer in [min, max], normalized to decimal. */
export function integer(min: number, max: number) {
  const accepts = `${min}..${max}`;
  return {
    accepts,
    validate(values: readonly SettingValue[]): SettingResult {
      const v = single(values, accepts);
      if (isResult(v)) return v;
      const n = /^\d+$/.test(v.text) ? Number(v.text) : NaN;
      if (!(n >= min && n <= max)) return { ok: false, error: `must be an integer in ${accepts}, not \`${v.text}\``, help: `use a number in ${accepts}`, at: v };
      return { ok: true, value: String(n) };
    },
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as `500ms`, `5s`, `2m`, bounded; normalized to milliseconds. */
export function duration(minMs: number, maxMs: number) {
  const accepts = `a duration from ${minMs}ms to ${maxMs / 1000}s (ms, s, m, h)`;
  return {
    accepts,
    validate(values: readonly SettingValue[]): SettingResult {
      const v = single(values, accepts);
      if (isResult(v)) return v;
      const m = /^(\d+)(ms|s|m|h)$/.exec(v.text);
      const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
      if (!(ms >= minMs && ms <= maxMs)) return { ok: false, error: `must be ${accepts}, not \`${v.text}\``, help: "write e.g. `5s` or `500ms`", at: v };
      return { ok: true, value: String(ms) };
    },
  };
}

const onOff = oneOf(["on", "off"], { true: "on", false: "off", yes: "on", no: "off" });
const mode = oneOf(MODES);

/** The settings of one threat of the catalog. */
function threatRows(t: ThreatInfo): SettingSpec[] {
  const param = (p: ThreatParam): SettingSpec => ({
    key: `${t.slug}.${p.name}`,
    description: `${t.name}: ${p.description}`,
    default: String(p.default),
    ...(p.kind === "integer" ? integer(p.min, p.max) : duration(p.min, p.max)),
  });
  return [
    { key: t.slug, description: `${t.name}: ${t.description}`, default: t.enabled ? "on" : "off", ...onOff },
    { key: `${t.slug}.action`, description: `${t.name}: what Protect does, block (drop or reset) or report only`, default: t.action, ...oneOf(["block", "report"]) },
    { key: `${t.slug}.severity`, description: `${t.name}: severity in events`, default: t.severity, ...oneOf(SEVERITIES) },
    ...t.params.map(param),
  ];
}

/** The core settings: the ones with typed fields in SettingsModel. */
export const CORE_SETTINGS: readonly string[] = ["xff", "contention", "default-mode", "nodes-mode"];

export const SETTINGS: SettingSpec[] = [
  {
    key: "xff",
    description: "X-Forwarded-For based policy match: look HTTP requests up a second time with the XFF client as source",
    default: "on",
    ...onOff,
  },
  {
    key: "contention",
    description: "group mode contention resolution: `basic` (least restrictive mode wins) or `strict`",
    default: "basic",
    ...oneOf(["basic", "strict"], { restrictive: "strict" }),
  },
  {
    key: "default-mode",
    description: "mode of service groups the policy does not give a mode (NeuVector's new service mode)",
    default: "discover",
    ...mode,
  },
  {
    key: "nodes-mode",
    description: "mode of the `nodes` group for process and file profiles; recorded only: nodes are unmanaged peers for network rules",
    default: "discover",
    ...mode,
  },
  {
    key: "icmp-policy",
    description:
      "ICMP under network rules (NeuVector's CTRL_EN_ICMP_POLICY): `off` lets ICMP pass unless an `icmp` port rule matches, and `any` rules cover TCP and UDP only",
    default: "off",
    ...onOff,
  },
  {
    key: "link-local-policy",
    description:
      "police link-local 169.254.0.0/16 peers; `off` opens them before any rule, as NeuVector's dpi_policy_lookup_by_key does",
    default: "off",
    ...onOff,
  },
  {
    key: "platform",
    description:
      "where NeuVector enforces east-west policy: `kubernetes` at the destination (ApplyPolicyAtIngress), so flows to a Service IP are open at the client; `openshift` at the source, so they meet the rules and `nv.ip.<svc>.<ns>` groups",
    default: "kubernetes",
    ...oneOf(["kubernetes", "openshift"]),
  },
  ...THREATS.flatMap(threatRows),
];

const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));

export function findSetting(key: string): SettingSpec | undefined {
  return BY_KEY.get(key);
}
