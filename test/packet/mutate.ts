/**
 * Mutations of bytes for the fuzz tests, one mutator for all: bit flips, overwrites, cuts,
 * insertions and deletions. `mutation` draws packet mutations (with length and offset fields of
 * the headers); `payloadEdits` draws edits of application payloads (test/dpi, test/threat).
 */
import fc from "fast-check";

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "cut"; at: number }
  | { kind: "byte"; at: number; value: number }
  | { kind: "field"; at: number; value: number }
  | { kind: "splice"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant("splice" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
  // Length and offset fields: IPv4 total length, IHL, IPv6 payload length, TCP data offset, UDP length.
  fc.record({ kind: fc.constant("field" as const), at: fc.constantFrom(0, 2, 3, 4, 5, 6, 7, 32, 33, 44, 45, 46, 47, 52), value: fc.nat({ max: 255 }) }),
);

/** One payload edit as drawn: kind 0 flips bit `value & 7`, 1 overwrites, 2 inserts `value`, 3 deletes, 4 cuts. */
function payloadEdit(e: { at: number; kind: number; value: number }): Mutation {
  if (e.kind === 0) return { kind: "flip", at: e.at, bit: e.value & 7 };
  if (e.kind === 1) return { kind: "byte", at: e.at, value: e.value };
  if (e.kind === 2) return { kind: "splice", at: e.at, bytes: Uint8Array.of(e.value) };
  if (e.kind === 3) return { kind: "delete", at: e.at };
  return { kind: "cut", at: e.at };
}

/** 1 to `maxLength` payload edits, for `mutate(b, edits, { end: true })`. */
export function payloadEdits(maxLength: number): fc.Arbitrary<Mutation[]> {
  return fc
    .array(fc.record({ at: fc.nat(), kind: fc.integer({ min: 0, max: 4 }), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength })
    .map((es) => es.map(payloadEdit));
}

/**
 * A copy of `p` with the mutations applied in order. A mutation's position is `at` modulo the
 * current length; with `end`, modulo the length + 1 (the end itself: an insertion or a cut there,
 * a flip or an overwrite does nothing), and empty bytes still take insertions.
 */
export function mutate(p: Uint8Array, ms: readonly Mutation[], opts: { end?: boolean } = {}): Uint8Array {
  let b = new Uint8Array(p);
  for (const m of ms) {
    if (b.length === 0 && !opts.end) break;
    const at = opts.end ? m.at % (b.length + 1) : m.at % b.length;
    if (m.kind === "flip") {
      if (at < b.length) b[at] = (b[at] as number) ^ (1 << m.bit);
    } else if (m.kind === "byte" || m.kind === "field") {
      if (at < b.length) b[at] = m.value;
    } else if (m.kind === "cut") {
      b = b.slice(0, at);
    } else if (m.kind === "delete") {
      b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + 1)]);
    } else {
      b = new Uint8Array([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
    }
  }
  return b;
}
