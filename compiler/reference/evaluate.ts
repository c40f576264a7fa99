/**
 * The reference evaluator: docs/semantics.md S1–S7 read line by line over a PolicyModel. It is
 * the oracle the compiled WebAssembly module must agree with, so every step is a plain linear
 * scan and every step leaves a line in the trace.
 */
import { formatIp, parseIp } from "../../common/ip.js";
import { ACTION_RANK, type EndpointInfo, type Flow, type LookupResult, type Verdict } from "../../common/schema.js";
import type { PolicyModel } from "../model.js";
import { describeEndpoint, resolveEndpointIp, type Endpoint } from "./endpoints.js";
import { parseFlow, type ParsedFlow } from "./flow-input.js";
import { groupNames, membershipsIp, type EvalContext, type Membership } from "./membership.js";
import { fqdnResolved, icmpPoliced, openReason, openshiftIngressOpen, serviceIpOpen } from "./carve-outs.js";
import { effectiveMode, endpointMode, ruleAction } from "./modes.js";
import { explainCheck, firstMatch, formatApps, formatPort, type RuleCheck } from "./rule-match.js";
import { mappedWorkload, pickMapped } from "./host-ports.js";

export type { EvalContext };

/** Above this many rules the trace lists only rules whose source and destination matched. */
export const TRACE_ALL_RULES_LIMIT = 30;

interface Side {
  ip: bigint;
  ep: Endpoint;
  /** An outside address listed as a Service externalIP (S3.1, CVE-2020-8554). */
  svcExtIp: boolean;
  ms: Map<number, Membership>;
  info: EndpointInfo;
}

function side(model: PolicyModel, ctx: EvalContext, ip: bigint, host: string | undefined, asDestination = false): Side {
  const ep = resolveEndpointIp(ctx.inventory, ip);
  const ms = membershipsIp(model, ctx, ip, ep, host, asDestination);
  const info: EndpointInfo = { ip: formatIp(ip), kind: ep.kind, groups: groupNames(model, ms) };
  if (ep.workload) info.name = `${ep.workload.namespace}/${ep.workload.name}`;
  else if (ep.node) info.name = ep.node.name;
  const mode = endpointMode(model, ep);
  if (mode !== undefined) info.mode = mode;
  const svcExtIp = ep.kind === "external" && ctx.inventory.serviceExternalIps.some((t) => parseIp(String(t).trim()) === ip);
  return { ip, ep, ms, info, svcExtIp };
}

/** NeuVector's CapIntcp: false for `interceptable: false` and for host-network pods (`!hostMode`). */
function interceptable(s: Side): boolean {
  const w = s.ep.workload;
  return !w || (w.interceptable !== false && w.hostNetwork !== true);
}

function describeSide(role: string, s: Side): string {
  const mode = s.info.mode ? `mode ${s.info.mode}` : "unmanaged";
  const groups = s.info.groups.length ? s.info.groups.join(", ") : "(none)";
  return `${role} ${describeEndpoint(s.ip, s.ep)}, ${mode}; groups: ${groups}`;
}

function describeMatch(model: PolicyModel, c: RuleCheck, pf: ParsedFlow): string {
  const r = c.rule;
  if (c.result === "no") return `rule ${r.id}: no match: ${explainCheck(model, c, pf.app)}`;
  if (c.result === "maybe") return `rule ${r.id}: may match, awaiting ${c.awaiting}: ${explainCheck(model, c, pf.app)}`;
  const parts = [`${r.action}${r.learned ? " (learned)" : ""}`];
  if (r.ports.length) parts.push(`port ${r.ports.map(formatPort).join(", ")}`);
  if (r.apps.length) parts.push(`app ${formatApps(r.apps)}`);
  return `rule ${r.id}: matches (${parts.join(", ")})`;
}

/** A mapped workload reached through its host port (S1.1), and its container port. */
interface Via {
  side: Side;
  port: number;
}

const hostNetSide = (s: Side): boolean => s.ep.workload?.hostNetwork === true;

