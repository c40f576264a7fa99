/**
 * `settings { … }` blocks, from every file: each key validated against the settings table, given
 * once across the whole policy, and folded with the defaults into SettingsModel.
 */
import type { Mode } from "../../common/schema.js";
import type { Setting, SettingsDecl } from "../ast/types.js";
import type { Contention, SettingsModel } from "../model.js";
import { type Diags, q, suggest } from "./diag.js";
import { SETTINGS, findSetting } from "./settings-table.js";

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
          help: suggest(key, SETTINGS.map((s) => s.key), `known settings: ${SETTINGS.map((s) => s.key).join(", ")}`),
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
  const value = (key: string): string => explicit.get(key)?.value ?? findSetting(key)?.default ?? "";
  const extra: Record<string, string> = {};
  for (const s of SETTINGS) {
    if (!CORE.has(s.key)) extra[s.key] = value(s.key);
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

/** Settings with a typed field in SettingsModel; every other row goes to `extra`. */
const CORE = new Set(["xff", "contention", "default-mode", "nodes-mode"]);
