/**
 * The shadow lint must be sound: whenever it says "rule X never decides", the reference evaluator
 * (the oracle for docs/semantics.md) never names X as the deciding rule. Random flows rarely hit
 * a given rule, so flows are aimed at each reported rule: sources and destinations drawn from its
 * groups' members, its own ports and applications, with and without a known virtual host. Each
 * aimed flow is first confirmed to match X when X stands alone.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { appById } from "../../common/apps.js";
import { parseIp } from "../../common/ip.js";
import type { Flow } from "../../common/schema.js";
import { Containment } from "../../compiler/check/containment.js";
import { Diags } from "../../compiler/check/diag.js";
import type { CheckedRule } from "../../compiler/check/rules.js";
import { lintShadowed } from "../../compiler/check/shadow.js";
import type { PolicyModel, RuleModel } from "../../compiler/model.js";
import { evaluate, type EvalContext } from "../../compiler/reference/index.js";
import { resolveEndpointIp } from "../../compiler/reference/endpoints.js";
import { groupMembership } from "../../compiler/reference/membership.js";
import { evaluationOrder } from "../../compiler/reference/rule-match.js";
import { ADDRESS_POOL, DNS_NAMES, arbScenario } from "../arbitraries/model.js";
import { rule } from "./ast-helpers.js";

function shadowed(model: PolicyModel): RuleModel[] {
  // As checkPolicy runs it: rules in evaluation order, with the policy's ICMP setting.
  const checked: CheckedRule[] = evaluationOrder(model).map((m) => ({ decl: rule(m.id, m.action, [], []), model: m }));
  const d = new Diags();
  lintShadowed(checked, new Containment(model.groups), d, model.settings.extra["icmp-policy"] === "on");
  const ids = new Set(d.list.map((x) => Number(/^rule (\d+)/.exec(x.message)?.[1])));
  return model.rules.filter((r) => ids.has(r.id));
}

const HOSTS: (string | undefined)[] = [undefined, "", ...DNS_NAMES];

/** Addresses in at least one of the groups, for a given virtual host. */
function members(model: PolicyModel, ctx: EvalContext, groups: number[], host: string | undefined): string[] {
  return ADDRESS_POOL.filter((ip) => {
    const v = parseIp(ip)!;
    const ep = resolveEndpointIp(ctx.inventory, v);
    return groups.some((g) => groupMembership(model.groups[g]!, ctx, v, ep, host) === "yes");
  });
}

function aimedFlows(model: PolicyModel, ctx: EvalContext, x: RuleModel): Flow[] {
  const out: Flow[] = [];
  const transports: Pick<Flow, "proto" | "port">[] = [];
  for (const p of x.ports.length ? x.ports : [{ proto: "any" as const, lo: 0, hi: 65535 }]) {
    if (p.proto === "icmp") transports.push({ proto: "icmp" });
    else if (p.proto === "any") transports.push({ proto: "tcp", port: 80 }, { proto: "udp", port: 53 }, { proto: 47 });
    else transports.push({ proto: p.proto, port: p.lo }, { proto: p.proto, port: p.hi });
  }
  const apps = x.apps.length ? x.apps.map((id) => appById(id)!.name) : ["http", undefined];
  for (const host of HOSTS) {
    const srcs = members(model, ctx, x.from, host).slice(0, 4);
    const dsts = members(model, ctx, x.to, host).slice(0, 4);
    for (const src of srcs)
      for (const dst of dsts)
        for (const t of transports)
          for (const app of apps) {
            const f: Flow = { src, dst, ...t };
            if (app !== undefined) f.app = app;
            if (host !== undefined) f.host = host;
            out.push(f);
          }
  }
  return out;
}

test("a rule reported as shadowed never decides a flow it matches", () => {
  let aimed = 0;
  fc.assert(
    fc.property(arbScenario({ maxRules: 10, maxFlows: 1 }), ({ model, ctx }) => {
      for (const x of shadowed(model)) {
        const alone: PolicyModel = { ...model, rules: [x] };
        for (const flow of aimedFlows(model, ctx, x)) {
          // Only flows X decides on its own say something about X being shadowed.
          if (evaluate(alone, ctx, flow).rule !== x.id) continue;
          aimed++;
          expect(evaluate(model, ctx, flow).rule, `rule ${x.id} decided ${JSON.stringify(flow)}`).not.toBe(x.id);
        }
      }
    }),
    { numRuns: 150 },
  );
  // The property is only meaningful if the aimed flows do reach shadowed rules.
  expect(aimed).toBeGreaterThan(500);
});
