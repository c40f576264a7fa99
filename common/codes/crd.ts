/**
 * Diagnostic codes of NeuVector CRD import and export (NV6xxx, emitted in compiler/crd/), with a
 * one-line title each: part of the catalog (catalog.ts) behind docs/diagnostics.md. Codes are
 * stable; never reuse a retired one.
 */
import type { CodeTable } from "./code-info.js";

export const CRD_CODES: CodeTable = {
  // Reading the YAML.
  NV6001: { severity: "error", title: "YAML syntax error in a CRD file" },
  NV6002: { severity: "error", title: "document is not a NeuVector network CRD (unknown kind or apiVersion)" },
  NV6003: { severity: "error", title: "required CRD field missing" },
  NV6004: { severity: "error", title: "CRD field has the wrong type" },
  NV6005: { severity: "warning", title: "unknown CRD field, ignored (Kubernetes prunes it too)" },
  NV6006: { severity: "warning", title: "NeuVector CRD kind without network rules, ignored" },
  // Values.
  NV6101: { severity: "error", title: "invalid value in a CRD field (action, policy mode, operator, ports, application, address)" },
  NV6102: { severity: "error", title: "rule name used twice in one CRD document" },
  NV6103: { severity: "error", title: "one group defined twice with different criteria" },
  NV6104: { severity: "error", title: "policy mode on a target that is not a `nv.<service>.<namespace>` group" },
  NV6105: { severity: "error", title: "group criteria that nvp cannot express" },
  NV6106: { severity: "error", title: "`name_referral` to a group no document defines" },
  NV6107: { severity: "warning", title: "criteria of a built-in group (`external`, `nodes`, `containers`) are ignored" },
  NV6108: { severity: "warning", title: "group renamed: its NeuVector name is not an nvp name" },
  NV6109: { severity: "error", title: "invalid or reserved group name" },
  // Export.
  NV6201: { severity: "error", title: "group that a NeuVector CRD cannot express" },
  NV6202: { severity: "warning", title: "policy setting that a NeuVector CRD cannot carry" },
  NV6203: { severity: "error", title: "application NeuVector's CRD does not name" },
  NV6204: { severity: "warning", title: "a rule with several groups, one with `vh:` entries, split into CRD rules per pair (provisional verdicts may differ)" },
};
