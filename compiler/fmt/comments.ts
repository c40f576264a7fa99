/**
 * Where each comment goes when a file is reprinted. The AST keeps comments in one list with their
 * positions; this attaches every one of them to a node (an item, or an entry of a body), so the
 * formatter can lose none:
 *  - leading: on their own lines before the node;
 *  - inner: inside the node's span (a rule split over lines); printed before the node;
 *  - trailing: after the node, on the line where it ends.
 * Comments after the last node of the range are returned as `after` (end of file, end of a body).
 */
import type { Span } from "../../common/span.js";
import type { Comment } from "../ast/types.js";

export interface Attached<T> {
  node: T;
  leading: Comment[];
  inner: Comment[];
  trailing?: Comment;
}

export interface Attachment<T> {
  attached: Attached<T>[];
  after: Comment[];
}

/**
 * Attach `comments` (sorted by offset) that lie in `[from, to)` to `nodes` (in source order).
 * A comment is trailing only if nothing else starts between it and its node on that line.
 */
export function attach<T extends { span: Span }>(
  nodes: readonly T[], comments: readonly Comment[], from: number, to: number,
): Attachment<T> {
  let ci = 0;
  while (ci < comments.length && (comments[ci] as Comment).span.start.offset < from) ci++;
  const at = (): Comment | undefined => {
    const c = comments[ci];
    return c && c.span.start.offset < to ? c : undefined;
  };
  const attached: Attached<T>[] = [];
  nodes.forEach((node, k) => {
    const a: Attached<T> = { node, leading: [], inner: [] };
    for (let c = at(); c && c.span.start.offset < node.span.start.offset; ci++, c = at()) a.leading.push(c);
    for (let c = at(); c && c.span.start.offset < node.span.end.offset; ci++, c = at()) a.inner.push(c);
    const next = nodes[k + 1];
    const c = at();
    if (c && c.span.start.line === node.span.end.line && (!next || c.span.start.offset < next.span.start.offset)) {
      a.trailing = c;
      ci++;
    }
    attached.push(a);
  });
  const after: Comment[] = [];
  for (let c = at(); c; ci++, c = at()) after.push(c);
  return { attached, after };
}
