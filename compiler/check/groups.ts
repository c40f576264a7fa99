/**
 * Group declarations and references. Declared groups (custom, address, service) get the first
 * model indexes in declaration order; built-ins and undeclared `nv.<svc>.<ns>` groups are added the
 * first time a rule names them. A reference resolves, after parameter substitution, to a declared
 * name, a built-in, or a service group by its NeuVector name (so `web` and `nv.web.shop` are one).
 */
import { parseIp } from "../../common/ip.js";
import { MODES, type Mode } from "../../common/schema.js";
import type { Span } from "../../common/span.js";
import type { GroupDecl, GroupRef, ModeProp, ServiceDecl } from "../ast/types.js";
import { BUILTIN_GROUPS, type AddressModel, type BuiltinGroup, type CriterionModel, type GroupModel } from "../model.js";
import { checkAddressItem } from "./address.js";
import { checkCriterion } from "./criteria.js";
import { type Diags, q, suggest } from "./diag.js";
import type { Params } from "./params.js";
import { parseServiceName } from "./dns-name.js";
import { isStdPath } from "./import-path.js";

export interface GroupInfo {
  model: GroupModel;
  decl?: GroupDecl | ServiceDecl;
  /** Span of each criterion, parallel to `model.criteria`. */
  criterionSpans: Span[];
  /** An explicit mode property (for the Discover lint). */
  modeProp?: ModeProp;
  /** Named by at least one rule. */
  used: boolean;
  /** Declared in the standard library or in a file another file imports: never reported as unused. */
  library: boolean;
  /** The declaration had an error; lints skip it rather than guess. */
  broken: boolean;
}

export class GroupTable {
  readonly groups: GroupInfo[] = [];
  private readonly byName = new Map<string, number>();
  private readonly byNvName = new Map<string, number>();

  constructor(
    private readonly params: Params,
    private readonly d: Diags,
    /** Is the file a library (standard library, or imported by another file)? */
    private readonly isLibrary: (path: string) => boolean = isStdPath,
  ) {}

  /** Declare a group or service whose name already passed the duplicate and reserved checks. */
  declare(decl: GroupDecl | ServiceDecl): void {
    const errorsBefore = this.d.errors;
    const info: GroupInfo = {
      model: { index: this.groups.length, name: decl.name.text, kind: "workload", span: decl.span },
      decl,
      criterionSpans: [],
      used: false,
      library: this.isLibrary(decl.span.file),
      broken: false,
    };
    if (decl.kind === "service") this.declareService(decl, info);
    else this.declareGroup(decl, info);
    info.broken = this.d.errors > errorsBefore;
    this.byName.set(decl.name.text, info.model.index);
    this.groups.push(info);
  }

  private declareService(decl: ServiceDecl, info: GroupInfo): void {
    info.model.kind = "service";
    const mode = this.checkModes(decl.props);
    if (mode.network) info.model.mode = mode.network;
    if (mode.prop) info.modeProp = mode.prop;
    const text = this.params.subst(decl.selector);
    if (text === undefined) return;
    const sn = parseServiceName(text);
    if (!sn.ok) {
      this.d.error("NV2212", { span: decl.selector.span, message: sn.error, label: "not nv.<service>.<namespace>", help: sn.help });
      return;
    }
    info.model.service = { service: sn.service, namespace: sn.namespace };
    const first = this.byNvName.get(text);
    if (first !== undefined) {
      const other = this.groups[first]!;
      this.d.error("NV2213", {
        span: decl.selector.span,
        message: `services ${q(other.model.name)} and ${q(decl.name.text)} both name ${q(text)}`,
        label: "second service for this group",
        help: `a NeuVector group has one mode; keep one service declaration and refer to it as \`${other.model.name}\``,
        related: other.decl ? [{ span: other.decl.span, message: `${q(text)} is first declared here` }] : [],
      });
      return;
    }
    this.byNvName.set(text, info.model.index);
  }

  /** Validate mode properties; the network mode (scope `all` or `network`) is what the model keeps. */
  private checkModes(props: readonly ModeProp[]): { network?: Mode; prop?: ModeProp } {
    const out: { network?: Mode; prop?: ModeProp } = {};
    const byScope = new Map<string, ModeProp>();
    for (const p of props) {
      const clash = p.scope === "all" ? (byScope.get("all") ?? byScope.get("network") ?? byScope.get("process")) : (byScope.get(p.scope) ?? byScope.get("all"));
      if (clash) {
        this.d.error("NV2217", {
          span: p.span,
          message: p.scope === "all" ? "mode is given twice" : `${p.scope} mode is given twice`,
          label: "second mode",
          help: "keep one `mode`, or split it as `mode network <m>` and `mode process <m>`",
          related: [{ span: clash.span, message: "first given here" }],
        });
        continue;
      }
      byScope.set(p.scope, p);
      const written = p.param ? this.params.subst(p.param) : p.mode.text;
      if (written === undefined) continue;
      const word = written.toLowerCase();
      if (!(MODES as readonly string[]).includes(word)) {
        this.d.error("NV2214", {
          span: p.mode.span,
          message: p.param ? `parameter value ${q(written)} is not a policy mode` : `${q(p.mode.text)} is not a policy mode`,
          label: "unknown mode",
          help: suggest(written, MODES, "modes are discover, monitor and protect"),
        });
        continue;
      }
      if (p.scope !== "process") {
        out.network = word as Mode;
        out.prop = p;
      }
    }
    return out;
  }

