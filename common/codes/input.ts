/**
 * Stable diagnostic codes for runtime inputs (design: NV5xxx). NV51xx inventory, NV52xx flows and
 * DNS tables, NV53xx policy-test files. The one-line descriptions feed SARIF rule metadata and the
 * diagnostics catalogue; a code is never reused for another meaning.
 */
import type { CodeTable } from "./code-info.js";

export const INVENTORY = {
  syntax: "NV5101",
  shape: "NV5102",
  unknownKey: "NV5103",
  type: "NV5104",
  missing: "NV5105",
  badIp: "NV5106",
  duplicateIp: "NV5107",
  duplicateName: "NV5108",
  badSubnet: "NV5109",
  ignoredKind: "NV5110",
  conflict: "NV5111",
  noAddress: "NV5112",
  hostBits: "NV5113",
  badHostPort: "NV5114",
  duplicateHostPort: "NV5115",
} as const;

export const FLOWS = {
  syntax: "NV5201",
  shape: "NV5202",
  unknownKey: "NV5203",
  type: "NV5204",
  missing: "NV5205",
  badIp: "NV5206",
  badPort: "NV5207",
  unknownApp: "NV5208",
  conflict: "NV5209",
  badXff: "NV5210",
  dnsName: "NV5211",
  dnsIp: "NV5212",
  dnsDuplicate: "NV5213",
} as const;

export const TESTS = {
  syntax: "NV5301",
  shape: "NV5302",
  unknownKey: "NV5303",
  type: "NV5304",
  missing: "NV5305",
  badExpect: "NV5306",
  badRule: "NV5307",
  duplicateTest: "NV5308",
  variant: "NV5309",
  noTests: "NV5310",
  badPath: "NV5311",
} as const;

/** Code → severity and title (the catalog, common/codes/catalog.ts). */
export const INPUT_CODES: CodeTable = {
  NV5004: { severity: "error", title: "more than 200 errors in one input file; the rest are counted" },
  [INVENTORY.syntax]: { severity: "error", title: "inventory file is not valid YAML/JSON" },
  [INVENTORY.shape]: { severity: "error", title: "inventory document is neither nvp's format nor kubectl output" },
  [INVENTORY.unknownKey]: { severity: "warning", title: "unknown key in an inventory (ignored)" },
  [INVENTORY.type]: { severity: "error", title: "inventory value has the wrong type" },
  [INVENTORY.missing]: { severity: "error", title: "inventory entry lacks a required field" },
  [INVENTORY.badIp]: { severity: "error", title: "inventory address is not an IP address" },
  [INVENTORY.duplicateIp]: { severity: "error", title: "one IP address belongs to two workloads or nodes" },
  [INVENTORY.duplicateName]: { severity: "error", title: "workload, node or namespace defined twice" },
  [INVENTORY.badSubnet]: { severity: "error", title: "internal subnet is not a CIDR, range or address" },
  [INVENTORY.ignoredKind]: { severity: "warning", title: "kubectl object kind that the inventory does not use" },
  [INVENTORY.conflict]: { severity: "error", title: "two inventory fields that exclude each other" },
  [INVENTORY.noAddress]: { severity: "error", title: "workload or node with no IP address" },
  [INVENTORY.hostBits]: { severity: "warning", title: "internal subnet CIDR with host bits set" },
  [INVENTORY.badHostPort]: { severity: "error", title: "host-port mapping with a bad port or protocol" },
  [INVENTORY.duplicateHostPort]: { severity: "error", title: "one host port of a node mapped by two workloads" },
  [FLOWS.syntax]: { severity: "error", title: "flow or DNS input is not valid JSON/YAML" },
  [FLOWS.shape]: { severity: "error", title: "flow is not a mapping" },
  [FLOWS.unknownKey]: { severity: "error", title: "unknown key in a flow or DNS table" },
  [FLOWS.type]: { severity: "error", title: "flow or DNS value has the wrong type" },
  [FLOWS.missing]: { severity: "error", title: "flow lacks a required field" },
  [FLOWS.badIp]: { severity: "error", title: "flow address is not an IP address" },
  [FLOWS.badPort]: { severity: "error", title: "flow port, source port or protocol is invalid" },
  [FLOWS.unknownApp]: { severity: "error", title: "flow names an unknown application" },
  [FLOWS.conflict]: { severity: "error", title: "two flow fields that contradict each other" },
  [FLOWS.badXff]: { severity: "warning", title: "flow X-Forwarded-For is not an IP address (kept, ignored by the lookup)" },
  [FLOWS.dnsName]: { severity: "error", title: "DNS table name is not a valid DNS name" },
  [FLOWS.dnsIp]: { severity: "error", title: "DNS table address is not an IP address" },
  [FLOWS.dnsDuplicate]: { severity: "warning", title: "DNS name listed twice (addresses merged)" },
  [TESTS.syntax]: { severity: "error", title: "policy-test file is not valid YAML" },
  [TESTS.shape]: { severity: "error", title: "policy-test file or test case has the wrong shape" },
  [TESTS.unknownKey]: { severity: "error", title: "unknown key in a policy-test file" },
  [TESTS.type]: { severity: "error", title: "policy-test value has the wrong type" },
  [TESTS.missing]: { severity: "error", title: "policy-test entry lacks a required field" },
  [TESTS.badExpect]: { severity: "error", title: "expected action, mode or awaiting value is invalid" },
  [TESTS.badRule]: { severity: "error", title: "expected rule id is not a rule id" },
  [TESTS.duplicateTest]: { severity: "error", title: "two tests with the same name in one variant" },
  [TESTS.variant]: { severity: "error", title: "variant defined twice or referenced but not defined" },
  [TESTS.noTests]: { severity: "warning", title: "policy-test file has no tests" },
  [TESTS.badPath]: { severity: "error", title: "policy or inventory path in a test file is invalid" },
};
