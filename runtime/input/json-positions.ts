/**
 * Source positions for text that `JSON.parse` already accepted. `JSON.parse` is 50–100× faster
 * than a YAML document parse on large kubectl dumps, but it keeps no positions; this scanner
 * rebuilds them in one pass, and only when a diagnostic needs a span. It assumes valid JSON (the
 * caller parsed it first) and still never throws: on anything unexpected it stops and returns what
 * it has, so spans degrade to the nearest enclosing value.
 */

/** Offsets of one JSON value and, for an object member, of its key. */
export interface JsonPosNode {
  start: number;
  end: number;
  keyStart?: number;
  keyEnd?: number;
  /** Object members by key (the last duplicate wins, as in `JSON.parse`) or array elements. */
  members?: Map<string, JsonPosNode>;
  items?: JsonPosNode[];
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

class Scanner {
  i: number;
  constructor(
    readonly text: string,
    start: number,
    readonly limit: number,
  ) {
    this.i = start;
  }

  skipWs(): void {
    while (this.i < this.limit && WS.has(this.text.charCodeAt(this.i))) this.i++;
  }

  /** Returns the end offset of the string starting at `this.i` (which holds `"`). */
  skipString(): number {
    let j = this.i + 1;
    while (j < this.limit) {
      const c = this.text.charCodeAt(j);
      if (c === 0x5c) j += 2;
      else if (c === 0x22) return j + 1;
      else j++;
    }
    return this.limit;
  }

  value(depth: number): JsonPosNode | undefined {
    this.skipWs();
    if (this.i >= this.limit) return undefined;
    const start = this.i;
    const c = this.text.charCodeAt(this.i);
    // Nesting this deep is not an inventory; stop rather than risk the stack.
    if ((c === 0x7b || c === 0x5b) && depth > 2000) return undefined;
    if (c === 0x7b) return this.object(start, depth);
    if (c === 0x5b) return this.array(start, depth);
    if (c === 0x22) {
      this.i = this.skipString();
      return { start, end: this.i };
    }
    // number, true, false, null: runs until a delimiter
    while (this.i < this.limit) {
      const d = this.text.charCodeAt(this.i);
      if (d === 0x2c || d === 0x7d || d === 0x5d || WS.has(d)) break;
      this.i++;
    }
    return this.i > start ? { start, end: this.i } : undefined;
  }

  object(start: number, depth: number): JsonPosNode {
    const members = new Map<string, JsonPosNode>();
    const node: JsonPosNode = { start, end: this.limit, members };
    this.i++;
    for (;;) {
      this.skipWs();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x7d) {
        node.end = ++this.i;
        return node;
      }
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      if (c !== 0x22) return node;
      const keyStart = this.i;
      const keyEnd = this.skipString();
      let key: string;
      try {
        key = JSON.parse(this.text.slice(keyStart, keyEnd)) as string;
      } catch {
        return node;
      }
      this.i = keyEnd;
      this.skipWs();
      if (this.text.charCodeAt(this.i) !== 0x3a) return node;
      this.i++;
      const v = this.value(depth + 1);
      if (!v) return node;
      v.keyStart = keyStart;
      v.keyEnd = keyEnd;
      members.set(key, v);
    }
  }

  array(start: number, depth: number): JsonPosNode {
    const items: JsonPosNode[] = [];
    const node: JsonPosNode = { start, end: this.limit, items };
    this.i++;
    for (;;) {
      this.skipWs();
      const c = this.text.charCodeAt(this.i);
      if (c === 0x5d) {
        node.end = ++this.i;
        return node;
      }
      if (c === 0x2c) {
        this.i++;
        continue;
      }
      const v = this.value(depth + 1);
      if (!v) return node;
      items.push(v);
    }
  }
}

/** Build the position tree of the JSON value in `text[start, limit)`. */
export function scanJsonPositions(text: string, start = 0, limit = text.length): JsonPosNode | undefined {
  return new Scanner(text, start, limit).value(0);
}
