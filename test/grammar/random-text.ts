/**
 * Deterministic pseudo-random text (an LCG) for the hostile-input tests and bench/garbage.ts.
 * Built as bytes and decoded once: a 10 MB text costs a few tens of milliseconds, not seconds.
 */
export function randomText(n: number, seed: number, alphabet?: string): string {
  let x = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = alphabet ? alphabet.charCodeAt((x >>> 8) % alphabet.length) : 32 + ((x >>> 8) % 95);
  }
  return out.toString("latin1");
}