/** S3 + S4 for one source/destination pair; `via`: the destination also reads as a mapped workload (S1.1). */
function lookup(model: PolicyModel, ctx: EvalContext, pf: ParsedFlow, src: Side, dst: Side, out: string[], prefix = "", via?: Via): LookupResult {
  const trace = { push: (...lines: string[]) => out.push(...lines.map((l) => prefix + l)) };
  const srcMode = src.info.mode;
  const dstMode = dst.info.mode;
  const eff = effectiveMode(model, srcMode, dstMode);
  const open = openReason(model, pf.proto, src.ip, dst.ip);
  if (open !== undefined) {
    trace.push(open);
    const result: LookupResult = { action: "allow", rule: 0 };
    if (eff.reported) result.mode = eff.mode;
    return result;
  }
  if (dst.svcExtIp && src.ep.kind === "workload") {
    // dpi_policy_lookup_by_key: the workload's default action, deny only in Protect.
    const unblockable = !interceptable(src);
    const action = srcMode === "protect" && !unblockable ? "deny" : "violate";
    trace.push(`destination is a Service externalIP (CVE-2020-8554): rules skipped, ${action} by the source's ${srcMode} mode`);
    const result: LookupResult = { action, rule: 0 };
    if (eff.reported) result.mode = eff.mode;
    return result;
  }
  if (openshiftIngressOpen(model, src.ep.kind, dst.ep.kind, dstMode === "protect" && interceptable(dst))) {
    trace.push(`on openshift NeuVector decides east-west traffic at the source, and no enforcer checks this ${src.ep.kind} source's egress: open (ApplyPolicyAtIngress, dpi_policy_lookup_by_key)`);
    const result: LookupResult = { action: "allow", rule: 0 };
    if (eff.reported) result.mode = eff.mode;
    return result;
  }
  const svc = dst.ep.service;
  const internalDst = dst.ep.kind === "internal" && (svc !== undefined || src.ep.kind === "workload");
  const fqdn = internalDst && fqdnResolved(model, ctx.dns, dst.ip);
  if (fqdn && serviceIpOpen(model, srcMode === "protect" && interceptable(src))) {
    trace.push("the internal destination resolves from a name of the policy's DNS groups, so NeuVector checks the client's egress (ipv4_ent, dpi_policy_lookup_by_key)");
  }
  if (internalDst && !fqdn && serviceIpOpen(model, srcMode === "protect" && interceptable(src))) {
    const backends = svc && (svc.endpoints.length ? `backends ${svc.endpoints.join(", ")}` : "no backends listed");
    trace.push(
      svc
        ? `destination is Service ${svc.namespace}/${svc.name}'s cluster IP (${backends}): on kubernetes NeuVector decides east-west traffic at the destination, so the client side is open (ApplyPolicyAtIngress, dpi_policy_lookup_by_key)`
        : "destination is an internal unmanaged address: on kubernetes NeuVector opens a workload's east-west egress at the client, and no enforcer is at the other end (ApplyPolicyAtIngress, dpi_policy_lookup_by_key)",
    );
    const result: LookupResult = { action: "allow", rule: 0 };
    if (eff.reported) result.mode = eff.mode;
    return result;
  }
  const onlyHits = model.rules.length > TRACE_ALL_RULES_LIMIT;
  const icmp = icmpPoliced(model);
  // createIPRule: "For host mode container, only check ports, not applications."
  const portsOnly = hostNetSide(src) || hostNetSide(dst);
  if (portsOnly) trace.push("a host-network workload is a side: rules are matched by port, never by application (createIPRule)");
  const fm = firstMatch(model, { src: src.ms, dst: dst.ms, proto: pf.proto, port: pf.port, app: pf.app, icmpPoliced: icmp, portsOnly }, onlyHits);
  if (onlyHits) {
    const looked = fm.considered.length + fm.omitted;
    trace.push(
      `rules: ${looked} of ${model.rules.length} looked at; ${fm.omitted} skipped because source or destination is not in their groups`,
    );
  }
  for (const c of fm.considered) trace.push(describeMatch(model, c, pf));
  if (!fm.decided) trace.push("no rule matches: implicit rule 0");

  // S1.1: the NAT rules createWorkloadRule writes for the mapped workload, in the same rule order.
  let decided = fm.decided;
  let target = dst;
  if (via) {
    const w = via.side;
    const viaPortsOnly = hostNetSide(src) || hostNetSide(w);
    const fmW = firstMatch(model, { src: src.ms, dst: w.ms, proto: pf.proto, port: via.port, app: pf.app, icmpPoliced: icmp, portsOnly: viaPortsOnly }, onlyHits);
    trace.push(`as ${w.info.name} on container port ${via.port}:`);
    for (const c of fmW.considered) trace.push(`  ${describeMatch(model, c, pf)}`);
    if (!fmW.decided) trace.push("  no rule matches");
    if (pickMapped(model, fm.decided, fmW.decided) === "mapped") {
      decided = fmW.decided;
      target = w;
      trace.push(`rule ${decided?.rule.id} decides as the flow to ${w.info.name} (its NAT rule, getMappedPort / createIPRule)`);
    }
  }
  const effective = target === dst ? eff : effectiveMode(model, srcMode, target.info.mode);

  trace.push(`mode: ${effective.why}`);
  const result: LookupResult = { action: "pending", rule: decided?.rule.id ?? 0 };
  if (effective.reported) result.mode = effective.mode;
  if (!decided && pf.proto === "icmp" && !icmp) {
    trace.push("action: ICMP policy is off: unmatched ICMP passes (NeuVector's default ICMP pass rule)");
    result.action = "allow";
    return result;
  }

  if (decided?.result === "maybe") {
    result.awaiting = decided.awaiting ?? "app";
    trace.push(`action: pending on rule ${result.rule} until the ${result.awaiting === "app" ? "application" : "virtual host"} is known`);
    return result;
  }
  const act = ruleAction(decided?.rule, effective.mode, srcMode, target.info.mode);
  trace.push(`action: ${act.why}`);
  result.action = act.action;
  // NeuVector's createWorkloadRule: "deny cannot be enforced for non-interceptable container".
  const unblockable = [src, target].find((s) => s.ep.workload && !interceptable(s));
  if (result.action === "deny" && unblockable) {
    result.action = "violate";
    trace.push(`${unblockable.info.name ?? unblockable.info.ip} cannot be intercepted: deny becomes violate`);
  }
  return result;
}

