/**
 * The checked policy: every name resolved, parameters substituted, values parsed and rules in
 * evaluation order. The checker produces it; the reference evaluator and the lowering to the
 * WebAssembly decision table both consume it, so they cannot disagree about what the source meant.
 */
import type { Span } from "../common/span.js";
import type { Mode } from "../common/schema.js";
import type { CriterionOp } from "./ast/types.js";

export type BuiltinGroup = "any" | "external" | "nodes" | "containers";
export const BUILTIN_GROUPS: readonly BuiltinGroup[] = ["any", "external", "nodes", "containers"];

/** Criterion keys after `domain` is folded into `namespace` (they match the same attribute). */
export type CriterionKeyModel = "namespace" | "service" | "label" | "ns-label" | "image" | "node" | "container";

export interface CriterionModel {
  key: CriterionKeyModel;
  /** Label name for `label` / `ns-label`. */
  labelKey?: string;
  op: CriterionOp;
  /** Parameters substituted. For regex ops, a valid JavaScript regular expression source. */
  value: string;
}

export type AddressModel =
  /** IP, CIDR or range, as a closed interval in the 128-bit space of common/ip.ts. */
  | { kind: "ip"; lo: bigint; hi: bigint; text: string }
  /** DNS name (exact) or wildcard `*.example.com` (`wildcard` true, `name` = `example.com`). Lower case. */
  | { kind: "dns"; name: string; wildcard: boolean; text: string }
  /** Virtual host `vh:name` / `vh:*.suffix`: resolves like a DNS name and also needs the HTTP Host / TLS SNI. */
  | { kind: "vh"; name: string; wildcard: boolean; text: string };

export interface GroupModel {
  /** Index into PolicyModel.groups. */
  index: number;
  /** The name rules use: a declared name, a built-in, or `nv.<svc>.<ns>`. */
  name: string;
  kind: "builtin" | "service" | "workload" | "address" | "service-ip";
  builtin?: BuiltinGroup;
  /** Service groups: NeuVector's nv.<service>.<namespace>; service-IP groups nv.ip.<service>.<namespace>. */
  service?: { service: string; namespace: string };
  /** Declared network mode of a service group; absent = settings.defaultMode. */
  mode?: Mode;
  /** Workload groups: criteria combined by NeuVector's rule (same key OR, all-negative AND; keys AND). */
  criteria?: CriterionModel[];
  /** Address groups: entries OR'd. */
  addresses?: AddressModel[];
  span?: Span;
}

export interface PortModel {
  /** `any` = every protocol and port. For icmp, lo/hi are 0..65535 and ignored. */
  proto: "any" | "tcp" | "udp" | "icmp";
  lo: number;
  hi: number;
}

export interface RuleModel {
  id: number;
  action: "allow" | "deny";
  learned: boolean;
  /** Group indexes; a flow matches when its source is in any `from` and its destination in any `to`. */
  from: number[];
  to: number[];
  /** Application ids (common/apps.ts), sorted; empty = any application. */
  apps: number[];
  /** Empty = any protocol and port. */
  ports: PortModel[];
  comment?: string;
  span?: Span;
}

export type Contention = "basic" | "strict";

export interface SettingsModel {
  /** X-Forwarded-For based policy match (default on). */
  xff: boolean;
  /** Group mode contention resolution (default basic: least restrictive wins). */
  contention: Contention;
  /** Mode of a service group the policy does not declare (NeuVector's "new service mode"; default discover). */
  defaultMode: Mode;
  /** Mode of the `nodes` group (default discover): recorded for process/file profiles; network rules treat nodes as unmanaged. */
  nodesMode: Mode;
  /** Other named settings (threat thresholds…), already validated, by key. */
  extra: Record<string, string>;
}

export interface PolicyModel {
  name: string;
  params: Record<string, string>;
  settings: SettingsModel;
  /** Every group that is declared or referenced, built-ins included; `GroupModel.index` is the position. */
  groups: GroupModel[];
  /** Sorted by id ascending: evaluation order. Ids are unique. */
  rules: RuleModel[];
}
