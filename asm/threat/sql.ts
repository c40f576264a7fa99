// SQL injection in query text (NeuVector dpi_sqlinjection.c check_sql_query, called by its MySQL,
// PostgreSQL, TDS and TNS parsers): the same case-insensitive patterns, as hand-written automata
// that read the text one byte at a time and keep SQL_STATE_BYTES of state in the flow, so a query
// split over any number of TCP segments is matched as if it came whole.
//
//   1 tautology   ^SELECT.*'\s+OR\s+(['"]?\w+['"]?)\s*=\s*\1       (the quote must not be inside the
//                 first line; the back-reference is compared through its length, quotes and a hash)
//   2 sleep       SLEEP\s*\(\s*(\d+|__TIME__)\s*\)
//   3 benchmark   BENCHMARK\s*\(\s*N\s*,   with N >= 10000
//   4 benchmark   BENCHMARK\s*\(\s*N\s*,.*TAIL   with N < 10000
//   5 waitfor     WAITFOR\s*DELAY.*TAIL
//   6 union       (1|"|')\s*UNION.*TAIL
//   7 exec        EXEC.*TAIL
//   8 or 1=1      OR\s+1\s*=\s*1.*TAIL
//   TAIL          =" | =' | -- | # | /*      and `.*` does not cross a line end, as in PCRE
//
// How it differs from NeuVector: patterns 2-8 are matched on SQL code only. A small lexer follows
// string literals ('...', "...", MySQL `...` and backslash escapes) and comments (--, /* */, MySQL
// #), and a keyword or TAIL inside a literal or a comment does not count; a TAIL is a comment
// opening or `='`/`="` opening a literal. So `WHERE note = 'union station'` and a `--` inside a
// string do not fire, while an injected `' UNION SELECT ... --` (code once the attacker's quote
// closes the application's literal) does. EXEC and OR are whole words (EXEC or EXECUTE), so
// `executions` does not fire. BENCHMARK compares the count's value, not its digit pattern.
// Pattern 8 is nvp's reading of the reference's eighth pattern. NeuVector matches pattern 1
// anywhere on the first line; here the tautology may follow on later lines too. A back-reference
// longer than 255 bytes is not followed. The first pattern found is reported, once per query.
import { T_SQL_INJECTION } from "./codes";
import { evidenceText, found } from "./found";
import { clear, get16, get32, get8, isSpace, isWord, lowerByte, set16, set32, set8 } from "./stream-state";

export const SQL_STATE_BYTES: u32 = 25;

// ---- layout (offsets into the SQL state) ------------------------------------------------------
const MODE: u32 = 0;
const PREV: u32 = 1;
const FLAGS: u32 = 2;
const P1: u32 = 3;
const P1_LEN: u32 = 4;
const P1_POS: u32 = 5;
const P1_F: u32 = 6;
const SLEEP: u32 = 7;
const P1_HASH: u32 = 8;
const P1_RUN: u32 = 12;
const BENCH: u32 = 16;
const BENCH_N: u32 = 17;
const BENCH_V: u32 = 18;
const WAIT: u32 = 20;
const UNION: u32 = 21;
const EXEC: u32 = 22;
const OR11: u32 = 23;
const ARMED: u32 = 24;

// FLAGS
const F_MYSQL: u32 = 1;
const F_ESC: u32 = 2;
const F_FIRED: u32 = 4;

// MODE: where the lexer is.
const CODE: u32 = 0;
const SQUOTE: u32 = 1;
const DQUOTE: u32 = 2;
const BTICK: u32 = 3;
const LINE: u32 = 4;
const BLOCK: u32 = 5;

// ARMED: patterns whose keywords matched on this line, waiting for a TAIL.
const A_BENCH: u32 = 1;
const A_WAIT: u32 = 2;
const A_UNION: u32 = 4;
const A_EXEC: u32 = 8;
const A_OR11: u32 = 16;

// Pattern ids (evidence labels).
const PAT_TAUTOLOGY: u32 = 1;
const PAT_SLEEP: u32 = 2;
const PAT_BENCH: u32 = 3;
const PAT_BENCH_TAIL: u32 = 4;
const PAT_WAITFOR: u32 = 5;
const PAT_UNION: u32 = 6;
const PAT_EXEC: u32 = 7;
const PAT_OR11: u32 = 8;

