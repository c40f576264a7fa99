/** Shared by the CRD tests: export/import round trips and verdict comparison on both engines. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { wasmEnforcer } from "../../cli/engines.js";
import { expect } from "vitest";
import { checkSources } from "../../compiler/pipeline.js";
import { exportCrd } from "../../compiler/crd/export.js";
import { importCrds, type ImportResult } from "../../compiler/crd/import.js";
import type { CrdDoc } from "../../compiler/crd/types.js";
import type { PolicyModel } from "../../compiler/model.js";
import { evaluate, FlowError, type EvalContext } from "../../compiler/reference/index.js";
import type { Flow } from "../../common/schema.js";
import type { Enforcer, Decision } from "../../runtime/index.js";
import { referenceDecision } from "../engine/helpers.js";

export const ROOT = join(import.meta.dirname, "../..");

/** Check `.nvp` text; throws with the diagnostics when it has errors. */
export function checkText(text: string, name = "imported.nvp"): PolicyModel {
  const r = checkSources({ [name]: text }, [name]);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.model || errors.length) throw new Error(`does not check:\n${errors.map((d) => `${d.code} ${d.message} @${d.span?.start.line}`).join("\n")}\n${text}`);
  return r.model;
}

export function importOk(files: { name: string; text: string }[]): ImportResult & { text: string } {
  const r = importCrds(files);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (r.text === undefined || errors.length) throw new Error(`import failed:\n${errors.map((d) => `${d.code} ${d.message} @${d.span?.file}:${d.span?.start.line}`).join("\n")}\n${files.map((f) => f.text).join("\n---\n")}`);
  return r as ImportResult & { text: string };
}

export interface Trip {
  /** The policy after export then import. */
  model: PolicyModel;
  text: string;
  yaml: string;
  docs: CrdDoc[];
  /** Rule id after the trip → rule id before it. */
  idMap: Map<number, number>;
  /** Codes of export's warnings. */
  warnings: string[];
}

/** export ∘ import of a checked model; undefined when the model has something a CRD cannot say. */
export function tripThroughCrd(model: PolicyModel): Trip | undefined {
  const ex = exportCrd(model);
  if (ex.text === undefined) return undefined;
  const im = importOk([{ name: "exported.yaml", text: ex.text }]);
  expect(im.rules.length).toBe(ex.order.length);
  const idMap = new Map(im.rules.map((r, k) => [r.id, ex.order[k]!.id] as const));
  return { model: checkText(im.text), text: im.text, yaml: ex.text, docs: ex.docs, idMap, warnings: ex.diagnostics.map((d) => d.code) };
}

function mapIds(d: Decision, idMap: ReadonlyMap<number, number>): Decision {
  const out: Decision = { ...d, rule: d.rule === 0 ? 0 : (idMap.get(d.rule) ?? -d.rule) };
  if (d.xff) out.xff = mapIds(d.xff, idMap);
  return out;
}

function engine(model: PolicyModel, ctx: EvalContext): Enforcer {
  return wasmEnforcer(model, ctx.inventory, ctx.dns);
}

/** Both engines decide every flow the same under `a` and `b` (b's rule ids mapped through idMap). */
export function expectSameVerdicts(a: PolicyModel, b: PolicyModel, idMap: ReadonlyMap<number, number>, ctx: EvalContext, flows: readonly Flow[]): number {
  const ea = engine(a, ctx);
  const eb = engine(b, ctx);
  let n = 0;
  for (const flow of flows) {
    let ra: Decision;
    try {
      ra = referenceDecision(evaluate(a, ctx, flow));
    } catch (e) {
      if (e instanceof FlowError) continue;
      throw e;
    }
    const rb = mapIds(referenceDecision(evaluate(b, ctx, flow)), idMap);
    expect({ flow, engine: "reference", got: rb }).toEqual({ flow, engine: "reference", got: ra });
    expect({ flow, engine: "wasm", got: mapIds(eb.decide(flow), idMap) }).toEqual({ flow, engine: "wasm", got: ea.decide(flow) });
    n++;
  }
  return n;
}

/**
 * The chart's CRD schema (test/fixtures/crd/neuvector-crd-schema.json) as Kubernetes applies it:
 * a structural schema prunes unknown fields, so here an unknown field is a validation error.
 */
export function crdValidator(): (doc: unknown) => string[] {
  const file = JSON.parse(readFileSync(join(ROOT, "test/fixtures/crd/neuvector-crd-schema.json"), "utf8")) as { kinds: Record<string, { schema: object }> };
  const closed = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(closed);
    if (s === null || typeof s !== "object") return s;
    const o = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, closed(pv)])) : closed(v)]));
    if ("properties" in o && !("additionalProperties" in o)) o["additionalProperties"] = false;
    return o;
  };
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map(
    Object.entries(file.kinds).map(([kind, k]) => {
      const schema = closed(k.schema) as { properties: Record<string, unknown> };
      // The object around spec: what the API server itself requires of any custom resource.
      schema.properties["apiVersion"] = { type: "string", enum: ["neuvector.com/v1"] };
      schema.properties["kind"] = { type: "string", enum: [kind] };
      schema.properties["metadata"] = { type: "object", required: ["name"], properties: { name: { type: "string", pattern: "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$" }, namespace: { type: "string" } } };
      (schema as { required?: string[] }).required = ["apiVersion", "kind", "metadata", "spec"];
      return [kind, ajv.compile(schema)] as const;
    }),
  );
  return (doc) => {
    const kind = (doc as { kind?: string }).kind ?? "";
    const v = validators.get(kind);
    if (!v) return [`no schema for kind ${kind}`];
    return v(doc) ? [] : (v.errors ?? []).map((e) => `${kind} ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };
}
