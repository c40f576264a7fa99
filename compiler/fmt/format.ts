/**
 * `nvp fmt`: the canonical layout of a parsed file, keeping every comment.
 *
 * - One item per line, in source order; a blank line between items of different kinds, and one
 *   blank line (never more) wherever the source had one.
 * - Bodies (`group`, `service`, `settings`) on one line, `{ a; b }`, when that fits in WIDTH columns
 *   and no comment sits inside; otherwise one entry per line, indented by two spaces, and an address
 *   list too long for its line is filled over several lines.
 * - Comments: own-line comments stay before what follows them, `# …` at the end of a line stays at
 *   the end of that line (two spaces before `#`), comments inside a one-line item move above it;
 *   an address list with comments between its addresses keeps its line breaks, so each comment
 *   stays after the address it was written after.
 *
 * Idempotent: the layout depends only on the AST, which comments exist where, and blank lines.
 * Expects a file without syntax errors (a partial AST would print partially).
 */
import type { AddressList, Comment, GroupDecl, GroupEntry, Item, ServiceDecl, Setting, SettingsDecl, SourceFile } from "../ast/types.js";
import { attach, type Attached } from "./comments.js";
import { addressItems, entryText, quoteString, ruleText, settingText, templateText } from "./print.js";

export const WIDTH = 100;
const INDENT = "  ";

function commentText(c: Comment): string {
  return `#${c.text.trimEnd()}`;
}

function withTrailing(line: string, c: Comment | undefined): string {
  return c ? `${line}  ${commentText(c)}` : line;
}

/** Appends lines, turning "the source had a gap here" into at most one blank line. */
class Out {
  readonly lines: string[] = [];
  /** Source line of the last thing written, for gap detection. */
  last: number | undefined;

  gapTo(line: number): boolean {
    return this.last !== undefined && line - this.last > 1;
  }

  blank(): void {
    if (this.lines.length && this.lines[this.lines.length - 1] !== "") this.lines.push("");
  }

  /** Own-line comments, keeping a blank line where the source had one (unless `packed`). */
  comments(cs: readonly Comment[], indent: string, packed = false): void {
    for (const c of cs) {
      if (!packed && this.gapTo(c.span.start.line)) this.blank();
      this.lines.push(indent + commentText(c));
      this.last = c.span.end.line;
    }
  }
}

type BodyItem = GroupDecl | ServiceDecl | SettingsDecl;
type Entry = GroupEntry | Setting;

function header(item: BodyItem): string {
  switch (item.kind) {
    case "group":
      return `group ${item.name.text}`;
    case "service":
      return `service ${item.name.text} = ${templateText(item.selector)}`;
    case "settings":
      return "settings";
  }
}

function entriesOf(item: BodyItem): Entry[] {
  return item.kind === "service" ? item.props : item.entries;
}

function entryLine(e: Entry): string {
  return "kind" in e ? entryText(e) : settingText(e);
}

/**
 * An entry on its own line(s). An address list too wide for one line is filled: as many addresses
 * per line as fit, continuation lines aligned under the first address.
 */
function entryLines(e: Entry, trailing: Comment | undefined): string[] {
  const line = INDENT + entryLine(e);
  if (!("kind" in e) || e.kind !== "address" || e.items.length < 2 || line.length <= WIDTH) {
    return [withTrailing(line, trailing)];
  }
  const lead = `${INDENT}address `;
  const pad = " ".repeat(lead.length);
  const lines: string[] = [];
  let cur = "";
  for (const a of addressItems(e)) {
    if (cur && `${cur}, ${a},`.length > WIDTH) {
      lines.push(`${cur},`);
      cur = pad + a;
    } else {
      cur = cur ? `${cur}, ${a}` : lead + a;
    }
  }
  lines.push(withTrailing(cur, trailing));
  return lines;
}

/**
 * An address list with comments between its addresses keeps the source's line breaks, each comment
 * at the end of the line it was written on: a `# …` after `10.0.0.1,` stays with 10.0.0.1 instead of
 * moving above the entry. Own-line comments between continuation lines stay between them.
 */