// P1 phases: 0-5 count the letters of "select" at the start, then:
const P1_SEEK: u32 = 6;
const P1_Q: u32 = 7;
const P1_QW: u32 = 8;
const P1_O: u32 = 9;
const P1_OR: u32 = 10;
const P1_ORW: u32 = 11;
const P1_T1: u32 = 12;
const P1_TW: u32 = 13;
const P1_T2: u32 = 14;
const P1_EQW: u32 = 15;
const P1_EQ: u32 = 16;
const P1_BR: u32 = 17;
const P1_DEAD: u32 = 255;
// P1_F bits: the token's opening and closing quotes, and whether spaces after a closing `'` may
// start a new match there (the `'` of `'\s+OR`).
const T_Q1: u32 = 1;
const T_Q1_DOUBLE: u32 = 2;
const T_Q2: u32 = 4;
const T_Q2_DOUBLE: u32 = 8;
const T_RESTART: u32 = 16;

const FNV_BASIS: u32 = 2166136261;
const FNV_PRIME: u32 = 16777619;
const QUOTE: u32 = 0x27;
const DQUOTE_C: u32 = 0x22;
/** What keyword automata read for a byte that is not SQL code: matches nothing, not a word byte. */
const SEPARATOR: u32 = 0;

/** Start a query text: `mysql` turns on backslash escapes, `#` comments and backquotes. */
export function sqlBegin(q: usize, mysql: bool): void {
  clear(q, 0, SQL_STATE_BYTES);
  set8(q, FLAGS, mysql ? F_MYSQL : 0);
}

@inline function fnv(h: u32, c: u32): u32 {
  return (h ^ c) * FNV_PRIME;
}

// ---- pattern 1: the tautology ------------------------------------------------------------------

/** The current attempt failed at c: look for the next `'` (c itself may be one). */
@inline function p1Restart(q: usize, c: u32): void {
  set8(q, P1, c == QUOTE ? P1_Q : P1_SEEK);
}

function p1Token(q: usize, c: u32, quoteBit: u32, doubleBit: u32): void {
  set8(q, P1_LEN, get8(q, P1_LEN) + 1);
  set32(q, P1_HASH, fnv(get32(q, P1_HASH), c));
  if (quoteBit != 0) set8(q, P1_F, get8(q, P1_F) | quoteBit | (c == DQUOTE_C ? doubleBit : 0));
}

/** One byte of the back-reference: true when it completes and equals the token. */
function p1Backref(q: usize, c: u32): bool {
  const pos = get8(q, P1_POS);
  const n = get8(q, P1_LEN);
  const f = get8(q, P1_F);
  let ok: bool;
  if (pos == 0 && (f & T_Q1) != 0) ok = c == ((f & T_Q1_DOUBLE) != 0 ? DQUOTE_C : QUOTE);
  else if (pos == n - 1 && (f & T_Q2) != 0) ok = c == ((f & T_Q2_DOUBLE) != 0 ? DQUOTE_C : QUOTE);
  else ok = isWord(c);
  if (!ok) {
    p1Restart(q, c);
    return false;
  }
  const run = fnv(get32(q, P1_RUN), c);
  if (pos + 1 < n) {
    set32(q, P1_RUN, run);
    set8(q, P1_POS, pos + 1);
    return false;
  }
  if (run == get32(q, P1_HASH)) return true;
  p1Restart(q, c);
  return false;
}

