/**
 * The decision-table IR: what the engine needs, as plain data. Rule sets are sorted lists of rule
 * indexes (positions in evaluation order, not ids). compiler/encode/ turns this into the binary
 * table; print.ts renders it for golden tests and `--dump-after lower`.
 */
import type { Mode } from "../../common/schema.js";
import type { Severity } from "../../common/threats.js";
import type { Contention, CriterionModel, GroupModel } from "../model.js";

/** Sorted, duplicate-free rule indexes. */
export type RuleList = number[];

export interface FromTo {
  from: RuleList;
  to: RuleList;
}

export interface IrRule {
  index: number;
  id: number;
  action: "allow" | "deny";
  learned: boolean;
}

/** A group's rule lists, and what the host needs to compute workload memberships. */
export interface IrGroup extends FromTo {
  index: number;
  name: string;
  kind: GroupModel["kind"];
  builtin?: string;
  service?: { service: string; namespace: string };
  mode?: Mode;
  criteria?: CriterionModel[];
  /** DNS-name entries (exact or `*.` wildcard), lower case without a trailing dot. */
  dns?: { name: string; wildcard: boolean }[];
  /** vh: entries and the slot each became. */
  vh?: { name: string; wildcard: boolean; slot: number }[];
}

export type EndpointKindName = "workload" | "node" | "internal" | "external";

/** One elementary interval of the 128-bit address space and its address class. */
export interface IrAddrInterval {
  lo: bigint;
  hi: bigint;
  cls: number;
}

/** An address class: the address groups whose IP entries cover an interval, and their rules. */
export interface IrAddrClass extends FromTo {
  groups: number[];
}

export interface IrPortInterval {
  lo: number;
  hi: number;
  rules: RuleList;
}

export interface IrPorts {
  /** Rules matching every tcp port (no ports, `any`, `tcp/any`). */
  tcpBase: RuleList;
  /** Elementary tcp port intervals covering 0..65535: the other rules whose items cover them. */
  tcp: IrPortInterval[];
  udpBase: RuleList;
  udp: IrPortInterval[];
  icmp: RuleList;
  /** Any other IP protocol: rules with no ports or an `any` item. */
  other: RuleList;
}

export interface IrApps {
  /** Rules without applications. */
  any: RuleList;
  /** Per identified application: rules listing it or its parent (HTTP servers are HTTP). */
  byApp: { app: number; rules: RuleList }[];
}

/** A vh: entry of a group: matches when the address resolves from the name and the host matches. */
export interface IrVhSlot extends FromTo {
  group: number;
  name: string;
  wildcard: boolean;
}

/** A threat detection's configuration (common/threats.ts `code`); params in the catalog's order. */
export interface IrThreat {
  code: number;
  slug: string;
  enabled: boolean;
  /** Protect blocks it; otherwise it is only reported. */
  block: boolean;
  severity: Severity;
  /** Counts, or durations in milliseconds. */
  params: number[];
}

export interface DecisionIR {
  policy: string;
  /** icmpPolicy: `any` rules cover ICMP and unmatched ICMP takes the implicit rule; linkLocalPolicy:
   *  169.254.0.0/16 peers are policed (both off by default, as NeuVector); openshift: `platform
   *  openshift`, flows to Service IPs meet the rules at the source. */
  settings: { xff: boolean; contention: Contention; defaultMode: Mode; nodesMode: Mode; icmpPolicy: boolean; linkLocalPolicy: boolean; openshift: boolean };
  rules: IrRule[];
  groups: IrGroup[];
  kinds: Record<EndpointKindName, FromTo>;
  addrIntervals: IrAddrInterval[];
  addrClasses: IrAddrClass[];
  ports: IrPorts;
  apps: IrApps;
  vhSlots: IrVhSlot[];
  /** One per detection of the catalog, in code order. */
  threats: IrThreat[];
}
