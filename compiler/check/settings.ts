/**
 * `settings { … }` blocks, from every file: each key validated against the settings table, given
 * once across the whole policy, and folded with the defaults into SettingsModel. A threat's
 * `release` may not exceed its `threshold` (a detection would switch off before it switched on).
 * A policy that sets only the threshold keeps the default hysteresis in proportion: the release
 * becomes threshold × default release / default threshold (`syn-flood.threshold 80` releases
 * below 60, as 800 does below 600).
 */
import type { Mode } from "../../common/schema.js";
import { THREATS } from "../../common/threats.js";
import type { Setting, SettingsDecl } from "../ast/types.js";
import type { Contention, SettingsModel } from "../model.js";
import { type Diags, q, suggest } from "./diag.js";
import { CORE_SETTINGS, SETTINGS, findSetting } from "./settings-table.js";

export interface CheckedSettings {
  model: SettingsModel;
  /** Settings the policy wrote, normalized, with where (for lints such as Discover mode left on). */
  explicit: Map<string, { value: string; entry: Setting }>;
}

export function checkSettings(decls: readonly SettingsDecl[], d: Diags): CheckedSettings {
  const explicit = new Map<string, { value: string; entry: Setting }>();
  const seen = new Map<string, Setting>();
  for (const decl of decls) {
    for (const entry of decl.entries) {
      const key = entry.key.text;
      const spec = findSetting(key);
      if (!spec) {
        d.error("NV2210", {
          span: entry.key.span,
          message: `unknown setting ${q(key)}`,
          label: "not a setting",
          help: suggest(key, SETTINGS.map((s) => s.key), `known settings: ${CORE_SETTINGS.join(", ")}, and the threat settings of docs/threats.md`),
        });
        continue;
      }
      const first = seen.get(key);
      if (first) {
        d.error("NV2216", {
          span: entry.key.span,
          message: `setting ${q(key)} is given twice`,
          label: "second setting",
          help: "keep one of them",
          related: [{ span: first.key.span, message: "first set here" }],
        });
        continue;
      }
      seen.set(key, entry);
      const r = spec.validate(entry.values);
      if (!r.ok) {
        d.error("NV2211", {
          span: r.at?.span ?? entry.span,
          message: `setting ${q(key)} ${r.error}`,
          label: `expected ${spec.accepts}`,
          help: r.help,
        });
        continue;
      }
      explicit.set(key, { value: r.value, entry });
    }
  }
  const value = (key: string): string => explicit.get(key)?.value ?? scaledRelease(key, explicit) ?? findSetting(key)?.default ?? "";
  checkRelease(explicit, value, d);
  const extra: Record<string, string> = {};
  for (const s of SETTINGS) {
    if (!CORE_SETTINGS.includes(s.key)) extra[s.key] = value(s.key);
  }
  return {
    model: {
      xff: value("xff") === "on",
      contention: value("contention") as Contention,
      defaultMode: value("default-mode") as Mode,
      nodesMode: value("nodes-mode") as Mode,
      extra,
    },
    explicit,
  };
}

/** A release the policy did not set, for a threshold it did: the default ratio kept. */
function scaledRelease(key: string, explicit: CheckedSettings["explicit"]): string | undefined {
  if (!key.endsWith(".release")) return undefined;
  const slug = key.slice(0, -".release".length);
  const threshold = explicit.get(`${slug}.threshold`);
  const t = THREATS.find((x) => x.slug === slug);
  const defThreshold = t?.params.find((p) => p.name === "threshold")?.default;
  const defRelease = t?.params.find((p) => p.name === "release")?.default;
  if (!threshold || defThreshold === undefined || defRelease === undefined) return undefined;
  return String(Math.floor((Number(threshold.value) * defRelease) / defThreshold));
}

/** NV2220: a rate detection's `release` above its `threshold`, where the policy set either. */
function checkRelease(explicit: CheckedSettings["explicit"], value: (key: string) => string, d: Diags): void {
  for (const t of THREATS) {
    if (!t.params.some((p) => p.name === "release") || !t.params.some((p) => p.name === "threshold")) continue;
    const rel = `${t.slug}.release`;
    const thr = `${t.slug}.threshold`;
    const at = explicit.get(rel) ?? explicit.get(thr);
    if (!at || Number(value(rel)) <= Number(value(thr))) continue;
    const other = at === explicit.get(rel) ? explicit.get(thr) : explicit.get(rel);
    d.error("NV2220", {
      span: at.entry.span,
      message: `${q(rel)} ${value(rel)} is above ${q(thr)} ${value(thr)}`,
      label: at === explicit.get(rel) ? "release above the threshold" : "threshold below the release",
      help: `the detection stays on until the count falls below \`release\`: give it a value at or below \`threshold\``,
      ...(other ? { related: [{ span: other.entry.span, message: "the other setting" }] } : {}),
    });
  }
}
