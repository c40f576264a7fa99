/**
 * Cuts the token stream into items, so each item is parsed on its own and a mistake in one item
 * cannot swallow the next: ten broken items give ten diagnostics.
 *
 * A new item starts at an item keyword (`policy|import|param|service|group|rule|settings`) that is
 *  - outside any `{…}`, or
 *  - the first token of its line, even inside an unclosed `{` (a forgotten `}` must not eat the rest
 *    of the file). `service` is also a criterion key, so inside braces it starts an item only when it
 *    reads `service <name> =`.
 * Line breaks outside braces carry no meaning and are dropped here; inside braces they separate entries.
 */
import type { IToken } from "chevrotain";
import type { Scanner } from "./lexer.js";
import { itemRuleFor, type ItemRule } from "./parser.js";
import { Eq, Group, ITEM_KEYWORDS, LCurly, Newline, Param, Policy, RCurly, Service, Word } from "./tokens.js";

/**
 * Tokens kept per item. Far above any real item (a group of 100k addresses), it bounds memory on
 * adversarial input such as a 10 MB run of `{`; the rest of an oversized item is scanned, not kept.
 */
export const MAX_ITEM_TOKENS = 250_000;

export interface Chunk {
  /** The item rule to parse with; undefined when the tokens start no item (stray text). */
  rule?: ItemRule;
  /** The item's tokens; for stray text only the first token. */
  tokens: IToken[];
  /** More than MAX_ITEM_TOKENS tokens: only the first ones were kept. */
  truncated: boolean;
  /** The first token of the next item, if any. */
  next?: IToken;
  /** Where this chunk ends: the next item's start, or the end of the text. */
  endOffset: number;
}

/** Items whose keyword is followed by a name: a keyword there is a misused name, not a new item. */
const DECLARATIONS = new Set([Policy, Param, Service, Group]);

export class ItemSplitter {
  // The tokens read ahead (at most three), in parallel arrays rather than an object per token:
  // each token, whether it is the first of its line, and whether it sits right after a declaration
  // keyword on the same line, i.e. in the name slot (`group rule {`).
  private readonly aheadTok: IToken[] = [];
  private readonly aheadLineStart: boolean[] = [];
  private readonly aheadNameSlot: boolean[] = [];
  private prevWasNewline = true;
  private prevWasDeclaration = false;

  constructor(private readonly scanner: Scanner) {}

  /** The k-th token ahead, or undefined at the end of the text. */
  private fill(k: number): IToken | undefined {
    while (this.aheadTok.length <= k) {
      const tok = this.scanner.next();
      if (!tok) return undefined;
      this.aheadTok.push(tok);
      this.aheadLineStart.push(this.prevWasNewline);
      this.aheadNameSlot.push(this.prevWasDeclaration);
      this.prevWasNewline = tok.tokenType === Newline;
      this.prevWasDeclaration = DECLARATIONS.has(tok.tokenType);
    }
    return this.aheadTok[k];
  }

  private take(): IToken | undefined {
    const t = this.fill(0);
    if (t) {
      this.aheadTok.shift();
      this.aheadLineStart.shift();
      this.aheadNameSlot.shift();
    }
    return t;
  }

  /** Does the next token (read ahead with `fill(0)`) start an item, at brace depth `depth`? */
  private startsItem(depth: number): boolean {
    const type = (this.aheadTok[0] as IToken).tokenType;
    if (!ITEM_KEYWORDS.has(type) || this.aheadNameSlot[0]) return false;
    if (depth === 0) return true;
    if (!this.aheadLineStart[0]) return false;
    if (type !== Service) return true;
    return this.fill(1)?.tokenType === Word && this.fill(2)?.tokenType === Eq;
  }

  /** The next item (or run of stray tokens), or undefined at the end of the text. */
  nextChunk(): Chunk | undefined {
    let first = this.take();
    while (first && first.tokenType === Newline) first = this.take();
    if (!first) return undefined;
    const rule = itemRuleFor(first.tokenType);
    const tokens: IToken[] = [first];
    let depth = 0;
    let truncated = false;
    for (let t = this.fill(0); t && !this.startsItem(depth); t = this.fill(0)) {
      this.take();
      const type = t.tokenType;
      if (type === LCurly) depth++;
      else if (type === RCurly) depth = Math.max(0, depth - 1);
      else if (type === Newline && depth === 0) continue;
      if (!rule) continue;
      if (tokens.length < MAX_ITEM_TOKENS) tokens.push(t);
      else truncated = true;
    }
    const next = this.fill(0);
    const chunk: Chunk = {
      tokens,
      truncated,
      endOffset: next ? next.startOffset : this.scanner.offset,
    };
    if (rule) chunk.rule = rule;
    if (next) chunk.next = next;
    return chunk;
  }
}
