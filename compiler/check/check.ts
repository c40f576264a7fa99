/**
 * The checker: from parsed files to a PolicyModel (compiler/model.ts), reporting every problem at
 * once, sorted by position. Passes, in order: names → parameters → settings → groups → rules →
 * lints → model. The model is returned only when there is no error; warnings never block it.
 */
import { type Diagnostic, hasErrors, sortDiagnostics } from "../../common/diagnostics.js";
import type { SourceFile } from "../ast/types.js";
import type { PolicyModel } from "../model.js";
import { Containment } from "./containment.js";
import { Diags } from "./diag.js";
import { GroupTable } from "./groups.js";
import { importTarget, isStdPath } from "./import-path.js";
import { lintLinkLocal, lintServiceIpRules } from "./carve-out-lints.js";
import { lintDiscover, lintGroups, lintRules } from "./lints.js";
import { collectDeclarations } from "./names.js";
import { Params } from "./params.js";
import { type CheckedRule, checkRules } from "./rules.js";
import { checkSettings } from "./settings.js";
import { lintShadowed } from "./shadow.js";
import { evaluationOrder } from "../reference/rule-match.js";

export interface CheckOptions {
  /** `--set k=v` overrides, by parameter name. */
  params?: Record<string, string>;
}

export interface CheckResult {
  model?: PolicyModel;
  diagnostics: Diagnostic[];
}

export function checkPolicy(files: readonly SourceFile[], opts: CheckOptions = {}): CheckResult {
  const d = new Diags();
  const decls = collectDeclarations(files, d);
  const params = new Params(decls.params, opts.params ?? {}, d);
  const settings = checkSettings(decls.settings, d);
  const libraries = importedFiles(files);
  const table = new GroupTable(params, d, (path) => isStdPath(path) || libraries.has(path));
  for (const g of decls.groups) table.declare(g);
  const rules = checkRules(decls.rules, table, d);

  lintGroups(table.groups, d);
  lintRules(rules, table.groups, d);
  lintDiscover(table.groups, settings, d);
  lintLinkLocal(rules, table.groups, settings, d);
  lintServiceIpRules(rules, table.groups, settings, d);
  const cont = new Containment(
    table.groups.map((g) => g.model),
    (i) => table.groups[i]!.broken,
  );
  // The lint walks rules as they are evaluated: deny rules naming nodes last (S3).
  const byModel = new Map(rules.map((r) => [r.model, r]));
  const order = evaluationOrder({ groups: table.groups.map((g) => g.model), rules: rules.map((r) => r.model) });
  lintShadowed(order.map((m) => byModel.get(m) as CheckedRule), cont, d, settings.model.extra["icmp-policy"] === "on");

  const diagnostics = sortDiagnostics(d.list);
  if (hasErrors(diagnostics)) return { diagnostics };
  return {
    diagnostics,
    model: {
      name: decls.policy?.name.text ?? defaultName(files),
      params: params.values(),
      settings: settings.model,
      groups: table.groups.map((g) => g.model),
      rules: rules.map((r) => r.model),
    },
  };
}

/** Files some other file imports: their groups are a library's, not reported as unused. */
function importedFiles(files: readonly SourceFile[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    for (const item of f.items) {
      if (item.kind !== "import") continue;
      const t = importTarget(f.path, item.path);
      if (!("error" in t)) out.add(t.display);
    }
  }
  return out;
}

/** Without a `policy` line the name is the last file's base name (the entry file in load order). */
function defaultName(files: readonly SourceFile[]): string {
  const path = files[files.length - 1]?.path ?? "policy";
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.replace(/\.nvp$/, "") || "policy";
}
