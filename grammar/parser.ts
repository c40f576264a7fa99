/**
 * The .nvp grammar as a Chevrotain CstParser. One top-level rule per item kind: the item splitter
 * (items.ts) cuts the token stream at item keywords and parses each item on its own, which is what
 * makes one mistake per item give one diagnostic. Recovery is on, so a single missing or extra token
 * still yields a CST the AST builder can use.
 *
 * The rule names and CST labels are read by compiler/ast/build.ts and grammar/messages.ts.
 */
import type { CstNode, IOrAlt, IRecognitionException, IToken, TokenType } from "chevrotain";
import { CstParser } from "./chevrotain.js";
import { messageProvider } from "./messages.js";
import {
  AddressLit, Address, ALL_TOKENS, Allow, App, Apps, Arrow, At, Caret, Comma, Contains, Deny, Duration, Eq, Group,
  Import, Keyword, KEYWORDS, LCurly, Learned, Mode, Newline, NotEq, NotRegex, NotTilde, NumberLit, NumRange, Param, Policy,
  Port, PortSpec, Ports, Prefix, RCurly, Regex, Rule, Sep, Service, Settings, StringLit, Tilde, VhPrefix, Word,
} from "./tokens.js";

const OPERATORS: ReadonlySet<TokenType> = new Set([Eq, NotEq, Contains, Prefix, Regex, NotRegex, At, Caret, Tilde, NotTilde]);

class NvpParser extends CstParser {
  constructor() {
    super(ALL_TOKENS, {
      recoveryEnabled: true,
      maxLookahead: 3,
      errorMessageProvider: messageProvider,
      nodeLocationTracking: "none",
    });
    this.performSelfAnalysis();
  }

  // Alternatives are built once, not on every rule invocation (Chevrotain's advice for speed).
  // `occurrence` plays the role of the digit in CONSUME2: distinct per token type within one rule.
  private alts(types: readonly TokenType[], label: string, occurrence = 0): IOrAlt<IToken>[] {
    return types.map((t) => ({ ALT: () => this.consume(occurrence, t, { LABEL: label }) }));
  }

  private readonly nameAlts = this.alts([Word, Keyword], "name");
  private readonly defaultAlts = this.alts([StringLit, Word, NumberLit, NumRange, Duration, AddressLit, PortSpec], "value");
  private readonly selectorAlts = this.alts([Word, StringLit], "selector", 2);
  private readonly keyAlts = this.alts([Word, Service], "key");
  // Keywords are listed one by one, not as the Keyword category: Chevrotain's lookahead analysis does
  // not expand categories, and `image prefix "x"` must see that `prefix` is also an operator.
  private readonly labelKeyAlts = this.alts([Word, StringLit, ...KEYWORDS.values()], "key");
  private readonly opAlts = this.alts([...OPERATORS], "op");
  private readonly valueAlts = this.alts([StringLit, Word, NumberLit], "value");
  private readonly addressAlts = this.alts([StringLit, Word, AddressLit], "value");
  private readonly actionAlts = this.alts([Allow, Deny], "action");
  private readonly appKwAlts = this.alts([App, Apps], "keyword");
  private readonly portKwAlts = this.alts([Port, Ports], "keyword");
  private readonly portAlts = this.alts([PortSpec, NumberLit, NumRange, Word], "value");
  private readonly settingKeyAlts = this.alts([Word, Keyword], "key");
  private readonly settingValueAlts = this.alts([Word, NumberLit, StringLit, Duration], "value");

  /** `policy shop` */
  policyDecl = this.RULE("policyDecl", () => {
    this.CONSUME(Policy);
    this.CONSUME(Word, { LABEL: "name" });
  });

