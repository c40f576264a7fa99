// DNS query rates as the packet path feeds them (dns-flood, dns-tunneling; docs/threats-rates.md):
// every standard query a client sends to a DNS server counts against (server, client) for the
// flood, only when the server is a workload (as the other floods: metered per workload), and,
// when its question name carries encoded data (stream-dns-names.ts), against the client for
// tunneling, whoever the server is. The queries are the client's UDP datagrams to port 53 or on
// a flow the DPI stage named DNS (pipeline), and the messages of the client's in-order TCP
// stream of a flow named DNS (stream-feed.ts).
//
// Over TCP each message carries a two-byte length prefix and may span segments: dnsTcpQueries
// frames the stream with 4 bytes of the stream feed's state. A message is read in the segment
// where its body begins, with the bytes of it that segment holds: a query whose 12-byte header is
// split over two segments is not counted, and the tunneling test sees the question name only
// when that segment holds it (a client's query is almost always one segment).
import { FL_CLI, FL_SRV } from "../flow/table";
import { now } from "../packet/region";
import { T_DNS_FLOOD, T_DNS_TUNNELING } from "./codes";
import { dnsEncodedSeen, dnsQuerySeen } from "./flood";
import { METER_ON } from "./meter";
import { threatEnabled } from "./params";
import { hold } from "./raise";
import { meterBase, meterCap } from "./state";
import { dnsEncodedQuery, dnsIsQuery } from "./stream-dns-names";

const NS_PER_MS: u64 = 1000000;

// TCP framing state (4 bytes): phase, the length's first byte when split, bytes left of the message.
const R_PHASE: usize = 0;
const R_HIGH: usize = 1;
const R_LEFT: usize = 2;
const AT_LENGTH: u8 = 0;
const HALF_LENGTH: u8 = 1;
const IN_MESSAGE: u8 = 2;

/** Bytes of framing state dnsTcpQueries keeps. */
export const DNS_FRAMING_BYTES: u32 = 4;

/** Either DNS rate detection is enabled. */
export function dnsRatesOn(): bool {
  return threatEnabled(T_DNS_FLOOD) || threatEnabled(T_DNS_TUNNELING);
}

/** One DNS message [p, p + len) from the client of flow `f` to its server (`toWorkload`: a workload). */
export function dnsMessage(f: usize, toWorkload: bool, p: usize, len: u32): void {
  if (!dnsIsQuery(p, len)) return;
  const t = now / NS_PER_MS;
  const cLo = load<u64>(f + FL_CLI);
  const cHi = load<u64>(f + FL_CLI + 8);
  if (toWorkload && threatEnabled(T_DNS_FLOOD)) {
    const r = dnsQuerySeen(meterBase(), meterCap(), load<u64>(f + FL_SRV), load<u64>(f + FL_SRV + 8), cLo, cHi, t);
    if (r == METER_ON) hold(T_DNS_FLOOD);
  }
  if (threatEnabled(T_DNS_TUNNELING)) {
    if (dnsEncodedSeen(meterBase(), meterCap(), cLo, cHi, dnsEncodedQuery(p, len), t) == METER_ON) hold(T_DNS_TUNNELING);
  }
}

/** In-order bytes [p, p + len) of the client's TCP stream of a DNS flow; `r`: the framing state. */
export function dnsTcpQueries(r: usize, f: usize, toWorkload: bool, p: usize, len: u32): void {
  let i: u32 = 0;
  // Every turn consumes at least one byte, or leaves IN_MESSAGE (the next turn then consumes).
  while (i < len) {
    const phase = load<u8>(r + R_PHASE);
    if (phase == IN_MESSAGE) {
      const left = <u32>load<u16>(r + R_LEFT);
      const n = min<u32>(left, len - i);
      i += n;
      store<u16>(r + R_LEFT, <u16>(left - n));
      if (left == n) store<u8>(r + R_PHASE, AT_LENGTH);
      continue;
    }
    let mlen: u32;
    if (phase == HALF_LENGTH) {
      mlen = (<u32>load<u8>(r + R_HIGH) << 8) | <u32>load<u8>(p + <usize>i);
      i += 1;
    } else if (i + 1 < len) {
      mlen = (<u32>load<u8>(p + <usize>i) << 8) | <u32>load<u8>(p + <usize>i + 1);
      i += 2;
    } else {
      store<u8>(r + R_HIGH, load<u8>(p + <usize>i));
      store<u8>(r + R_PHASE, HALF_LENGTH);
      i += 1;
      continue;
    }
    dnsMessage(f, toWorkload, p + <usize>i, min<u32>(mlen, len - i));
    store<u16>(r + R_LEFT, <u16>mlen);
    store<u8>(r + R_PHASE, mlen == 0 ? AT_LENGTH : IN_MESSAGE);
  }
}
