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

interface Entry {
  tok: IToken;
  /** First token of its line. */
  lineStart: boolean;
  /** Right after a declaration keyword on the same line, i.e. in the name slot: `group rule {`. */
  nameSlot: boolean;
}

/** Items whose keyword is followed by a name: a keyword there is a misused name, not a new item. */
const DECLARATIONS = new Set([Policy, Param, Service, Group]);

export class ItemSplitter {
  private readonly ahead: Entry[] = [];
  private prevWasNewline = true;
  private prevWasDeclaration = false;

  constructor(private readonly scanner: Scanner) {}

  private fill(k: number): Entry | undefined {
    while (this.ahead.length <= k) {
      const tok = this.scanner.next();
      if (!tok) return undefined;
      this.ahead.push({ tok, lineStart: this.prevWasNewline, nameSlot: this.prevWasDeclaration });
      this.prevWasNewline = tok.tokenType === Newline;
      this.prevWasDeclaration = DECLARATIONS.has(tok.tokenType);
    }
    return this.ahead[k];
  }

  private take(): Entry | undefined {
    const e = this.fill(0);
    if (e) this.ahead.shift();
    return e;
  }

  private startsItem(e: Entry, depth: number): boolean {
    const type = e.tok.tokenType;
    if (!ITEM_KEYWORDS.has(type) || e.nameSlot) return false;
    if (depth === 0) return true;
    if (!e.lineStart) return false;
    if (type !== Service) return true;
    return this.fill(1)?.tok.tokenType === Word && this.fill(2)?.tok.tokenType === Eq;
  }

  /** The next item (or run of stray tokens), or undefined at the end of the text. */
  nextChunk(): Chunk | undefined {
    let first = this.take();
    while (first && first.tok.tokenType === Newline) first = this.take();
    if (!first) return undefined;
    const rule = itemRuleFor(first.tok.tokenType);
    const tokens: IToken[] = [first.tok];
    let depth = 0;
    let truncated = false;
    for (let e = this.fill(0); e && !this.startsItem(e, depth); e = this.fill(0)) {
      this.take();
      const type = e.tok.tokenType;
      if (type === LCurly) depth++;
      else if (type === RCurly) depth = Math.max(0, depth - 1);
      else if (type === Newline && depth === 0) continue;
      if (!rule) continue;
      if (tokens.length < MAX_ITEM_TOKENS) tokens.push(e.tok);
      else truncated = true;
    }
    const next = this.fill(0)?.tok;
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
