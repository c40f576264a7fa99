// ECHO (RFC 862): the server sends back what the client sent. That evidence fits any protocol
// (an echoed HTTP request is still an HTTP request line, an echoed Redis command looks like a
// RESP reply), so it is only tried with port 7 on one side, and there before every other parser:
// the documented port tie-breaker. NeuVector's dpi_echo.c names anything on port 7 ECHO; here
// the server must have echoed: the bytes both sides have must agree, at least one of them.
import { APP_ECHO } from "./apps";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

export function echo(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  if (cl == 0 || sl == 0) return DPI_MORE;
  const n = min(cl, sl);
  for (let i = 0; i < n; i++) {
    if (load<u8>(cli + <usize>i) != load<u8>(srv + <usize>i)) return DPI_UNKNOWN;
  }
  return APP_ECHO;
}
