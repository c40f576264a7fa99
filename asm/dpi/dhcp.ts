// DHCP (NeuVector dpi_dhcp.c), from one datagram of either direction: the BOOTP fixed part
// (op 1 request or 2 reply, a hardware type, hardware address length 1-16, hop count at most 16),
// the magic cookie 99.130.83.99 at offset 236, then options up to `end` (255) or the end of the
// datagram, which must include a DHCP Message Type (option 53, length 1, type 1-18). Plain BOOTP
// without option 53 is not DHCP. Client and server flows are separate (68 -> 67 broadcasts, and
// the server's 67 -> 68 replies), so a reply alone must suffice.
import { APP_DHCP } from "./apps";
import { be32at, u8at } from "./bytes";
import { DPI_MORE, DPI_UNKNOWN } from "./result";

const COOKIE_AT: i32 = 236;
const COOKIE: i64 = 0x63825363;
const OPTIONS_AT: i32 = 240;
const OPT_PAD: i32 = 0;
const OPT_MESSAGE_TYPE: i32 = 53;
const OPT_END: i32 = 255;
const MAX_MESSAGE_TYPE: i32 = 18;

function datagram(p: usize, len: i32): i32 {
  const op = u8at(p, len, 0);
  if (op != 1 && op != 2) return DPI_UNKNOWN;
  const htype = u8at(p, len, 1);
  const hlen = u8at(p, len, 2);
  const hops = u8at(p, len, 3);
  if (htype < 1 || hlen < 1 || hlen > 16 || hops < 0 || hops > 16) return DPI_UNKNOWN;
  if (be32at(p, len, COOKIE_AT) != COOKIE) return DPI_UNKNOWN;
  let i = OPTIONS_AT;
  while (i < len) {
    const code = <i32>load<u8>(p + <usize>i);
    if (code == OPT_END) break;
    if (code == OPT_PAD) {
      i++;
      continue;
    }
    const n = u8at(p, len, i + 1);
    if (n < 0 || i + 2 + n > len) return DPI_UNKNOWN;
    if (code == OPT_MESSAGE_TYPE) {
      const t = u8at(p, len, i + 2);
      return n == 1 && t >= 1 && t <= MAX_MESSAGE_TYPE ? APP_DHCP : DPI_UNKNOWN;
    }
    i += 2 + n;
  }
  return DPI_UNKNOWN;
}

export function dhcp(cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  if (cl > 0) return datagram(cli, cl);
  return sl > 0 ? datagram(srv, sl) : DPI_MORE;
}