function p1Step(q: usize, c: u32): bool {
  const ph = get8(q, P1);
  if (ph == P1_DEAD) return false;
  if (ph < P1_SEEK) {
    // Leading white space and control bytes (MySQL's query attributes header: 0x00 0x01).
    if (ph == 0 && c <= 0x20) return false;
    set8(q, P1, c == <u32>"select".charCodeAt(<i32>ph) ? ph + 1 : P1_DEAD);
    return false;
  }
  const sp = isSpace(c);
  const quote = c == QUOTE || c == DQUOTE_C;
  switch (ph) {
    case P1_SEEK:
      if (c == QUOTE) set8(q, P1, P1_Q);
      break;
    case P1_Q:
      if (sp) set8(q, P1, P1_QW);
      else p1Restart(q, c);
      break;
    case P1_QW:
      if (c == 0x6f) set8(q, P1, P1_O);
      else if (!sp) p1Restart(q, c);
      break;
    case P1_O:
      if (c == 0x72) set8(q, P1, P1_OR);
      else p1Restart(q, c);
      break;
    case P1_OR:
      if (sp) set8(q, P1, P1_ORW);
      else p1Restart(q, c);
      break;
    case P1_ORW:
      if (sp) break;
      if (!quote && !isWord(c)) {
        p1Restart(q, c);
        break;
      }
      set8(q, P1_LEN, 0);
      set8(q, P1_F, 0);
      set32(q, P1_HASH, FNV_BASIS);
      p1Token(q, c, quote ? T_Q1 : 0, T_Q1_DOUBLE);
      set8(q, P1, quote ? P1_T1 : P1_TW);
      break;
    case P1_T1:
      if (isWord(c)) {
        p1Token(q, c, 0, 0);
        set8(q, P1, P1_TW);
      } else if (sp && (get8(q, P1_F) & T_Q1_DOUBLE) == 0) {
        // The token's `'` followed by a space starts another `'\s+OR` attempt.
        set8(q, P1, P1_QW);
      } else p1Restart(q, c);
      break;
    case P1_TW:
      if (isWord(c) && get8(q, P1_LEN) < 255) {
        p1Token(q, c, 0, 0);
      } else if (quote && get8(q, P1_LEN) < 255) {
        p1Token(q, c, T_Q2, T_Q2_DOUBLE);
        set8(q, P1, P1_T2);
      } else if (sp) set8(q, P1, P1_EQW);
      else if (c == 0x3d) set8(q, P1, P1_EQ);
      else p1Restart(q, c);
      break;
    case P1_T2:
      if (sp) {
        const f = get8(q, P1_F);
        set8(q, P1_F, (f & T_Q2_DOUBLE) == 0 ? f | T_RESTART : f);
        set8(q, P1, P1_EQW);
      } else if (c == 0x3d) set8(q, P1, P1_EQ);
      else p1Restart(q, c);
      break;
    case P1_EQW:
      if (sp) break;
      if (c == 0x3d) set8(q, P1, P1_EQ);
      else if (c == 0x6f && (get8(q, P1_F) & T_RESTART) != 0) set8(q, P1, P1_O);
      else p1Restart(q, c);
      break;
    case P1_EQ:
      if (sp) break;
      set8(q, P1_POS, 0);
      set32(q, P1_RUN, FNV_BASIS);
      set8(q, P1, P1_BR);
      return p1Backref(q, c);
    case P1_BR:
      return p1Backref(q, c);
    default:
      break;
  }
  return false;
}

// ---- patterns 2-8 on SQL code ------------------------------------------------------------------

@inline function arm(q: usize, bit: u32): void {
  set8(q, ARMED, get8(q, ARMED) | bit);
}

/** `k` letters of `word` matched: the next count for c, restarting at its first letter. */
@inline function wordStep(word: string, k: u32, c: u32): u32 {
  if (c == <u32>word.charCodeAt(<i32>k)) return k + 1;
  return c == <u32>word.charCodeAt(0) ? 1 : 0;
}

/** SLEEP(n): 0-4 letters, 5 `(` due, 6 value due, 7 digits, 8 `)` due, 9-15 letters of __time__. */
function sleepStep(q: usize, c: u32): bool {
  let k = get8(q, SLEEP);
  const sp = isSpace(c);
  const digit = c >= 0x30 && c <= 0x39;
  let fire = false;
  if (k < 5) k = wordStep("sleep", k, c);
  else if (k == 5) k = c == 0x28 ? 6 : sp ? 5 : wordStep("sleep", 0, c);
  else if (k == 6) k = digit ? 7 : c == 0x5f ? 9 : sp ? 6 : wordStep("sleep", 0, c);
  else if (k == 7 || k == 8) {
    fire = c == 0x29;
    k = digit && k == 7 ? 7 : sp ? 8 : wordStep("sleep", 0, c);
  } else {
    // __time__: k - 8 letters matched.
    const m = k - 8;
    if (c == <u32>"__time__".charCodeAt(<i32>m)) k = m + 1 == 8 ? 8 : k + 1;
    else k = wordStep("sleep", 0, c);
  }
  set8(q, SLEEP, fire ? 0 : k);
  return fire;
}

/**
 * BENCHMARK(n,: 0-8 letters, 9 `(` due, 10 count due, 11 digits, 12 `,` due. Returns PAT_BENCH
 * when the count is at least 10000 (and arms A_BENCH below that), else 0.
 */
