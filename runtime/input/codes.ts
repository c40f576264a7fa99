/**
 * Stable diagnostic codes for runtime inputs (design: NV5xxx). NV51xx inventory, NV52xx flows and
 * DNS tables, NV53xx policy-test files. The one-line descriptions feed SARIF rule metadata and the
 * diagnostics catalogue; a code is never reused for another meaning.
 */

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

/** Code → one-line description, for `toSarif` and docs. */
export const INPUT_CODE_CATALOG: ReadonlyMap<string, string> = new Map([
  ["NV5004", "more than 200 errors in one input file; the rest are counted"],
  [INVENTORY.syntax, "inventory file is not valid YAML/JSON"],
  [INVENTORY.shape, "inventory document is neither nvp's format nor kubectl output"],
  [INVENTORY.unknownKey, "unknown key in an inventory (ignored)"],
  [INVENTORY.type, "inventory value has the wrong type"],
  [INVENTORY.missing, "inventory entry lacks a required field"],
  [INVENTORY.badIp, "inventory address is not an IP address"],
  [INVENTORY.duplicateIp, "one IP address belongs to two workloads or nodes"],
  [INVENTORY.duplicateName, "workload, node or namespace defined twice"],
  [INVENTORY.badSubnet, "internal subnet is not a CIDR, range or address"],
  [INVENTORY.ignoredKind, "kubectl object kind that the inventory does not use"],
  [INVENTORY.conflict, "two inventory fields that exclude each other"],
  [INVENTORY.noAddress, "workload or node with no IP address"],
  [INVENTORY.hostBits, "internal subnet CIDR with host bits set"],
  [FLOWS.syntax, "flow or DNS input is not valid JSON/YAML"],
  [FLOWS.shape, "flow is not a mapping"],
  [FLOWS.unknownKey, "unknown key in a flow or DNS table"],
  [FLOWS.type, "flow or DNS value has the wrong type"],
  [FLOWS.missing, "flow lacks a required field"],
  [FLOWS.badIp, "flow address is not an IP address"],
  [FLOWS.badPort, "flow port, source port or protocol is invalid"],
  [FLOWS.unknownApp, "flow names an unknown application"],
  [FLOWS.conflict, "two flow fields that contradict each other"],
  [FLOWS.badXff, "flow X-Forwarded-For is not an IP address (kept, ignored by the lookup)"],
  [FLOWS.dnsName, "DNS table name is not a valid DNS name"],
  [FLOWS.dnsIp, "DNS table address is not an IP address"],
  [FLOWS.dnsDuplicate, "DNS name listed twice (addresses merged)"],
  [TESTS.syntax, "policy-test file is not valid YAML"],
  [TESTS.shape, "policy-test file or test case has the wrong shape"],
  [TESTS.unknownKey, "unknown key in a policy-test file"],
  [TESTS.type, "policy-test value has the wrong type"],
  [TESTS.missing, "policy-test entry lacks a required field"],
  [TESTS.badExpect, "expected action, mode or awaiting value is invalid"],
  [TESTS.badRule, "expected rule id is not a rule id"],
  [TESTS.duplicateTest, "two tests with the same name in one variant"],
  [TESTS.variant, "variant defined twice or referenced but not defined"],
  [TESTS.noTests, "policy-test file has no tests"],
  [TESTS.badPath, "policy or inventory path in a test file is invalid"],
]);