function describeFlow(pf: ParsedFlow): string {
  const proto = typeof pf.proto === "number" ? `ip proto ${pf.proto}` : pf.proto;
  const port = pf.port !== undefined ? `/${pf.port}` : "";
  const app = pf.app.state === "known" ? pf.app.name : pf.app.state === "unknown" ? "unknown" : "not yet identified";
  const host = pf.host === undefined ? "not yet known" : pf.host === "" ? "none" : pf.host;
  return `flow ${formatIp(pf.src)} -> ${formatIp(pf.dst)} ${proto}${port}, app ${app}, host ${host}`;
}

/**
 * Decide a flow (S1–S7). Throws FlowError for input that is not a flow (bad address, protocol
 * or port); everything else yields a verdict.
 */
export function evaluate(model: PolicyModel, ctx: EvalContext, flow: Flow): Verdict {
  let pf = parseFlow(flow);
  const trace: string[] = [describeFlow(pf)];
  const src = side(model, ctx, pf.src, pf.host);
  const mapped = mappedWorkload(ctx.inventory, pf.dst, pf.proto, pf.port);
  let via: Via | undefined;
  if (mapped) {
    const name = `${mapped.workload.namespace}/${mapped.workload.name}`;
    const where = `${formatIp(pf.dst)} ${String(pf.proto)}/${mapped.hostPort} is host port of workload ${name} (container port ${mapped.containerPort})`;
    if (src.ep.kind === "workload") {
      trace.push(`${where}: the source's enforcer matches it as the node and, by NAT rules, as ${name} (getMappedPort, createWorkloadRule)`);
      via = { side: side(model, ctx, mapped.ip, pf.host, true), port: mapped.containerPort };
    } else {
      // No enforcer sees an unmanaged source's packet before the node's NAT: the pod's enforcer
      // decides the translated flow (createWorkloadRule's ingress rules on its LocalIP).
      trace.push(`${where}: an unmanaged source reaches it only through the node's NAT, so it is decided as the flow to ${formatIp(mapped.ip)}/${mapped.containerPort}`);
      pf = { ...pf, dst: mapped.ip, port: mapped.containerPort };
    }
  }
  const dst = side(model, ctx, pf.dst, pf.host, true);
  trace.push(describeSide("source", src), describeSide("destination", dst));
  const primary = lookup(model, ctx, pf, src, dst, trace, "", via);
  let verdict: Verdict = { ...primary, src: src.info, dst: dst.info, trace };

  if (pf.xffText !== undefined && model.settings.xff && dst.ep.kind !== "workload") {
    trace.push("xff: the destination is not a workload, so this is no ingress session: decided once (dpi_policy_reeval)");
  } else if (pf.xffText !== undefined && model.settings.xff) {
    if (pf.xff === undefined) {
      trace.push(`xff: \`${pf.xffText}\` is not an IP address; ignored`);
    } else {
      trace.push(`xff: second lookup with the X-Forwarded-For client as source`);
      const client = side(model, ctx, pf.xff, pf.host);
      trace.push(describeSide("xff source", client));
      const second = lookup(model, ctx, pf, client, dst, trace, "xff ");
      verdict.xff = { ...second, src: client.info };
      // The more severe verdict wins; on a tie the primary lookup stands.
      if (ACTION_RANK[second.action] > ACTION_RANK[primary.action]) {
        const { action, rule, mode, awaiting } = second;
        verdict = { action, rule, src: src.info, dst: dst.info, xff: verdict.xff, trace };
        if (mode !== undefined) verdict.mode = mode;
        if (awaiting !== undefined) verdict.awaiting = awaiting;
        trace.push(`xff: the X-Forwarded-For lookup is more severe and decides`);
      } else {
        trace.push(`xff: the primary lookup is at least as severe and decides`);
      }
    }
  } else if (pf.xffText !== undefined) {
    trace.push("xff: X-Forwarded-For matching is off; header ignored");
  }
  trace.push(`verdict: ${verdict.action}, rule ${verdict.rule}${verdict.mode ? `, mode ${verdict.mode}` : ""}`);
  return verdict;
}
