/**
 * Parse time of hostile inputs (the cases of test/grammar/garbage.test.ts and lexer.test.ts), at
 * the test's size and at twice it: a ratio near 2 is linear, near 4 quadratic. The tests check the
 * same inputs by counting tokens, never by the clock; this is where the time is measured.
 * Run: npx tsx bench/garbage.ts [runs]
 */
import { parseSource } from "../compiler/ast/parse.js";
import { tokenize } from "../grammar/lexer.js";
import { randomText } from "../test/grammar/random-text.js";

const runs = Math.max(1, Number(process.argv[2] ?? 5));
const ALPHABET = " abcdefghijklmnopqrstuvwxyz0123456789{}=,;.:/*\"#%&()\n-_>!@^~$";

/** Each case builds its input for a scale factor k (1 = the test's size). */
const CASES: [string, (k: number) => string, (src: string) => unknown][] = [
  ["10 MB random text (stops at the cap)", (k) => randomText(10_000_000 * k, 7, ALPHABET), parse],
  ["5M tokens that form no item", (k) => "a ".repeat(5_000_000 * k), parse],
  ["100k nested braces in a group", (k) => "group g " + "{".repeat(100_000 * k) + "}".repeat(100_000 * k), parse],
  ["a group of 100k addresses", (k) => "group g { address " + "10.0.0.1, ".repeat(100_000 * k) + "10.0.0.2 }", parse],
  ["an item of 300k names (over the cap)", (k) => "rule 1 allow " + "a, ".repeat(300_000 * k) + "b -> c", parse],
  ["a megabyte on one line (lexer only)", (k) => "a-".repeat(500_000 * k) + "b " + ":".repeat(1_000_000 * k) + "g", lex],
];

function parse(src: string): unknown {
  return parseSource("g.nvp", src);
}

function lex(src: string): unknown {
  return tokenize("g.nvp", src);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(src: string, run: (src: string) => unknown): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    run(src);
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

console.log(`median of ${runs} runs`);
console.log("case                                       ×1 ms    ×2 ms  ratio");
for (const [name, build, run] of CASES) {
  const one = time(build(1), run);
  const two = time(build(2), run);
  // The capped case reads the same prefix at both sizes: a sub-millisecond ratio would be noise.
  const ratio = name.includes("stops at the cap") ? "—" : (two / one).toFixed(2);
  console.log(`${name.padEnd(40)} ${one.toFixed(1).padStart(8)} ${two.toFixed(1).padStart(8)}  ${ratio.padStart(5)}`);
}
