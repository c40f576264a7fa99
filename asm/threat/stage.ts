// Where the packet path runs threat detection (docs/threats.md), each step followed by raise():
//   threatsBefore  every decoded transport packet, before DPI: the packet checks (packet-checks.ts)
//                  and the packet-level trackers (trackers.ts: SYN and ICMP floods, ICMP
//                  tunneling, TCP small window);
//   threatsAfter   after DPI, so that the application is known: the DNS query rates of UDP
//                  datagrams (dns-rates.ts) and the stream feed to the application-level
//                  detectors (stream-feed.ts; DPI's settle starts it with the buffered prefix);
//   threatsAtFragment  a fragment of a datagram that has not completed (held, blocked, or
//                  malformed but kept as evidence): teardrop and ping of death at the fragment
//                  (fragments.ts), which in Protect may drop it and the rest of its datagram;
//   threatsAtEnd   when a flow ends (asm/pipeline.ts endFlow: expiry, eviction, flush, reuse of
//                  its ports): the last slowloris check and the findings of the bytes a settle at
//                  the end fed, raised without a packet.
// With threat detection off (PSF_THREATS) none of them does anything.
import { APP_DNS } from "../dpi/apps";
import { FL_APP, FL_SPORT } from "../flow/table";
import * as D from "../packet/decode";
import { pkt } from "../packet/decoded";
import { threatsOn } from "../packet/region";
import { dnsMessage, dnsRatesOn } from "./dns-rates";
import { fragmentThreats } from "./fragments";
import { packetChecks } from "./packet-checks";
import { raise } from "./raise";
import { feedEnd, feedPacket } from "./stream-feed";
import { packetTrackers, toWorkload } from "./trackers";

const DNS_PORT: u32 = 53;

/**
 * Packet `v` of flow `f` in direction `d` (0 client → server), before DPI: `fresh` when it opened
 * the flow, `reassembled` when it completed a fragmented datagram, `before` the TCP state before
 * it, `dataSeq` its first payload byte's sequence number. Returns PV_FLAGS bits.
 */
export function threatsBefore(f: usize, v: usize, d: u32, fresh: bool, reassembled: bool, before: u32, dataSeq: u32): u32 {
  if (!threatsOn) return 0;
  packetChecks(f, d, fresh, reassembled, before, dataSeq);
  packetTrackers(f, d);
  return raise(f, v);
}

/** The same packet after DPI. Returns PV_FLAGS bits. */
export function threatsAfter(f: usize, v: usize, d: u32, dataSeq: u32): u32 {
  if (!threatsOn) return 0;
  const proto = pkt.proto;
  if (proto == D.UDP) {
    const dns = <u32>load<u16>(f + FL_SPORT) == DNS_PORT || <i32>load<u32>(f + FL_APP) == APP_DNS;
    if (d == 0 && pkt.payloadLen > 0 && dns && dnsRatesOn()) dnsMessage(f, toWorkload(f, 0), pkt.payload, pkt.payloadLen);
  } else if (proto != D.TCP) return 0;
  feedPacket(f, d, pkt.payload, pkt.payloadLen, dataSeq);
  return raise(f, v);
}

/** A fragment that did not complete its datagram: insert() status `st`, verdict `v`. */
export function threatsAtFragment(v: usize, st: u32): void {
  fragmentThreats(v, st);
}

/** Flow `f` is ending (no packet). */
export function threatsAtEnd(f: usize): void {
  if (!threatsOn) return;
  feedEnd(f);
  raise(f, 0);
}