  private declareGroup(decl: GroupDecl, info: GroupInfo): void {
    const criteria: CriterionModel[] = [];
    const addresses: AddressModel[] = [];
    let firstCriterion: Span | undefined;
    let firstAddress: Span | undefined;
    let hasAddressList = false;
    for (const e of decl.entries) {
      if (e.kind === "mode") {
        this.d.error("NV2215", {
          span: e.span,
          message: `group ${q(decl.name.text)} cannot carry a mode`,
          label: "only service groups carry a mode",
          help: "modes belong to NeuVector service groups: declare `service <name> = nv.<service>.<namespace> { mode protect }`",
        });
      } else if (e.kind === "criterion") {
        firstCriterion ??= e.span;
        const m = checkCriterion(e, this.params, this.d);
        if (m) {
          criteria.push(m);
          info.criterionSpans.push(e.span);
        }
      } else {
        hasAddressList = true;
        firstAddress ??= e.span;
        for (const item of e.items) {
          const m = checkAddressItem(item, this.params, this.d);
          if (m) addresses.push(m);
        }
      }
    }
    if (firstCriterion && firstAddress) {
      const second = firstCriterion.start.offset > firstAddress.start.offset ? firstCriterion : firstAddress;
      const first = second === firstCriterion ? firstAddress : firstCriterion;
      this.d.error("NV2204", {
        span: second,
        message: `group ${q(decl.name.text)} mixes addresses and workload criteria`,
        label: second === firstAddress ? "address entry after workload criteria" : "workload criterion after address entries",
        help: "NeuVector does not combine them in one group: declare one address group and one workload group",
        related: [{ span: first, message: second === firstAddress ? "workload criterion here" : "address entry here" }],
      });
    }
    // Exact copies: the model keeps them, and a pushed-to array keeps room for 17 entries.
    if (hasAddressList) {
      info.model.kind = "address";
      info.model.addresses = addresses.slice();
    } else {
      info.model.criteria = criteria.slice();
    }
  }

  /** Resolve a rule's group reference to a model index, adding built-ins and nv groups as needed. */
  resolve(ref: GroupRef): number | undefined {
    const name = this.params.subst(ref.name);
    if (name === undefined) return undefined;
    const declared = this.byName.get(name);
    if (declared !== undefined) return this.use(declared);
    if ((BUILTIN_GROUPS as readonly string[]).includes(name)) {
      const builtin = name as BuiltinGroup;
      return this.use(this.implicit(name, { kind: "builtin", builtin }));
    }
    const endpoint = /^(Host|Workload):(.*)$/.exec(name);
    if (endpoint) return this.endpointGroup(name, endpoint[1] as string, endpoint[2] as string, ref);
    if (name.startsWith("nv.ip.") && name.split(".").length === 4) {
      // NeuVector's service-IP group (controller/cache/group.go makeServiceIPGroupName): the
      // Service's cluster IPs, from the inventory's Services (S2.10).
      const sn = parseServiceName(`nv.${name.slice("nv.ip.".length)}`);
      if (!sn.ok) {
        this.d.error("NV2212", { span: ref.span, message: sn.error.replace(/`nv\.[^`]*`/, q(name)), label: "not nv.ip.<service>.<namespace>", help: sn.help });
        return undefined;
      }
      return this.use(this.implicit(name, { kind: "service-ip", service: { service: sn.service, namespace: sn.namespace } }));
    }
    if (name.startsWith("nv.")) {
      const sn = parseServiceName(name);
      if (!sn.ok) {
        this.d.error("NV2212", { span: ref.span, message: sn.error, label: "not nv.<service>.<namespace>", help: sn.help });
        return undefined;
      }
      const service = this.byNvName.get(name);
      if (service !== undefined) return this.use(service);
      return this.use(this.implicit(name, { kind: "service", service: { service: sn.service, namespace: sn.namespace } }));
    }
    this.d.error("NV2103", {
      span: ref.span,
      message: `group ${q(name)} is not defined`,
      label: "unknown group",
      help: suggest(name, [...this.byName.keys(), ...BUILTIN_GROUPS], `declare it with \`group ${name} { ... }\`, or name a service group as \`nv.<service>.<namespace>\``),
    });
    return undefined;
  }

  /**
   * NeuVector's endpoint groups `Host:<ip>` and `Workload:<ip>` (exported rules and CRDs name them):
   * the one address, for every endpoint kind (S2.9). Host names are not modelled.
   */
  private endpointGroup(name: string, kind: string, value: string, ref: GroupRef): number | undefined {
    const ip = parseIp(value);
    if (ip === null) {
      this.d.error("NV2221", {
        span: ref.span,
        message: `${q(name)} does not name an IP address`,
        label: `not ${kind}:<ip>`,
        help: kind === "Host" ? "name the host by IP (`Host:10.0.1.1`), or use the built-in group `nodes`" : "name the workload by IP (`Workload:10.0.0.9`)",
      });
      return undefined;
    }
    const address: AddressModel = { kind: "ip", lo: ip, hi: ip, text: value };
    return this.use(this.implicit(name, { kind: "address", addresses: [address] }));
  }

  private implicit(name: string, fields: Omit<GroupModel, "index" | "name">): number {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const index = this.groups.length;
    this.groups.push({ model: { index, name, ...fields }, criterionSpans: [], used: false, library: false, broken: false });
    this.byName.set(name, index);
    return index;
  }

  private use(index: number): number {
    this.groups[index]!.used = true;
    return index;
  }
}
