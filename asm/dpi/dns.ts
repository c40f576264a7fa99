// DNS, when the first message parses completely: a sane header, then every question and
// resource record, ending exactly at the end of the datagram (UDP) or of the message the 2-byte
// length prefix announces (TCP, at most 4096 bytes as in NeuVector). NeuVector's dpi_dns.c also
// wants port 53 on one side; here any port is fine (DNS on 5353 is still DNS: mDNS, or a private
// resolver), the complete parse being far stricter than a port. Classes are read without the top
// bit mDNS uses (RFC 6762 §5.4 unicast-response, §10.2 cache-flush). NetBIOS name service (port
// 137, RFC 1002) shares DNS's message format but not its names: a first name whose first label is
// 32 letters A-P (RFC 1001 §14.1 first-level encoding of a 16-byte NetBIOS name) is NetBIOS, not DNS.
import { APP_DNS } from "./apps";
import { be16at, has, u8at } from "./bytes";
import { clientMore, DPI_MORE, DPI_PREFIX_CAP, DPI_UNKNOWN } from "./result";

const HEADER: i32 = 12;
const MAX_QUESTIONS: i32 = 16;
const MAX_RECORDS: i32 = 512;
/** Largest TCP message NeuVector's parser accepts as the first one. */
const MAX_TCP_MESSAGE: i32 = 4096;

/** End of the (possibly compressed) name at i, or -1 when it is malformed or leaves [base, end). */
function nameEnd(p: usize, len: i32, base: i32, i: i32, end: i32): i32 {
  let total = 0;
  for (let labels = 0; labels < 128; labels++) {
    if (i >= end) return -1;
    const n = u8at(p, len, i);
    if (n < 0) return -1;
    if (n == 0) return i + 1;
    if ((n & 0xc0) == 0xc0) {
      // A compression pointer ends the name; it must point backwards, past the header.
      const target = be16at(p, len, i) & 0x3fff;
      if (i + 2 > end || target < HEADER || base + target >= i) return -1;
      return i + 2;
    }
    if ((n & 0xc0) != 0) return -1;
    total += n + 1;
    if (total > 255) return -1;
    i += 1 + n;
  }
  return -1;
}

@inline function knownClass(v: i32): bool {
  const c = v & 0x7fff;
  return c == 1 || c == 3 || c == 4 || c == 254 || c == 255;
}

/** A NetBIOS-encoded first label at i: 32 bytes, each 'A'..'P'. */
function netbiosName(p: usize, len: i32, i: i32): bool {
  if (u8at(p, len, i) != 32 || !has(len, i + 1, 32)) return false;
  for (let k = 1; k <= 32; k++) {
    const c = <i32>load<u8>(p + <usize>(i + k));
    if (c < 0x41 || c > 0x50) return false;
  }
  return true;
}

/**
 * The message [base, base + mlen) in full: header, questions, then answer, authority and
 * additional records (OPT records carry the UDP size in their class, so any class is allowed there).
 */
export function validMessage(p: usize, len: i32, base: i32, mlen: i32): bool {
  return checkMessage(p, len, base, mlen, false);
}

/**
 * The message at `base`, `mlen` bytes long by its header or length prefix; `cut`: only the bytes up
 * to `len` are there (a TCP message longer than the prefix cap, a TSIG/TKEY exchange or a zone
 * transfer): the header and every question must then be whole, and the records parse as far as
 * they go.
 */
function checkMessage(p: usize, len: i32, base: i32, mlen: i32, cut: bool): bool {
  if (mlen < HEADER || (!cut && !has(len, base, mlen)) || (cut && !has(len, base, HEADER))) return false;
  const end = cut ? len : base + mlen;
  const flags = be16at(p, len, base + 2);
  const opcode = (flags >> 11) & 0xf;
  if (opcode == 3 || opcode > 6 || (flags & 0x40) != 0) return false;
  const qd = be16at(p, len, base + 4);
  const an = be16at(p, len, base + 6);
  const ns = be16at(p, len, base + 8);
  const ar = be16at(p, len, base + 10);
  const query = (flags & 0x8000) == 0;
  if (qd > MAX_QUESTIONS || an + ns + ar > MAX_RECORDS) return false;
  // A standard query asks at least one question (mDNS asks several at once, RFC 6762 §5.3).
  if (query && opcode == 0 && (qd == 0 || (flags & 0xf) != 0)) return false;
  let i = base + HEADER;
  if (netbiosName(p, len, i)) return false;
  for (let q = 0; q < qd; q++) {
    i = nameEnd(p, len, base, i, end);
    if (i < 0 || i + 4 > end) return false;
    if (!knownClass(be16at(p, len, i + 2))) return false;
    i += 4;
  }
  const records = an + ns + ar;
  for (let r = 0; r < records; r++) {
    // Cut: the prefix ends inside the records; what is there has parsed.
    if (cut && i >= end) return true;
    i = nameEnd(p, len, base, i, end);
    if (i < 0 || i + 10 > end) return cut;
    const type = be16at(p, len, i);
    if (type != 41 && !knownClass(be16at(p, len, i + 2))) return false;
    const rdlen = be16at(p, len, i + 8);
    i += 10 + rdlen;
    if (i > end) return cut;
  }
  // Every record parsed: the message must end there (cut: it claims more bytes than it has).
  return !cut && i == end;
}

/** One side's first UDP datagram: DPI_UNKNOWN or APP_DNS (a datagram is whole when it is here). */
function udpSide(p: usize, len: i32): i32 {
  return validMessage(p, len, 0, len) ? APP_DNS : DPI_UNKNOWN;
}

/** One side's TCP stream: the first length-prefixed message. */
function tcpSide(p: usize, len: i32): i32 {
  const mlen = be16at(p, len, 0);
  if (mlen < 0) return DPI_MORE;
  if (mlen < HEADER || mlen > MAX_TCP_MESSAGE) return DPI_UNKNOWN;
  if (!has(len, 2, mlen)) return len < DPI_PREFIX_CAP ? DPI_MORE : checkMessage(p, len, 2, mlen, true) ? APP_DNS : DPI_UNKNOWN;
  return validMessage(p, len, 2, mlen) ? APP_DNS : DPI_UNKNOWN;
}

/** The client's first message decides; a server's is looked at only while the client has said nothing. */
export function dns(proto: i32, cli: usize, cl: i32, srv: usize, sl: i32): i32 {
  if (proto == 17) {
    if (cl > 0) return udpSide(cli, cl);
    return sl > 0 ? udpSide(srv, sl) : DPI_MORE;
  }
  if (cl > 0) {
    const c = tcpSide(cli, cl);
    return c == DPI_MORE ? clientMore(cl, sl) : c;
  }
  if (sl == 0) return DPI_MORE;
  const s = tcpSide(srv, sl);
  return s == APP_DNS ? DPI_MORE : s;
}
