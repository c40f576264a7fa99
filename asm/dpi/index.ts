// Protocol identification: pure functions over the first bytes of a flow's two directions
// (docs/protocols.md). identify tries the parsers in a fixed order and returns the first answer
// that is not "no": an application id, or DPI_MORE while that parser still waits for bytes.
//
// Why the first non-"no" answer and not the first match: every parser answers from facts that
// stay true as the flow goes on (the bytes present, and what they show of the arrival order: the
// server spoke while the client had not, the server answered an incomplete request), so along a
// flow it never turns "no" into an answer, nor one answer into another. With a fixed order a
// growing flow can then only confirm an answer; the price is that a parser still waiting holds
// back the ones after it, which is why each one says "no" as early as the bytes allow. Ports
// never decide: they only order candidates (port 7 puts ECHO first) and let NTP be provisional.
import { activemq } from "./activemq";
import { amqp } from "./amqp";
import { cassandra } from "./cassandra";
import { dhcp } from "./dhcp";
import { dns } from "./dns";
import { echo } from "./echo";
import { elasticsearch } from "./elasticsearch";
import { grpc } from "./grpc";
import { http } from "./http";
import { kafka } from "./kafka";
import { memcached } from "./memcached";
import { mongodb } from "./mongodb";
import { mysql } from "./mysql";
import { ntp } from "./ntp";
import { postgresql } from "./postgresql";
import { radius } from "./radius";
import { redis } from "./redis";
import { rtspSip, sipDatagram } from "./rtsp-sip";
import { clearResult, DPI_MORE, DPI_RESULT_SIZE, DPI_UNKNOWN, R_PROVISIONAL } from "./result";
import { spark } from "./spark";
import { ssh } from "./ssh";
import { syslog } from "./syslog";
import { tds } from "./tds";
import { tftp } from "./tftp";
import { tls } from "./tls";
import { tns } from "./tns";
import { voltdb } from "./voltdb";
import { zookeeper } from "./zookeeper";

const PROTO_TCP: i32 = 6;
const PROTO_UDP: i32 = 17;
const ECHO_PORT: i32 = 7;

/** [p, p + n) lies inside linear memory. */
function inMemory(p: usize, n: u64): bool {
  const size = (<u64>memory.size()) << 16;
  return <u64>p <= size && n <= size - <u64>p;
}

/** A parser's answer: anything but "no" ends the search; "no" also drops what it wrote to `out`. */
@inline function done(r: i32, out: usize): bool {
  if (r != DPI_UNKNOWN) return true;
  clearResult(out);
  return false;
}

/** TCP candidates, most specific first (docs/protocols.md, "Order"). */
function tcpChain(cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  let r = tls(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = ssh(cli, cl, srv, sl);
  if (done(r, out)) return r;
  r = http(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = rtspSip(cli, cl, sl);
  if (done(r, out)) return r;
  r = grpc(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = postgresql(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = redis(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = mongodb(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = zookeeper(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = cassandra(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = tds(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = tns(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = amqp(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = activemq(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = elasticsearch(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = memcached(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = spark(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = voltdb(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = kafka(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = syslog(PROTO_TCP, cli, cl, sl);
  if (done(r, out)) return r;
  r = dns(PROTO_TCP, cli, cl, srv, sl);
  if (done(r, out)) return r;
  // Server-first last: a greeting is all MySQL needs, and it must not hold client-first parsers.
  r = mysql(cli, cl, srv, sl);
  if (done(r, out)) return r;
  return DPI_UNKNOWN;
}

/** UDP candidates: each prefix is one datagram, the first of its direction. */
function udpChain(sport: i32, dport: i32, cli: usize, cl: i32, srv: usize, sl: i32, out: usize): i32 {
  let r = dns(PROTO_UDP, cli, cl, srv, sl);
  if (done(r, out)) return r;
  r = dhcp(cli, cl, srv, sl);
  if (done(r, out)) return r;
  r = ntp(sport, dport, cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = tftp(cli, cl, srv, sl, out);
  if (done(r, out)) return r;
  r = radius(cli, cl, sl);
  if (done(r, out)) return r;
  r = syslog(PROTO_UDP, cli, cl, sl);
  if (done(r, out)) return r;
  r = sipDatagram(cli, cl, sl);
  if (done(r, out)) return r;
  return DPI_UNKNOWN;
}

/**
 * Identify the application of a flow from the first bytes of each direction: `cli` is what the
 * initiator sent (TCP: in-order stream prefix; UDP: its first datagram), `srv` what the responder
 * sent. Returns an application id (common/apps.ts), DPI_MORE or DPI_UNKNOWN, and fills the
 * DPI_RESULT_SIZE-byte record at `out` (docs/protocols.md, "Result record"). Regions outside
 * linear memory give DPI_UNKNOWN; negative lengths count as empty.
 */
export function identify(proto: i32, sport: i32, dport: i32, cli: usize, cliLen: i32, srv: usize, srvLen: i32, out: usize): i32 {
  const cl = max(cliLen, 0);
  const sl = max(srvLen, 0);
  if (!inMemory(out, DPI_RESULT_SIZE)) return DPI_UNKNOWN;
  clearResult(out);
  if (!inMemory(cli, <u64>cl) || !inMemory(srv, <u64>sl)) return DPI_UNKNOWN;
  if (proto != PROTO_TCP && proto != PROTO_UDP) return DPI_UNKNOWN;
  let r = DPI_UNKNOWN;
  // Port 7 puts ECHO first: its evidence (the server repeats the client) fits any protocol.
  if (sport == ECHO_PORT || dport == ECHO_PORT) r = echo(cli, cl, srv, sl);
  if (r == DPI_UNKNOWN) {
    r = proto == PROTO_TCP ? tcpChain(cli, cl, srv, sl, out) : udpChain(sport, dport, cli, cl, srv, sl, out);
  }
  if (r > 0) store<u16>(out + R_PROVISIONAL, <u16>r);
  return r;
}
