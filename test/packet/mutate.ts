/** Mutations of packet bytes for the fuzz tests: bit flips, cuts, bytes, splices, length and offset fields. */
import fc from "fast-check";

export const mutation = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("byte" as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant("splice" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
  // Length and offset fields: IPv4 total length, IHL, IPv6 payload length, TCP data offset, UDP length.
  fc.record({ kind: fc.constant("field" as const), at: fc.constantFrom(0, 2, 3, 4, 5, 6, 7, 32, 33, 44, 45, 46, 47, 52), value: fc.nat({ max: 255 }) }),
);
export type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** A copy of `p` with the mutations applied in order. */
export function mutate(p: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = new Uint8Array(p);
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === "flip") b[at] = (b[at] as number) ^ (1 << m.bit);
    else if (m.kind === "cut") b = b.slice(0, at);
    else if (m.kind === "byte" || m.kind === "field") b[at] = m.value;
    else b = new Uint8Array([...b.subarray(0, at), ...m.bytes, ...b.subarray(at)]);
  }
  return b;
}
