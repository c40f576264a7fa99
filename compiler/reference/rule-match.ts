/**
 * S3: does one rule match a flow? Four conditions — from, to, ports, applications — each
 * three-valued (yes / maybe / no); the rule's answer is their conjunction, and each condition
 * explains itself so the trace can say why a rule did not match.
 */
import { appById, appSatisfies } from "../../common/apps.js";
import type { PolicyModel, PortModel, RuleModel } from "../model.js";
import type { Membership } from "./addresses.js";
import type { FlowApp, FlowProto } from "./flow-input.js";

export type Tri = "yes" | "maybe" | "no";

export interface RuleCheck {
  rule: RuleModel;
  from: Tri;
  to: Tri;
  ports: Tri;
  apps: Tri;
  result: Tri;
  /** What a maybe waits for: the application, or only a vh: host. */
  awaiting?: "app" | "host";
}

/** The flow as rules see it, for both the primary and the X-Forwarded-For lookup. */
export interface RuleFlow {
  src: ReadonlyMap<number, Membership>;
  dst: ReadonlyMap<number, Membership>;
  proto: FlowProto;
  port: number | undefined;
  app: FlowApp;
  /** icmp-policy on: `any` and port-less rules cover ICMP too (S3.1). */
  icmpPoliced: boolean;
  /** A host-network workload is a side: rules' applications are not checked (S4). */
  portsOnly?: boolean;
}

/** Source (or destination) in any of the rule's groups: yes beats maybe beats no. */
function sideMatch(groups: readonly number[], ms: ReadonlyMap<number, Membership>): Tri {
  let best: Tri = "no";
  for (const g of groups) {
    const m = ms.get(g);
    if (m === "yes") return "yes";
    if (m === "maybe") best = "maybe";
  }
  return best;
}

/**
 * One port item. `any` covers TCP and UDP, and ICMP when it is policed; other IP protocols never
 * reach the rules (S3.1).
 */
export function portItemMatches(item: PortModel, proto: FlowProto, port: number | undefined, icmpPoliced: boolean): boolean {
  if (item.proto === "any") return proto !== "icmp" || icmpPoliced;
  if (item.proto !== proto) return false;
  if (item.proto === "icmp") return true;
  return port !== undefined && port >= item.lo && port <= item.hi;
}

function portsMatch(ports: readonly PortModel[], proto: FlowProto, port: number | undefined, icmpPoliced: boolean): Tri {
  if (ports.length === 0) return proto !== "icmp" || icmpPoliced ? "yes" : "no";
  return ports.some((p) => portItemMatches(p, proto, port, icmpPoliced)) ? "yes" : "no";
}

/** Not yet identified = maybe; inspected but unrecognised = matches no list (S3). */
function appsMatch(apps: readonly number[], app: FlowApp): Tri {
  if (apps.length === 0) return "yes";
  if (app.state === "unidentified") return "maybe";
  if (app.state === "unknown") return "no";
  return appSatisfies(app.id, apps) ? "yes" : "no";
}

function and(...ts: Tri[]): Tri {
  if (ts.includes("no")) return "no";
  return ts.includes("maybe") ? "maybe" : "yes";
}

export function formatPort(p: PortModel): string {
  if (p.proto === "any" || p.proto === "icmp") return p.proto;
  if (p.lo === 0 && p.hi === 65535) return `${p.proto}/any`;
  return p.lo === p.hi ? `${p.proto}/${p.lo}` : `${p.proto}/${p.lo}-${p.hi}`;
}

export function formatApps(apps: readonly number[]): string {
  return apps.map((id) => appById(id)?.name ?? String(id)).join(", ");
}

function groupList(model: PolicyModel, indexes: readonly number[]): string {
  return indexes.map((i) => `\`${model.groups[i]?.name ?? `#${i}`}\``).join(", ");
}

function describeFlowApp(app: FlowApp): string {
  return app.state === "known" ? app.name : app.state === "unknown" ? "unknown" : "not yet identified";
}

export function checkRule(rule: RuleModel, f: RuleFlow): RuleCheck {
  const from = sideMatch(rule.from, f.src);
  const to = sideMatch(rule.to, f.dst);
  const ports = portsMatch(rule.ports, f.proto, f.port, f.icmpPoliced);
  const apps = f.portsOnly ? "yes" : appsMatch(rule.apps, f.app);
  const result = and(from, to, ports, apps);
  const check: RuleCheck = { rule, from, to, ports, apps, result };
  if (result === "maybe") check.awaiting = apps === "maybe" ? "app" : "host";
  return check;
}

/** Why a rule is not a definite yes, in words (built only for the trace). */
export function explainCheck(model: PolicyModel, c: RuleCheck, app: FlowApp): string {
  const reasons: string[] = [];
  const { rule } = c;
  if (c.from !== "yes") reasons.push(`source ${c.from === "no" ? "not in" : "may be in"} ${groupList(model, rule.from)}`);
  if (c.to !== "yes") reasons.push(`destination ${c.to === "no" ? "not in" : "may be in"} ${groupList(model, rule.to)}`);
  if (c.ports === "no") reasons.push(rule.ports.length ? `port not in ${rule.ports.map(formatPort).join(", ")}` : "ICMP is not policed by port-less rules");
  if (c.apps !== "yes") reasons.push(`application ${describeFlowApp(app)}, rule wants ${formatApps(rule.apps)}`);
  return reasons.join("; ");
}

/** Does the rule name a host endpoint group (`nodes` or a `Host:<ip>`) on either side? */
function namesHosts(model: Pick<PolicyModel, "groups">, rule: RuleModel): boolean {
  return [...rule.from, ...rule.to].some((i) => model.groups[i]?.builtin === "nodes" || model.groups[i]?.name.startsWith("Host:"));
}

/**
 * S3 order: ascending id, except that user-written deny rules naming `nodes` or a `Host:` endpoint
 * come after all the others, in id order (NeuVector's ruleAdjustOrder / adjustPolicyRuleHeads, so
 * host-mode system containers keep their learned connections).
 */
export function evaluationOrder(model: Pick<PolicyModel, "groups" | "rules">): RuleModel[] {
  // Computed once per rule list: the oracle decides many flows per model.
  const cached = ORDERS.get(model.rules);
  if (cached) return cached;
  const moved = (r: RuleModel): boolean => r.action === "deny" && !r.learned && namesHosts(model, r);
  const order = [...model.rules.filter((r) => !moved(r)), ...model.rules.filter(moved)];
  ORDERS.set(model.rules, order);
  return order;
}

const ORDERS = new WeakMap<readonly RuleModel[], RuleModel[]>();

export interface FirstMatch {
  decided?: RuleCheck;
  /** Rules looked at before (and including) the decision: all of them, or only those whose
   *  source and destination matched when `onlyGroupHits` (big policies). */
  considered: RuleCheck[];
  /** Rules looked at and left out of `considered`. */
  omitted: number;
}

/**
 * Three-valued first match: the first rule that is not a definite no decides — a yes matches,
 * a maybe makes the flow pending on that rule.
 */
export function firstMatch(model: PolicyModel, f: RuleFlow, onlyGroupHits: boolean): FirstMatch {
  const considered: RuleCheck[] = [];
  let omitted = 0;
  for (const rule of evaluationOrder(model)) {
    const c = checkRule(rule, f);
    if (!onlyGroupHits || (c.from !== "no" && c.to !== "no")) considered.push(c);
    else omitted++;
    if (c.result !== "no") return { decided: c, considered, omitted };
  }
  return { considered, omitted };
}
