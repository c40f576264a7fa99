/**
 * The front door of the compiler: source text → AST plus every lexical (NV0xxx) and syntax (NV1xxx)
 * error. It never throws and always returns a SourceFile: items with errors are left out (or, for
 * groups, services and settings, keep their well-formed entries).
 *
 * One streaming pass: scan → cut into items → parse each item → build its AST. At most
 * MAX_DIAGNOSTICS errors per file, then one "too many errors" and a stop, so a 10 MB garbage file
 * answers in milliseconds.
 */
import type { Diagnostic } from "../../common/diagnostics.js";
import { posAt, type Span } from "../../common/span.js";
import { ItemSplitter, MAX_ITEM_TOKENS, type Chunk } from "../../grammar/items.js";
import { Scanner } from "../../grammar/lexer.js";
import { quote, syntaxDiagnostic, tokenSpan, type ItemEnd } from "../../grammar/messages.js";
import { LCurly } from "../../grammar/tokens.js";
import { parseItem } from "../../grammar/parser.js";
import { buildItem } from "./build.js";
import { endPos, joinSpan } from "./cst.js";
import { fastItem } from "./fast-items.js";
import type { Item, PolicyDecl, SourceFile } from "./types.js";

export const MAX_DIAGNOSTICS = 100;

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

function sortKey(d: Diagnostic): number {
  return d.span?.start.offset ?? -1;
}

/** Syntax errors of one item: the first parse error, else the builder's own errors. */
function itemDiagnostics(path: string, chunk: Chunk, items: Item[]): Diagnostic[] {
  const rule = chunk.rule;
  const first = chunk.tokens[0];
  if (!first) return [];
  if (!rule) {
    return [{
      code: "NV1003",
      severity: "error",
      message: `expected an item, found ${quote(first.image === "\n" ? "new line" : first.image)}`,
      span: tokenSpan(path, first),
      label: "expected `policy`, `import`, `param`, `service`, `group`, `rule` or `settings`",
      help: "every item starts with a keyword, e.g. rule 10 allow web -> api port tcp/80",
    }];
  }
  if (!chunk.truncated) {
    const fast = fastItem(path, rule, chunk.tokens);
    if (fast) {
      items.push(fast);
      return [];
    }
  }
  const { cst, errors } = parseItem(rule, chunk.tokens);
  const built: Diagnostic[] = [];
  const last = chunk.tokens[chunk.tokens.length - 1] ?? first;
  // Without a parse error the CST holds every token of the chunk (left-over tokens are an error),
  // so the item spans the chunk: no need to search the CST for its first and last token.
  const ctx = { file: path, diagnostics: built };
  const item = buildItem(ctx, rule, cst, errors.length === 0 ? joinSpan(ctx, first, last) : undefined);
  if (item) items.push(item);
  if (chunk.truncated) {
    return [{
      code: "NV1004",
      severity: "error",
      message: `this item is too long: more than ${MAX_ITEM_TOKENS} tokens`,
      span: tokenSpan(path, first),
      label: "item starts here",
      help: "split it into several items; a missing `}` can also make an item run on",
    }];
  }
  const err = errors[0];
  if (!err) return built;
  // Only the first parse error: the rest of the item is usually its echo. The builder's errors
  // concern tokens the user wrote (repaired parts are never built), so they are kept.
  const end: ItemEnd = { file: path, rule, endPos: endPos(last), tokens: chunk.tokens };
  if (chunk.next) end.next = chunk.next;
  const open = chunk.tokens.find((t) => t.tokenType === LCurly);
  if (open) end.open = open;
  return [syntaxDiagnostic(err, end), ...built];
}

/** `policy` may appear once per file. */
function duplicatePolicies(items: Item[]): Diagnostic[] {
  const policies = items.filter((i): i is PolicyDecl => i.kind === "policy");
  const first = policies[0];
  return policies.slice(1).map((p) => ({
    code: "NV1011",
    severity: "error",
    message: "a file has at most one `policy` header",
    span: p.span,
    label: "second header",
    help: "remove one of the headers",
    related: first ? [{ span: first.span, message: "first header here" }] : [],
  }));
}

export function parseSource(path: string, text: string): ParseResult {
  const scanner = new Scanner(path, text);
  scanner.maxDiagnostics = MAX_DIAGNOSTICS;
  const splitter = new ItemSplitter(scanner);
  const items: Item[] = [];
  const diagnostics: Diagnostic[] = [];
  let lexTaken = 0;
  // Where processing stopped early at the error cap, if it did.
  let stoppedAt: number | undefined;
  for (let chunk = splitter.nextChunk(); chunk; chunk = splitter.nextChunk()) {
    // Lexical errors inside this item; if there are any, its syntax errors would only repeat them.
    let lexErrors = 0;
    for (let d = scanner.diagnostics[lexTaken]; d && sortKey(d) < chunk.endOffset; d = scanner.diagnostics[++lexTaken]) {
      diagnostics.push(d);
      lexErrors++;
    }
    const own = itemDiagnostics(path, chunk, items);
    if (lexErrors === 0) diagnostics.push(...own);
    if (diagnostics.length >= MAX_DIAGNOSTICS && (chunk.next !== undefined || scanner.stopped)) {
      stoppedAt = chunk.endOffset;
      break;
    }
  }
  if (scanner.stopped) stoppedAt ??= scanner.offset;
  diagnostics.push(...scanner.diagnostics.slice(lexTaken));
  diagnostics.push(...duplicatePolicies(items));
  diagnostics.sort((a, b) => sortKey(a) - sortKey(b));
  const dropped = diagnostics.splice(MAX_DIAGNOSTICS);
  const firstDropped = dropped[0];
  if (firstDropped) stoppedAt = sortKey(firstDropped);
  if (stoppedAt !== undefined) {
    const at = posAt(text, stoppedAt);
    const span: Span = { file: path, start: at, end: at };
    diagnostics.push({
      code: "NV1099",
      severity: "error",
      message: `too many errors; stopped after ${MAX_DIAGNOSTICS}`,
      span,
      label: "stopped here",
      help: "fix the errors above and check again; is this really a .nvp file?",
    });
  }
  const comments = scanner.comments.map((c) => ({ text: c.text, span: c.span }));
  return { file: { kind: "file", path, items, comments }, diagnostics };
}
