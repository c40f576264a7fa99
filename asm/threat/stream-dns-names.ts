// DNS names read with random access, for what needs a whole message at hand: following
// compression pointers (the loop-pointer check, NeuVector dpi_dns.c get_dns_name) and the DNS
// tunneling signal of one query (nvp: NeuVector decides tunneling from the client process, which
// traffic does not show; here a query name is "encoded" when one of its labels is long and looks
// like base32, base64 or hex text). Everything is bounded by the message and by the 255-byte
// limit on a name, so a hostile message costs at most a few hundred steps per name.
import { T_DNS_TUNNELING } from "./codes";
import { threatParam } from "./params";

/** NeuVector's ALLOW_POINTER_NUMBER: more pointers than this in one name is a loop. */
export const MAX_POINTERS: u32 = 63;
const MAX_NAME: u32 = 255;
const HEADER: u32 = 12;

/**
 * Follow a name of the message [m, m + mlen) from offset `at`, `read` pointers already followed to
 * get there: true when the name takes more than MAX_POINTERS pointers in all (a loop, or a chain
 * no legal name needs). A name that is malformed further on ends the walk without a finding.
 */
export function pointerLoop(m: usize, mlen: u32, at: u32, read: u32): bool {
  let pointers = read;
  let text: u32 = 0;
  let i = at;
  // Each step either reads a label (text grows) or a pointer (pointers grow): both are bounded.
  while (i < mlen) {
    const b = <u32>load<u8>(m + <usize>i);
    if (b == 0) return false;
    if ((b & 0xc0) == 0xc0) {
      if (i + 1 >= mlen) return false;
      pointers++;
      if (pointers > MAX_POINTERS) return true;
      i = ((b & 0x3f) << 8) | <u32>load<u8>(m + <usize>(i + 1));
      continue;
    }
    if ((b & 0xc0) != 0) return false;
    text += b + 1;
    if (text > MAX_NAME) return false;
    i += 1 + b;
  }
  return false;
}

/** A standard query (QR 0, opcode QUERY) with at least one question. */
export function dnsIsQuery(p: usize, len: u32): bool {
  if (len < HEADER) return false;
  const flags = <u32>load<u8>(p + 2);
  const qd = (<u32>load<u8>(p + 4) << 8) | <u32>load<u8>(p + 5);
  return (flags & 0x80) == 0 && ((flags >> 3) & 0xf) == 0 && qd > 0;
}

/**
 * Label [a, a + n) of a query name looks like encoded data: only base32/base64/hex characters
 * (letters, digits, `+ / = _ -`), with at least one letter and one digit (words and hostnames
 * rarely are both long and mixed), and few hyphens (at most one per 16 characters).
 */
function encodedLabel(p: usize, a: u32, n: u32): bool {
  let letters: u32 = 0;
  let digits: u32 = 0;
  let hyphens: u32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const c = <u32>load<u8>(p + <usize>(a + k));
    const l = c | 0x20;
    if (l >= 0x61 && l <= 0x7a) letters++;
    else if (c >= 0x30 && c <= 0x39) digits++;
    else if (c == 0x2d) hyphens++;
    else if (c != 0x2b && c != 0x2f && c != 0x3d && c != 0x5f) return false;
  }
  return letters > 0 && digits > 0 && hyphens * 16 <= n;
}

/**
 * The DNS tunneling signal of one message [p, p + len) (a UDP payload, or a TCP message without
 * its length prefix): a query whose first question name has a label of at least
 * `dns-tunneling.label-length` encoded characters. Counting such queries per client over time is
 * the rate meter's job.
 */
export function dnsEncodedQuery(p: usize, len: u32): bool {
  if (!dnsIsQuery(p, len)) return false;
  const want = max<u32>(threatParam(T_DNS_TUNNELING, 1), 1);
  let i = HEADER;
  let text: u32 = 0;
  while (i < len) {
    const n = <u32>load<u8>(p + <usize>i);
    // The end of the name, or a pointer (a question name is the first name: it has none to use).
    if (n == 0 || (n & 0xc0) != 0) return false;
    text += n + 1;
    if (text > MAX_NAME || i + 1 + n > len) return false;
    if (n >= want && encodedLabel(p, i + 1, n)) return true;
    i += 1 + n;
  }
  return false;
}
