// RADIUS (RFC 2865/2866/5176; NeuVector has no parser, its agent names Radius), from the client's
// first datagram: a request code (Access-Request 1, Accounting-Request 4, Status-Server 12,
// Disconnect-Request 40, CoA-Request 43), a length equal to the datagram (20-4096), the 16-byte
// authenticator, then attributes (type >= 1, length >= 2) that fill the rest exactly, at least
// one. The length equation and an attribute chain that ends exactly at the datagram's end are the
// shape of a RADIUS request, so the request alone decides, before any reply.
import { APP_RADIUS } from "./apps";
import { be16at, u8at } from "./bytes";
import { DPI_UNKNOWN, DPI_MORE } from "./result";

const HEADER: i32 = 20;
const MAX_LENGTH: i32 = 4096;

function requestCode(c: i32): bool {
  return c == 1 || c == 4 || c == 12 || c == 40 || c == 43;
}

/** Header and attributes of a datagram: true when they fill it exactly. */
function wellFormed(p: usize, len: i32): bool {
  if (len < HEADER || len > MAX_LENGTH || be16at(p, len, 2) != len) return false;
  let i = HEADER;
  let n = 0;
  while (i < len) {
    const t = u8at(p, len, i);
    const l = u8at(p, len, i + 1);
    if (t < 1 || l < 2 || i + l > len) return false;
    i += l;
    n++;
  }
  return n > 0;
}

export function radius(cli: usize, cl: i32, sl: i32): i32 {
  if (cl == 0) return sl == 0 ? DPI_MORE : DPI_UNKNOWN;
  return requestCode(<i32>load<u8>(cli)) && wellFormed(cli, cl) ? APP_RADIUS : DPI_UNKNOWN;
}
