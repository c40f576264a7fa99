/**
 * The checker's diagnostic codes (NV2xxx, emitted in compiler/check/) with a one-line title each:
 * part of the catalog (catalog.ts) behind docs/diagnostics.md and SARIF rule descriptions. Codes
 * are stable; never reuse a retired one.
 */
import type { CodeTable } from "./code-info.js";

export const CHECK_CODES: CodeTable = {
  // Loading (imports).
  NV2001: { severity: "error", title: "file not found (entry file, import or standard library module)" },
  NV2002: { severity: "error", title: "import cycle" },
  // Names.
  NV2101: { severity: "error", title: "name defined twice (group, service or parameter)" },
  NV2102: { severity: "error", title: "rule id used twice" },
  NV2103: { severity: "error", title: "group is not defined" },
  NV2104: { severity: "error", title: "parameter is not defined" },
  NV2105: { severity: "error", title: "group name is reserved" },
  NV2106: { severity: "error", title: "more than one policy name" },
  NV2107: { severity: "error", title: "`--set` of a parameter the policy does not declare" },
  NV2108: { severity: "error", title: "required parameter not set" },
  NV2109: { severity: "error", title: "parameter default refers to itself" },
  NV2110: { severity: "error", title: "rule id out of range" },
  NV2901: { severity: "error", title: "more than 200 errors in one file; the rest are counted" },
  NV2111: { severity: "error", title: "a parameter expands to more than 65536 characters" },
  // Values.
  NV2201: { severity: "error", title: "invalid IP address, CIDR block or range" },
  NV2202: { severity: "warning", title: "address block (CIDR) with host bits set" },
  NV2203: { severity: "error", title: "invalid DNS name, wildcard or virtual host" },
  NV2204: { severity: "error", title: "address entries mixed with workload criteria" },
  NV2205: { severity: "error", title: "invalid port" },
  NV2206: { severity: "error", title: "unknown application" },
  NV2207: { severity: "error", title: "regular expression is not valid RE2" },
  NV2208: { severity: "error", title: "glob value contains `^` or `$`" },
  NV2209: { severity: "error", title: "empty value with an operator that needs one" },
  NV2210: { severity: "error", title: "unknown setting" },
  NV2211: { severity: "error", title: "invalid setting value" },
  NV2212: { severity: "error", title: "invalid service group name" },
  NV2213: { severity: "error", title: "two services name the same NeuVector group" },
  NV2214: { severity: "error", title: "invalid policy mode" },
  NV2215: { severity: "error", title: "mode on a group that is not a service group" },
  NV2216: { severity: "error", title: "setting given twice" },
  NV2217: { severity: "error", title: "mode given twice" },
  NV2218: { severity: "warning", title: "single-label DNS name" },
  NV2219: { severity: "error", title: "deny rule marked `learned`" },
  NV2220: { severity: "error", title: "threat `release` above its `threshold`" },
  NV2221: { severity: "error", title: "`Host:` / `Workload:` endpoint group without an IP address" },
  // Lints.
  NV2301: { severity: "warning", title: "label criteria with different names are OR'd" },
  NV2302: { severity: "warning", title: "rule never decides: earlier rules match every flow it would" },
  NV2303: { severity: "warning", title: "group can match nothing" },
  NV2304: { severity: "warning", title: "rule allows `any` to `any`" },
  NV2305: { severity: "warning", title: "Discover mode left on" },
  NV2306: { severity: "warning", title: "group is never used" },
  NV2307: { severity: "warning", title: "rule names link-local addresses NeuVector never polices" },
  NV2308: { severity: "warning", title: "rule to Service cluster IPs that Kubernetes never looks up" },
};
