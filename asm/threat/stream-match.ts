// Streaming literal matching for the stream detectors: one byte at a time, with only the count
// of pattern bytes matched so far kept between bytes (and so between packets). The fallback on a
// mismatch is Knuth-Morris-Pratt's, worked out from the pattern itself when it is needed (no
// failure table is built), which costs O(k^2) for a partial match of k bytes: only on mismatches
// after a partial match, whose length the pattern bounds (a few dozen bytes). Patterns are static
// lower-case strings; the text byte is lower-cased by the caller. PAT_QUOTE in a pattern matches
// either quote character.

/** Pattern character that matches `'` or `"`. */
export const PAT_QUOTE: u32 = 0x01;

@inline function charMatch(pc: u32, c: u32): bool {
  return pc == c || (pc == PAT_QUOTE && (c == 0x22 || c == 0x27));
}

/**
 * After `k` bytes of `pat` matched and the text byte `c`: the new count, i.e. the length of the
 * longest prefix of `pat` that ends the text read so far. `k` is below the pattern's length.
 */
export function matchStep(pat: string, k: u32, c: u32): u32 {
  if (k < <u32>pat.length && charMatch(<u32>pat.charCodeAt(<i32>k), c)) return k + 1;
  // A shorter prefix of length j: pat[0, j - 1) is a suffix of pat[0, k) and pat[j - 1] takes c.
  for (let j = k; j > 0; j--) {
    if (!charMatch(<u32>pat.charCodeAt(<i32>(j - 1)), c)) continue;
    let t: u32 = 0;
    while (t + 1 < j && pat.charCodeAt(<i32>t) == pat.charCodeAt(<i32>(k - j + 1 + t))) t++;
    if (t + 1 >= j) return j;
  }
  return 0;
}