  /** `import "std/net"` */
  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(Import);
    this.CONSUME(StringLit, { LABEL: "path" });
  });

  /** `param ns = "shop-dev"`, `param port = 5432`, `param ns` */
  paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(Param);
    // A parameter may be named like a keyword (`param port = 5432`); it is then used as `${port}`.
    this.OR1(this.nameAlts);
    this.OPTION(() => {
      this.CONSUME(Eq);
      this.SUBRULE(this.paramDefault, { LABEL: "default" });
    });
  });

  paramDefault = this.RULE("paramDefault", () => {
    this.OR({ DEF: this.defaultAlts, ERR_MSG: "a default value (a string, a name or a number)" });
  });

  /** `service web = nv.web.${ns} { mode protect }` */
  serviceDecl = this.RULE("serviceDecl", () => {
    this.CONSUME(Service);
    this.CONSUME(Word, { LABEL: "name" });
    this.CONSUME(Eq);
    this.OR({ DEF: this.selectorAlts, ERR_MSG: "a service group such as `nv.web.${ns}`" });
    this.OPTION(() => this.SUBRULE(this.serviceBody, { LABEL: "body" }));
  });

  serviceBody = this.RULE("serviceBody", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.CONSUME(Sep));
    this.OPTION(() => {
      this.SUBRULE(this.modeProp, { LABEL: "entry" });
      this.MANY2(() => {
        this.AT_LEAST_ONE(() => this.CONSUME2(Sep));
        this.OPTION2(() => this.SUBRULE2(this.modeProp, { LABEL: "entry" }));
      });
    });
    this.CONSUME(RCurly);
  });

  /** `mode protect`, `mode network protect` */
  modeProp = this.RULE("modeProp", () => {
    this.CONSUME(Mode);
    this.CONSUME(Word, { LABEL: "first" });
    this.OPTION(() => this.CONSUME2(Word, { LABEL: "second" }));
  });

  /** `group frontends { domain = ns; label tier = "front" }` */
  groupDecl = this.RULE("groupDecl", () => {
    this.CONSUME(Group);
    this.CONSUME(Word, { LABEL: "name" });
    this.SUBRULE(this.groupBody, { LABEL: "body" });
  });

  groupBody = this.RULE("groupBody", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.CONSUME(Sep));
    this.OPTION(() => {
      this.SUBRULE(this.groupEntry, { LABEL: "entry" });
      this.MANY2(() => {
        this.AT_LEAST_ONE(() => this.CONSUME2(Sep));
        this.OPTION2(() => this.SUBRULE2(this.groupEntry, { LABEL: "entry" }));
      });
    });
    this.CONSUME(RCurly);
  });

  private readonly entryAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.modeProp) },
    { ALT: () => this.SUBRULE(this.addressList) },
    { ALT: () => this.SUBRULE(this.criterion) },
  ];

  groupEntry = this.RULE("groupEntry", () => {
    this.OR({
      DEF: this.entryAlts,
      ERR_MSG: "a group entry (a criterion such as `label tier = \"front\"`, `address …` or `mode …`)",
    });
  });

  /** `label tier = "front"`, `image prefix "registry.local/"`, `domain = ns` */
  criterion = this.RULE("criterion", () => {
    this.OR(this.keyAlts);
    // A label name is present exactly when an operator follows it (`label prefix = "x"` vs
    // `image prefix "x"`). Chevrotain's OPTION lookahead ignores what follows the option, so gate it.
    this.OPTION({
      GATE: () => OPERATORS.has(this.LA(2).tokenType),
      DEF: () => this.SUBRULE(this.labelKey, { LABEL: "labelKey" }),
    });
    this.SUBRULE(this.criterionOp, { LABEL: "op" });
    this.SUBRULE(this.criterionValue, { LABEL: "value" });
  });

  /** A label name: a bare name, a string, or any keyword (`label app = "web"`). */
  labelKey = this.RULE("labelKey", () => {
    this.OR(this.labelKeyAlts);
  });

  criterionOp = this.RULE("criterionOp", () => {
    this.OR({ DEF: this.opAlts, ERR_MSG: "an operator (`=`, `!=`, `contains`, `prefix`, `regex` or `!regex`)" });
  });

  criterionValue = this.RULE("criterionValue", () => {
    this.OR({ DEF: this.valueAlts, ERR_MSG: "a value (a string, a parameter name or a number)" });
  });

  /** `address 10.0.0.0/8, "db.example.com", vh:shop.example.com`; may continue on the next line after a comma. */
  addressList = this.RULE("addressList", () => {
    this.CONSUME(Address);
    this.SUBRULE(this.addressItem, { LABEL: "item" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.MANY2(() => this.CONSUME(Newline));
      this.SUBRULE2(this.addressItem, { LABEL: "item" });
    });
  });

  addressItem = this.RULE("addressItem", () => {
    this.OPTION(() => this.CONSUME(VhPrefix, { LABEL: "vh" }));
    this.OR({ DEF: this.addressAlts, ERR_MSG: "an address (an IP, CIDR, range, DNS name or a string)" });
  });

  /** `rule 20 allow api -> db-ext app postgresql port tcp/5432 learned "comment"` */
  ruleDecl = this.RULE("ruleDecl", () => {
    this.CONSUME(Rule);
    this.CONSUME(NumberLit, { LABEL: "id" });
    this.OR({ DEF: this.actionAlts, ERR_MSG: "`allow` or `deny`" });
    this.SUBRULE(this.groupRefs, { LABEL: "from" });
    this.CONSUME(Arrow);
    this.SUBRULE2(this.groupRefs, { LABEL: "to" });
    this.MANY(() => this.SUBRULE(this.ruleOption, { LABEL: "option" }));
  });

  groupRefs = this.RULE("groupRefs", () => {
    this.CONSUME(Word, { LABEL: "ref" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Word, { LABEL: "ref" });
    });
  });

  private readonly optionAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.appOption, { LABEL: "apps" }) },
    { ALT: () => this.SUBRULE(this.portOption, { LABEL: "ports" }) },
    { ALT: () => this.CONSUME(Learned, { LABEL: "learned" }) },
    { ALT: () => this.CONSUME(StringLit, { LABEL: "comment" }) },
  ];

  ruleOption = this.RULE("ruleOption", () => {
    this.OR(this.optionAlts);
  });

  appOption = this.RULE("appOption", () => {
    this.OR(this.appKwAlts);
    this.CONSUME(Word, { LABEL: "app" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Word, { LABEL: "app" });
    });
  });

  portOption = this.RULE("portOption", () => {
    this.OR(this.portKwAlts);
    this.SUBRULE(this.portItem, { LABEL: "port" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.portItem, { LABEL: "port" });
    });
  });

  portItem = this.RULE("portItem", () => {
    this.OR({ DEF: this.portAlts, ERR_MSG: "a port (`tcp/80`, `udp/53-60`, `tcp/any`, `icmp`, `any`, `8080` or `8000-8080`)" });
  });

  /** `settings { xff on; contention strict; dns-tunnel.window 5s }` */
  settingsDecl = this.RULE("settingsDecl", () => {
    this.CONSUME(Settings);
    this.SUBRULE(this.settingsBody, { LABEL: "body" });
  });

  settingsBody = this.RULE("settingsBody", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.CONSUME(Sep));
    this.OPTION(() => {
      this.SUBRULE(this.setting, { LABEL: "entry" });
      this.MANY2(() => {
        this.AT_LEAST_ONE(() => this.CONSUME2(Sep));
        this.OPTION2(() => this.SUBRULE2(this.setting, { LABEL: "entry" }));
      });
    });
    this.CONSUME(RCurly);
  });

  setting = this.RULE("setting", () => {
    this.OR({ DEF: this.settingKeyAlts, ERR_MSG: "a setting name" });
    this.SUBRULE(this.settingValue, { LABEL: "value" });
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.settingValue, { LABEL: "value" });
    });
  });

  settingValue = this.RULE("settingValue", () => {
    this.OR({ DEF: this.settingValueAlts, ERR_MSG: "a setting value (a word, a number, a string or a duration such as `5s`)" });
  });
}

/** The item rule for each item keyword. */
export type ItemRule = "policyDecl" | "importDecl" | "paramDecl" | "serviceDecl" | "groupDecl" | "ruleDecl" | "settingsDecl";

const ITEM_RULES: ReadonlyMap<TokenType, ItemRule> = new Map<TokenType, ItemRule>([
  [Policy, "policyDecl"], [Import, "importDecl"], [Param, "paramDecl"], [Service, "serviceDecl"],
  [Group, "groupDecl"], [Rule, "ruleDecl"], [Settings, "settingsDecl"],
]);

export function itemRuleFor(keyword: TokenType): ItemRule | undefined {
  return ITEM_RULES.get(keyword);
}

// Self-analysis is the expensive part: one instance, reused for every item of every file.
let shared: NvpParser | undefined;

export interface ItemParse {
  cst: CstNode;
  errors: IRecognitionException[];
}

/** Parse one item's tokens (the first is its item keyword) with the rule for that keyword. */
export function parseItem(rule: ItemRule, tokens: IToken[]): ItemParse {
  const p = (shared ??= new NvpParser());
  p.input = tokens;
  const cst = p[rule]();
  return { cst, errors: [...p.errors] };
}
