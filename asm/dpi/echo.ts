// ECHO (RFC 862): the server sends back what the client sent. That evidence fits any protocol
// (an echoed HTTP request is still an HTTP request line, an echoed Redis command looks like a
// RESP reply), so it is only tried with port 7 on one side, and there before every other parser:
// the documented port tie-breaker. NeuVector's dpi_echo.c names anything on port 7 ECHO; here
// the server must have echoed: the bytes both sides have must agree, at least one of them.
//
// One exchange is symmetric by design: SSH's version exchange, where both peers open with an
// identification line and two peers of one release send the very same line. Bytes that open with
// `SSH-` are left to the SSH parser: an SSH client and server on port 7 are SSH, not ECHO.
import { APP_ECHO } from "./apps";
import { lit, LIT_NO, LIT_PART } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

export function echo(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  if (cl == 0 || sl == 0) return DPI_MORE;
  const n = min(cl, sl);
  for (let i = 0; i < n; i++) {
    if (load<u8>(cli + <usize>i) != load<u8>(srv + <usize>i)) return DPI_UNKNOWN;
  }
  // Both sides agree; an SSH identification line is the one symmetric opening, not an echo.
  const m = lit(cli, n, 0, "SSH-");
  if (m == LIT_PART) return DPI_MORE;
  if (m != LIT_NO) return DPI_UNKNOWN;
  return APP_ECHO;
}
