/**
 * ASTs without positions: for comparing trees (parse∘print∘parse is the identity up to spans) and
 * for golden files, where a moved comment must not rewrite every line.
 */
import type { Comment, SourceFile } from "./types.js";

/** Keys that hold positions: `span` and the secondary spans (`idSpan`, `keySpan`, `opSpan`, `pathSpan`). */
function isSpanKey(k: string): boolean {
  return k === "span" || k.endsWith("Span");
}

/** A deep copy of any AST node (or list of them) without its span fields. The AST is shallow, so recursion is fine. */
export function stripSpans<T>(node: T): unknown {
  if (Array.isArray(node)) return node.map((n) => stripSpans(n));
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (!isSpanKey(k) && v !== undefined) out[k] = stripSpans(v);
  }
  return out;
}

/**
 * A file's items without spans, and its comment texts in order without their positions: what must
 * survive formatting.
 */
export function fileShape(file: SourceFile): { items: unknown; comments: string[] } {
  return { items: stripSpans(file.items), comments: file.comments.map((c: Comment) => c.text) };
}