function benchStep(q: usize, c: u32): u32 {
  let k = get8(q, BENCH);
  const sp = isSpace(c);
  const digit = c >= 0x30 && c <= 0x39;
  let hit: u32 = 0;
  if (k < 9) {
    k = wordStep("benchmark", k, c);
    if (k == 9) {
      set8(q, BENCH_N, 0);
      set16(q, BENCH_V, 0);
    }
  } else if (k == 9) k = c == 0x28 ? 10 : sp ? 9 : wordStep("benchmark", 0, c);
  else if (c == 0x2c) {
    if (get16(q, BENCH_V) >= 10000) hit = PAT_BENCH;
    else arm(q, A_BENCH);
    k = 0;
  } else if (digit && (k == 10 || k == 11)) {
    set16(q, BENCH_V, min<u32>(get16(q, BENCH_V) * 10 + c - 0x30, 10000));
    k = 11;
  } else if (sp) k = k == 10 ? 10 : 12;
  else k = wordStep("benchmark", 0, c);
  set8(q, BENCH, k);
  return hit;
}

/** WAITFOR\s*DELAY: 0-6 letters of waitfor, 7 spaces or `d`, 8-11 letters of delay. */
function waitStep(q: usize, c: u32): void {
  let k = get8(q, WAIT);
  if (k < 7) k = wordStep("waitfor", k, c);
  else if (k == 7 && isSpace(c)) k = 7;
  else if (c == <u32>"delay".charCodeAt(<i32>(k - 7))) {
    k++;
    if (k == 12) {
      arm(q, A_WAIT);
      k = 0;
    }
  } else k = wordStep("waitfor", 0, c);
  set8(q, WAIT, k);
}

/** (1|"|')\s*UNION: 0 idle, 1 after a lead and spaces, 2-5 letters of union matched + 1. */
function unionStep(q: usize, c: u32): void {
  let k = get8(q, UNION);
  if (k == 1 && isSpace(c)) return;
  if (k >= 1 && c == <u32>"union".charCodeAt(<i32>(k - 1))) {
    k++;
    if (k == 6) {
      arm(q, A_UNION);
      k = 0;
    }
  } else k = c == 0x31 ? 1 : 0;
  set8(q, UNION, k);
}

/** EXEC or EXECUTE as a whole word: letters of "execute" matched since a word start. */
function execStep(q: usize, c: u32, prev: u32): void {
  let k = get8(q, EXEC);
  if ((k == 4 || k == 7) && !isWord(c)) {
    arm(q, A_EXEC);
    k = 0;
  } else if (k > 0 && k < 7 && c == <u32>"execute".charCodeAt(<i32>k)) k++;
  else k = c == 0x65 && !isWord(prev) ? 1 : 0;
  set8(q, EXEC, k);
}

/** OR\s+1\s*=\s*1 with OR a whole word: 1 `o`, 2 `or`, 3 spaces, 4 `1` (then `=`), 5 `=` (then `1`). */
function or11Step(q: usize, c: u32, prev: u32): void {
  let k = get8(q, OR11);
  const sp = isSpace(c);
  if (k == 1 && c == 0x72) k = 2;
  else if ((k == 2 || k == 3) && sp) k = 3;
  else if (k == 3 && c == 0x31) k = 4;
  else if (k == 4 && (sp || c == 0x3d)) k = sp ? 4 : 5;
  else if (k == 5 && sp) k = 5;
  else if (k == 5 && c == 0x31) {
    arm(q, A_OR11);
    k = 0;
  } else k = c == 0x6f && !isWord(prev) ? 1 : 0;
  set8(q, OR11, k);
}

/** The pattern an armed set reports when its TAIL comes. */
function armedPattern(a: u32): u32 {
  if ((a & A_BENCH) != 0) return PAT_BENCH_TAIL;
  if ((a & A_WAIT) != 0) return PAT_WAITFOR;
  if ((a & A_UNION) != 0) return PAT_UNION;
  if ((a & A_EXEC) != 0) return PAT_EXEC;
  return PAT_OR11;
}

/** Keyword automata over one byte (SEPARATOR for bytes that are not code). */
function keywords(q: usize, c: u32, prev: u32): u32 {
  if (sleepStep(q, c)) return PAT_SLEEP;
  const b = benchStep(q, c);
  if (b != 0) return b;
  waitStep(q, c);
  unionStep(q, c);
  execStep(q, c, prev);
  or11Step(q, c, prev);
  return 0;
}

/**
 * One byte of query text: the pattern it completes (1-8), or 0. Once a pattern is found the rest
 * of the query is not looked at.
 */
