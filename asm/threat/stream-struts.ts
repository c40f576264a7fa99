// The Apache Struts REST plugin's XStream RCE (CVE-2017-9805) in an HTTP request body, NeuVector
// dpi_http.c APACHE_STRUTS_PCRE: class=["']java.lang.ProcessBuilder["']>\s*<command>\s*<string>
// /bin/sh</string>, matched here byte by byte across segments with STRUTS_STATE_BYTES of state.
// Differs from NeuVector: ASCII case is ignored, other shells than /bin/sh count (bash, dash, zsh,
// ksh, busybox under /bin or /usr/bin, bare sh/bash, cmd, cmd.exe, powershell), and any request
// body is scanned, not only one declared `application/xml` without a Content-Encoding (the
// plugin picks XStream from the Content-Type, which an attacker sets anyway).
import { T_STRUTS_RCE } from "./codes";
import { foundText } from "./found";
import { matchStep, PAT_QUOTE } from "./stream-match";
import { get16, get8, isSpace, lowerByte, set16, set8 } from "./stream-state";

export const STRUTS_STATE_BYTES: u32 = 4;

const STAGE: u32 = 0;
const K: u32 = 1;
const ALIVE: u32 = 2;

const S_CLASS: u32 = 0;
const S_COMMAND: u32 = 1;
const S_STRING: u32 = 2;
const S_SHELL: u32 = 3;

/** `class="java.lang.ProcessBuilder">` with either quote (PAT_QUOTE), lower case. */
const CLASS_ATTR = "class=\x01java.lang.processbuilder\x01>";
// One literal (a concatenation would be built at start-up).
const SHELLS = "/bin/sh</string>|/bin/bash</string>|/bin/dash</string>|/bin/zsh</string>|/bin/ksh</string>|/bin/busybox</string>|/usr/bin/sh</string>|/usr/bin/bash</string>|sh</string>|bash</string>|cmd</string>|cmd.exe</string>|powershell</string>|powershell.exe</string>";
const ALL_SHELLS: u32 = (1 << 14) - 1;
/** Length of the longest entry of SHELLS. */
const LONGEST: u32 = 24;

export function strutsBegin(st: usize): void {
  set8(st, STAGE, S_CLASS);
  set8(st, K, 0);
  set16(st, ALIVE, 0);
}

/** Which entries of SHELLS still match after their k-th byte is c; bit e set when entry e ends there. */
function shellStep(alive: u32, k: u32, c: u32): u64 {
  let next: u32 = 0;
  let done: u32 = 0;
  let e: u32 = 0;
  let at: i32 = 0;
  const n = SHELLS.length;
  while (at < n && e < 16) {
    let end = at;
    while (end < n && SHELLS.charCodeAt(end) != 0x7c) end++;
    if ((alive & (1 << e)) != 0 && at + <i32>k < end && <u32>SHELLS.charCodeAt(at + <i32>k) == c) {
      if (at + <i32>k + 1 == end) done |= 1 << e;
      else next |= 1 << e;
    }
    at = end + 1;
    e++;
  }
  return (<u64>done << 32) | <u64>next;
}

/** `\s*lit` after the previous stage: the next K, or -1 when the byte breaks it. */
function spacedLiteral(lit: string, k: u32, c: u32): i32 {
  if (c == <u32>lit.charCodeAt(<i32>k)) return <i32>k + 1;
  return k == 0 && isSpace(c) ? 0 : -1;
}

/** One body byte: true when it completes the payload. */
function step(st: usize, c: u32): bool {
  const stage = get8(st, STAGE);
  const k = get8(st, K);
  if (stage == S_CLASS) {
    const m = matchStep(CLASS_ATTR, k, c);
    if (m == <u32>CLASS_ATTR.length) {
      set8(st, STAGE, S_COMMAND);
      set8(st, K, 0);
    } else set8(st, K, m);
    return false;
  }
  if (stage == S_SHELL) {
    const r = shellStep(get16(st, ALIVE), k, c);
    if ((r >> 32) != 0) return true;
    const alive = <u32>r;
    if (alive != 0 && k + 1 < LONGEST) {
      set16(st, ALIVE, alive);
      set8(st, K, k + 1);
      return false;
    }
  } else {
    const lit = stage == S_COMMAND ? "<command>" : "<string>";
    const m = spacedLiteral(lit, k, c);
    if (m == lit.length) {
      set8(st, STAGE, stage + 1);
      set8(st, K, 0);
      set16(st, ALIVE, ALL_SHELLS);
      return false;
    }
    if (m >= 0) {
      set8(st, K, <u32>m);
      return false;
    }
  }
  // The sequence broke at c: look for the attribute again, from c.
  set8(st, STAGE, S_CLASS);
  set8(st, K, matchStep(CLASS_ATTR, 0, c));
  return false;
}

/** Body bytes [from, to) of the buffer at p; reports the payload once found. Returns whether it was. */
export function strutsScan(st: usize, p: usize, from: u32, to: u32): bool {
  for (let i = from; i < to; i++) {
    if (step(st, lowerByte(<u32>load<u8>(p + <usize>i)))) {
      foundText(T_STRUTS_RCE, "XStream java.lang.ProcessBuilder <command> running a shell");
      strutsBegin(st);
      return true;
    }
  }
  return false;
}
