/**
 * Diagnostic codes of the front end with a one-line title each: NV0xxx for reading and lexing
 * (compiler/source.ts, grammar/lexer.ts), NV1xxx for syntax (grammar/messages.ts, compiler/ast/).
 * The catalog behind docs/diagnostics.md and SARIF rule descriptions. Codes are stable; never reuse one.
 */
import type { CodeTable } from "./code-info.js";

export const SYNTAX_CODES: CodeTable = {
  // Reading the file (compiler/source.ts).
  NV0002: { severity: "error", title: "file is not text (contains NUL bytes)" },
  NV0003: { severity: "error", title: "file is not valid UTF-8" },
  NV0004: { severity: "error", title: "file is larger than 64 MiB" },
  // Lexing.
  NV0010: { severity: "error", title: "unexpected character" },
  NV0011: { severity: "error", title: "unterminated string" },
  NV0012: { severity: "error", title: "unknown escape in a string" },
  NV0013: { severity: "error", title: "invalid or unterminated `${…}` parameter reference" },
  NV0014: { severity: "error", title: "invalid token (not a name, number, port or address)" },
  // Syntax.
  NV1001: { severity: "error", title: "unexpected token: something else was expected here" },
  NV1002: { severity: "error", title: "unexpected token after a complete item" },
  NV1003: { severity: "error", title: "text that starts no item" },
  NV1004: { severity: "error", title: "item too long (more than 250000 tokens)" },
  NV1010: { severity: "error", title: "parameter reference where parameters are not allowed" },
  NV1011: { severity: "error", title: "more than one `policy` header in a file" },
  NV1013: { severity: "error", title: "unknown mode scope (not `network` or `process`)" },
  NV1014: { severity: "error", title: "unknown criterion key" },
  NV1015: { severity: "error", title: "label name on a criterion key that takes none" },
  NV1016: { severity: "error", title: "`label` or `ns-label` criterion without a label name" },
  NV1017: { severity: "error", title: "number too large" },
  NV1018: { severity: "error", title: "rule option given twice" },
  NV1020: { severity: "error", title: "not a port" },
  NV1098: { severity: "error", title: "formatting would change the file's meaning (internal error; file left unchanged)" },
  NV1099: { severity: "error", title: "too many errors; checking stopped" },
};