export function sqlStep(q: usize, raw: u32): u32 {
  const fl = get8(q, FLAGS);
  if ((fl & F_FIRED) != 0) return 0;
  const c = lowerByte(raw & 0xff);
  const prev = get8(q, PREV);
  set8(q, PREV, c);
  let hit: u32 = p1Step(q, c) ? PAT_TAUTOLOGY : 0;
  if (c == 0x0a) set8(q, ARMED, 0);
  const mode = get8(q, MODE);
  const mysql = (fl & F_MYSQL) != 0;
  let tail = false;
  let kw = SEPARATOR;
  let lead = false;
  if (mode == CODE) {
    if (c == QUOTE || c == DQUOTE_C) {
      tail = prev == 0x3d;
      set8(q, MODE, c == QUOTE ? SQUOTE : DQUOTE);
    } else if (c == 0x60 && mysql) set8(q, MODE, BTICK);
    else if (c == 0x2d && prev == 0x2d) {
      tail = true;
      set8(q, MODE, LINE);
    } else if (c == 0x23) {
      tail = true;
      if (mysql) set8(q, MODE, LINE);
    } else if (c == 0x2a && prev == 0x2f) {
      tail = true;
      set8(q, MODE, BLOCK);
      // `/*/` does not close the comment.
      set8(q, PREV, 0);
    } else kw = c;
  } else if (mode == SQUOTE || mode == DQUOTE) {
    if ((fl & F_ESC) != 0) set8(q, FLAGS, fl & ~F_ESC);
    else if (c == 0x5c && mysql) set8(q, FLAGS, fl | F_ESC);
    else if (c == (mode == SQUOTE ? QUOTE : DQUOTE_C)) {
      set8(q, MODE, CODE);
      lead = true;
    }
  } else if (mode == BTICK) {
    if (c == 0x60) set8(q, MODE, CODE);
  } else if (mode == LINE) {
    if (c == 0x0a) set8(q, MODE, CODE);
  } else if (c == 0x2f && prev == 0x2a) set8(q, MODE, CODE);
  const k = keywords(q, kw, prev);
  if (hit == 0) hit = k;
  // A closing quote leads a UNION (after the keyword automata saw it as a separator).
  if (lead) set8(q, UNION, 1);
  const armed = get8(q, ARMED);
  if (hit == 0 && tail && armed != 0) hit = armedPattern(armed);
  if (hit != 0) set8(q, FLAGS, get8(q, FLAGS) | F_FIRED);
  return hit;
}

// ---- reporting ---------------------------------------------------------------------------------

/** Characters of the fragment before the match shown as evidence. */
const FRAGMENT: u32 = 40;
const scratch = memory.data(<i32>FRAGMENT, 4);

function label(pattern: u32): string {
  switch (pattern) {
    case PAT_TAUTOLOGY:
      return " [or tautology]";
    case PAT_SLEEP:
      return " [sleep]";
    case PAT_BENCH:
      return " [benchmark]";
    case PAT_BENCH_TAIL:
      return " [benchmark, comment]";
    case PAT_WAITFOR:
      return " [waitfor delay]";
    case PAT_UNION:
      return " [union, comment]";
    case PAT_EXEC:
      return " [exec, comment]";
    default:
      return " [or 1=1, comment]";
  }
}

/**
 * Report `pattern` with the query text before the match as evidence: the characters whose bytes
 * lie in [from, end) of the buffer at p, `step` bytes apart (2: UTF-16LE, the low byte shown), the
 * last ending at `end`.
 */
export function sqlReport(pattern: u32, p: usize, from: u32, end: u32, step: u32): void {
  let n: u32 = 0;
  while (n < FRAGMENT && end >= from + (n + 1) * step) n++;
  const start = end - n * step;
  for (let k: u32 = 0; k < n; k++) store<u8>(scratch + <usize>k, load<u8>(p + <usize>(start + k * step)));
  found(T_SQL_INJECTION, scratch, n);
  evidenceText(label(pattern));
}

/** Query text [from, to) of the buffer at p, one byte per character. */
export function sqlText(q: usize, p: usize, from: u32, to: u32): void {
  for (let i = from; i < to; i++) {
    const hit = sqlStep(q, <u32>load<u8>(p + <usize>i));
    if (hit != 0) {
      sqlReport(hit, p, from, i + 1, 1);
      return;
    }
  }
}
