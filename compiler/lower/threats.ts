/**
 * Lowering the threat settings: one IR record per detection of the catalog (common/threats.ts),
 * from the checked settings (`SettingsModel.extra`, already validated and normalized) with the
 * catalog's defaults for anything a hand-built model leaves out. Durations stay milliseconds.
 */
import { SEVERITIES, THREATS, type Severity } from "../../common/threats.js";
import type { SettingsModel } from "../model.js";
import type { IrThreat } from "./ir.js";

export function lowerThreats(settings: SettingsModel): IrThreat[] {
  const get = (key: string, fallback: string): string => settings.extra[key] ?? fallback;
  return THREATS.map((t) => {
    const severity = get(`${t.slug}.severity`, t.severity);
    return {
      code: t.code,
      slug: t.slug,
      enabled: get(t.slug, t.enabled ? "on" : "off") === "on",
      block: get(`${t.slug}.action`, t.action) === "block",
      severity: (SEVERITIES.includes(severity as Severity) ? severity : t.severity) as Severity,
      params: t.params.map((p) => Number(get(`${t.slug}.${p.name}`, String(p.default)))),
    };
  });
}
