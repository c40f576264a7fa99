/**
 * Learned rules as `.nvp` text. Each learned group becomes a declaration (a service alias for
 * `nv.<svc>.<ns>`, an address group for a DNS name), each rule a `learned` allow rule. The three
 * edits seed 001 makes by hand are flags, and where a flag would change a rule the default output
 * says so in a comment:
 * - `--lock-ports`: app rules keep the server ports the apps were seen on (one rule per port set);
 * - `--param namespace`: namespaces become parameters (`${ns}`), and every peer a parameter whose
 *   default is its service group, so a stage can point it elsewhere (`--set postgres=prod-db`);
 * - external peers by DNS name: an address group per name the capture resolved.
 */
import { KEYWORDS } from "../../grammar/tokens.js";
import type { LearnedGroup, LearnedRule } from "../../runtime/learn/learner.js";
import { sortPorts } from "../../runtime/learn/learner.js";

export interface WriteOptions {
  policyName: string;
  /** Mode of the learned service groups. */
  mode: string;
  lockPorts: boolean;
  paramNamespace: boolean;
  /** Where the rules came from, for the header. */
  sources: string[];
  /** Aliases and group names already declared (`--into`): not declared again, not reused. */
  taken?: ReadonlySet<string>;
  /** Service groups already declared in the `--into` policy: nv name → the alias rules use. */
  declared?: ReadonlyMap<string, string>;
  /** Without `--dns-wildcards`: the names it would widen (name → `*.parent`), said in comments. */
  wildcards?: ReadonlyMap<string, string>;
  /** Rule ids already used (`--into`). */
  usedIds?: ReadonlySet<number>;
}