function commentedAddressLines(e: AddressList, inner: readonly Comment[], trailing: Comment | undefined): string[] {
  const lead = `${INDENT}address `;
  const pad = " ".repeat(lead.length);
  const texts = addressItems(e);
  const rows: { line: number; items: string[] }[] = [];
  e.items.forEach((item, i) => {
    const last = rows[rows.length - 1];
    if (last && last.line === item.span.start.line) last.items.push(texts[i] as string);
    else rows.push({ line: item.span.start.line, items: [texts[i] as string] });
  });
  const lines: string[] = [];
  let ci = 0;
  rows.forEach((row, r) => {
    // Comments on lines of their own before this row.
    for (; ci < inner.length && (inner[ci] as Comment).span.start.line < row.line; ci++) lines.push(pad + commentText(inner[ci] as Comment));
    const text = (r === 0 ? lead : pad) + row.items.join(", ") + (r < rows.length - 1 ? "," : "");
    const own = ci < inner.length && (inner[ci] as Comment).span.start.line === row.line ? inner[ci++] : undefined;
    lines.push(withTrailing(text, r === rows.length - 1 ? (own ?? trailing) : own));
  });
  // Comments after the last address but inside the entry's span cannot exist (the span ends there).
  return lines;
}

function bodyItem(out: Out, a: Attached<BodyItem>): void {
  const item = a.node;
  const head = header(item);
  const entries = entriesOf(item);
  const oneLine = entries.length ? `${head} { ${entries.map(entryLine).join("; ")} }` : `${head} {}`;
  if (a.inner.length === 0 && oneLine.length <= WIDTH) {
    out.lines.push(withTrailing(oneLine, a.trailing));
    return;
  }
  const body = attach(entries, a.inner, item.span.start.offset, item.span.end.offset);
  // A comment right after `{`, on the header's line, stays there.
  const pool = body.attached[0]?.leading ?? body.after;
  const open = pool[0]?.span.start.line === item.span.start.line ? pool.shift() : undefined;
  out.lines.push(withTrailing(`${head} {`, open));
  out.last = item.span.start.line;
  for (const e of body.attached) {
    const first = e.leading[0]?.span.start.line ?? e.node.span.start.line;
    if (out.gapTo(first)) out.blank();
    out.comments(e.leading, INDENT);
    if (out.gapTo(e.node.span.start.line)) out.blank();
    if ("kind" in e.node && e.node.kind === "address" && e.inner.length > 0) {
      out.lines.push(...commentedAddressLines(e.node, e.inner, e.trailing));
    } else {
      // Comments from inside any other entry (between continued lines) move above it, without gaps.
      out.comments(e.inner, INDENT, true);
      out.lines.push(...entryLines(e.node, e.trailing));
    }
    out.last = e.node.span.end.line;
  }
  out.comments(body.after, INDENT);
  out.lines.push(withTrailing("}", a.trailing));
}

function oneLineItem(item: Exclude<Item, GroupDecl | SettingsDecl>): string {
  switch (item.kind) {
    case "policy":
      return `policy ${item.name.text}`;
    case "import":
      return `import ${quoteString(item.path)}`;
    case "param":
      return item.default ? `param ${item.name.text} = ${templateText(item.default)}` : `param ${item.name.text}`;
    case "rule":
      return ruleText(item);
    case "service":
      return `service ${item.name.text} = ${templateText(item.selector)}`;
  }
}

export function formatSource(file: SourceFile): string {
  const comments = [...file.comments].sort((x, y) => x.span.start.offset - y.span.start.offset);
  const top = attach(file.items, comments, 0, Number.POSITIVE_INFINITY);
  const out = new Out();
  let prevKind: Item["kind"] | undefined;
  for (const a of top.attached) {
    const item = a.node;
    const first = a.leading[0]?.span.start.line ?? item.span.start.line;
    if ((prevKind !== undefined && prevKind !== item.kind) || out.gapTo(first)) out.blank();
    out.comments(a.leading, "");
    if (out.gapTo(item.span.start.line)) out.blank();
    if (item.kind === "group" || item.kind === "settings" || (item.kind === "service" && item.props.length)) {
      bodyItem(out, a as Attached<BodyItem>);
    } else {
      // Comments from inside a one-line item (a rule over several lines) move above it, without gaps.
      out.comments(a.inner, "", true);
      out.lines.push(withTrailing(oneLineItem(item as Exclude<Item, GroupDecl | SettingsDecl>), a.trailing));
    }
    out.last = item.span.end.line;
    prevKind = item.kind;
  }
  out.comments(top.after, "");
  return out.lines.length ? `${out.lines.join("\n")}\n` : "";
}