const RESERVED = new Set([...KEYWORDS.keys(), "any", "external", "nodes", "containers", "ns", "mode"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:[-.][A-Za-z0-9_]+)*$/;

/** A name the grammar takes as one word, not a keyword, not taken. */
function aliasFor(wanted: string, taken: Set<string>): string {
  let base = wanted.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/[.]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  if (!/^[A-Za-z_]/.test(base)) base = `g-${base}`;
  if (!NAME.test(base)) base = "group";
  let name = base;
  for (let i = 2; RESERVED.has(name.toLowerCase()) || taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

interface Plan {
  /** Group name (nv.svc.ns, dns name, builtin) → what rules write. */
  refs: Map<string, string>;
  lines: string[];
}

function declareGroups(rules: readonly LearnedRule[], opts: WriteOptions): Plan {
  const taken = new Set(opts.taken ?? []);
  const refs = new Map<string, string>([["external", "external"], ["nodes", "nodes"]]);
  const lines: string[] = [];
  const decls: string[] = [];
  const groups: LearnedGroup[] = [];
  for (const r of rules) for (const g of [r.from, r.to]) if (!groups.some((x) => x.name === g.name)) groups.push(g);
  const namespaces = [...new Set(groups.flatMap((g) => (g.kind === "service" && !opts.declared?.has(g.name) ? [g.namespace] : [])))];
  if (opts.paramNamespace && namespaces.length > 0) {
    // An `--into` policy that has `ns` or `mode` already keeps its own.
    if (!taken.has("ns")) lines.push(`param ns = ${JSON.stringify(namespaces[0])}  # the namespace learned in (--param namespace): --set ns=… per stage`);
    if (!taken.has("mode")) lines.push(`param mode = ${JSON.stringify(opts.mode)}  # the learned services' mode: --set mode=… per stage`);
  } else if (namespaces.length > 0) {
    const which = namespaces.map((n) => `\`${n}\``).join(", ");
    decls.push(`# --param namespace would make ${namespaces.length === 1 ? `namespace ${which} a parameter` : `namespaces ${which} parameters`} (\`\${ns}\`), and each peer one`);
  }
  for (const g of groups) {
    if (g.kind === "service") {
      const have = opts.declared?.get(g.name);
      if (have !== undefined) {
        refs.set(g.name, have);
        continue;
      }
      const alias = aliasFor(g.service, taken);
      if (opts.paramNamespace) {
        // Each service its namespace parameter (a shared DB lives elsewhere in QA) and each peer a
        // parameter whose default is its service group (PROD may point it at an address group).
        const nsName = aliasFor(`${alias}-ns`, taken);
        const nsValue = g.namespace === namespaces[0] ? "${ns}" : g.namespace;
        const selector = `nv.${g.service}.\${${nsName}}`;
        lines.push(`param ${nsName} = "${nsValue}"  # --set ${nsName}=… when \`${g.service}\` runs in another namespace`);
        lines.push(`param ${alias} = "${selector}"  # \`${alias}\` in rules: --set ${alias}=<group> to point it elsewhere`);
        refs.set(g.name, `\${${alias}}`);
        decls.push(`service ${aliasFor(`${alias}-svc`, taken)} = ${selector} { mode \${mode} }`);
      } else {
        refs.set(g.name, alias);
        decls.push(`service ${alias} = ${g.name} { mode ${opts.mode} }`);
      }
    } else if (g.kind === "dns") {
      const alias = aliasFor(g.dnsName.replace(/^\*\./, "any-"), taken);
      refs.set(g.name, alias);
      const wide = opts.wildcards?.get(g.dnsName);
      if (wide !== undefined) decls.push(`# --dns-wildcards would make \`${g.dnsName}\` part of one group \`${wide}\``);
      decls.push(`group ${alias} { address ${JSON.stringify(g.dnsName)} }  # an external peer by the DNS name the capture resolved`);
    }
  }
  return { refs, lines: [...lines, ...decls] };
}

/** `apps A, B` / `app A`; `ports …` / `port …`. */
function list(one: string, many: string, items: readonly string[]): string {
  return `${items.length === 1 ? one : many} ${items.join(", ")}`;
}

/** The rule lines (with their comments), ids taken from the learner or fresh ones past `usedIds`. */
function ruleLines(rules: readonly LearnedRule[], refs: Map<string, string>, opts: WriteOptions): string[] {
  const used = new Set(opts.usedIds ?? []);
  for (const r of rules) used.add(r.id);
  let next = Math.max(9999, ...used) + 1;
  const out: string[] = [];
  const ref = (g: LearnedGroup) => refs.get(g.name) ?? g.name;
  for (const r of rules) {
    const head = `rule ${r.id} allow ${ref(r.from)} -> ${ref(r.to)}`;
    if (r.kind === "port") {
      const ports = r.ports.includes("any") ? "" : ` ${list("port", "ports", r.ports)}`;
      out.push(`${head}${ports} learned`);
      continue;
    }
    if (!opts.lockPorts) {
      if (r.ports.length > 0) out.push(`# --lock-ports: ${r.apps.map((a) => `${a} on ${sortPorts([...(r.appPorts.get(a) ?? [])]).join(", ")}`).join("; ")}`);
      out.push(`${head} ${list("app", "apps", r.apps)} learned`);
      continue;
    }
    // One rule per set of ports: an app is allowed only on the ports it was seen on.
    const byPorts = new Map<string, string[]>();
    for (const a of r.apps) {
      const key = sortPorts([...(r.appPorts.get(a) ?? [])]).join(", ");
      byPorts.set(key, [...(byPorts.get(key) ?? []), a]);
    }
    let first = true;
    for (const [ports, apps] of byPorts) {
      const id = first ? r.id : next++;
      first = false;
      const p = ports === "" ? "" : ` ${list("port", "ports", ports.split(", "))}`;
      out.push(`rule ${id} allow ${ref(r.from)} -> ${ref(r.to)} ${list("app", "apps", apps)}${p} learned "ports locked to what was seen"`);
    }
  }
  return out;
}

/** A whole learned policy. */
export function writePolicy(rules: readonly LearnedRule[], opts: WriteOptions): string {
  const plan = declareGroups(rules, opts);
  const head = [
    `# Learned by \`nvp learn\` from ${opts.sources.join(", ") || "no input"}: ${rules.length} rule${rules.length === 1 ? "" : "s"}.`,
    "# NeuVector's Discover-mode learning: one allow rule per group pair and kind, app rules on any port,",
    "# port rules with the server ports seen (docs/learn.md).",
    `policy ${opts.policyName}`,
    "",
  ];
  const body = ruleLines(rules, plan.refs, opts);
  return [...head, ...plan.lines, ...(plan.lines.length ? [""] : []), ...body, ""].join("\n");
}

/** Declarations and rules to append to an existing policy (`--into`). */
export function writeAddition(rules: readonly LearnedRule[], opts: WriteOptions): string {
  if (rules.length === 0) return "";
  const plan = declareGroups(rules, opts);
  return ["", `# Learned by \`nvp learn\` from ${opts.sources.join(", ")}: ${rules.length} new rule${rules.length === 1 ? "" : "s"}.`, ...plan.lines, ...ruleLines(rules, plan.refs, opts), ""].join("\n");
}
