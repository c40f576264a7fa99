#!/usr/bin/python3
"""Crafted threat captures for test/fixtures/threats/ (see its manifest.yaml and docs/threat-fixtures.md).

Each function below writes one capture with scapy (Debian's python3-scapy): fixed addresses
(client 10.0.0.9, server 10.0.0.10), fixed start time (2026-01-01T00:00:00Z), fixed seeds, raw IPv4
link type, so a run always writes the same bytes. The attacks that a kernel or a real client will
not produce (floods with exact rates, overlapping fragments, split handshakes, tiny windows, SSLv3)
are built here; the rest are recorded from real servers and clients (scripts/threats/real.sh).

  /usr/bin/python3 scripts/threats/craft.py OUTDIR [NAME...]    # NAME = file name without .pcap
  /usr/bin/python3 scripts/threats/craft.py --list
"""
import base64
import hashlib
import os
import random
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapw import T0_US, Pcap, Tcp, ip_checksum, ipv4  # noqa: E402

C, S = "10.0.0.9", "10.0.0.10"
MS, SEC = 1000, 1_000_000
FIXTURES = {}


def fixture(fn):
    FIXTURES[fn.__name__.replace("_", "-")] = fn
    return fn


def rng(name):
    """A random generator seeded by the fixture's name: stable across runs and Python versions."""
    return random.Random(int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big"))


# --- building blocks ------------------------------------------------------------------------

def syn(sport, dport, isn, ipid):
    from scapy.all import IP, TCP

    # a Linux-like SYN: MSS 1460, SACK permitted, timestamps, window scale
    opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (isn & 0xFFFFFF, 0)), ("NOP", None), ("WScale", 7)]
    return IP(src=C, dst=S, id=ipid, flags="DF", ttl=64) / TCP(sport=sport, dport=dport, seq=isn, flags="S", window=64240, options=opts)


def ping_payload(t_us, size=56):
    """What iputils ping sends: a struct timeval, then bytes 0x10, 0x11, ..."""
    head = struct.pack("<QQ", t_us // SEC, t_us % SEC)
    return (head + bytes((0x10 + i) & 0xFF for i in range(size)))[:size]


def icmp_echo(src, dst, typ, ident, seq, payload, ipid):
    from scapy.all import ICMP, IP, Raw

    return IP(src=src, dst=dst, id=ipid, ttl=64) / ICMP(type=typ, id=ident, seq=seq) / Raw(payload)


def dns_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_header(ident, flags, qd=0, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", ident, flags, qd, an, ns, ar)


def dns_query(ident, name, qtype=1):
    return dns_header(ident, 0x0100, qd=1) + dns_name(name) + struct.pack("!HH", qtype, 1)


def rr(name_bytes, rtype, rdata, ttl=300):
    return name_bytes + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def udp(src, dst, sport, dport, payload, ipid):
    from scapy.all import IP, UDP, Raw

    return IP(src=src, dst=dst, id=ipid, ttl=64) / UDP(sport=sport, dport=dport) / Raw(payload)


def unique_ports(r, n):
    return r.sample(range(32768, 61000), n)


# --- floods ----------------------------------------------------------------------------------

def syn_burst(name, count, span_us):
    r, pc = rng(name), Pcap()
    for i, sp in enumerate(unique_ports(r, count)):
        pc.add(T0_US + i * span_us // count, syn(sp, 80, r.getrandbits(32), r.getrandbits(16)))
    return pc


@fixture
def syn_flood():
    """800 SYNs in 4 s from 10.0.0.9 to 10.0.0.10:80, one every 5 ms, no answers."""
    return syn_burst("syn-flood", 800, 4 * SEC)


@fixture
def syn_700():
    """700 SYNs spread evenly over 5 s (one every 7.14 ms): below the 800-in-5 s threshold."""
    return syn_burst("syn-700", 700, 5 * SEC)


@fixture
def icmp_flood():
    """150 echo requests in 1 s to 10.0.0.10, unanswered."""
    pc = Pcap()
    for i in range(150):
        t = T0_US + i * SEC // 150
        pc.add(t, icmp_echo(C, S, 8, 0x1F1F, i + 1, ping_payload(t), 0x1000 + i))
    return pc


@fixture
def icmp_90():
    """90 pings in 1 s, each answered with the same payload (90 requests, 90 replies)."""
    pc = Pcap()
    for i in range(90):
        t = T0_US + i * SEC // 90
        pl = ping_payload(t)
        pc.add(t, icmp_echo(C, S, 8, 0x2A2A, i + 1, pl, 0x1000 + i))
        pc.add(t + 80, icmp_echo(S, C, 0, 0x2A2A, i + 1, pl, 0x5000 + i))
    return pc


SHORT_NAMES = ["www.example.test", "api.example.test", "db.example.test", "cdn.example.test",
               "mail.example.test", "example.test", "auth.example.test", "static.example.test"]


def dns_burst(name, count, span_us):
    r, pc = rng(name), Pcap()
    for i, sp in enumerate(unique_ports(r, count)):
        q = dns_query(r.getrandbits(16), r.choice(SHORT_NAMES), 1)
        pc.add(T0_US + i * span_us // count, udp(C, S, sp, 53, q, r.getrandbits(16)))
    return pc


@fixture
def dns_flood():
    """1200 A queries in 1 s from 10.0.0.9 to the DNS server 10.0.0.10:53 (each from its own port)."""
    return dns_burst("dns-flood", 1200, SEC)


@fixture
def dns_900():
    """900 A queries in 1 s: below the 1000-per-second threshold."""
    return dns_burst("dns-900", 900, SEC)


# --- fragments -------------------------------------------------------------------------------

@fixture
def ping_death_65535():
    """The classic ping of death: an echo request in 45 fragments that reassembles to 66,540 bytes.

    Its last fragment reaches past 65,535 bytes (malformed); the engine reports the datagram at the
    fragment that takes its ICMP data past 32,000 bytes (docs/threats.md).
    """
    pc = Pcap()
    data = bytes((i * 7) & 0xFF for i in range(66512))
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x0BAD, 1) + data
    icmp = icmp[:2] + struct.pack("!H", ip_checksum(icmp)) + icmp[4:]
    for n, off in enumerate(range(0, len(icmp), 1480)):
        part = icmp[off : off + 1480]
        pc.add(T0_US + n * 20, ipv4(C, S, 1, part, 0x6565, frag_off=off, mf=off + len(part) < len(icmp)))
    return pc


def udp_fragments(first, second, second_off):
    """A UDP datagram (31337 -> 7777) in two fragments: `first` at 0, more to come, then the last, `second`, at `second_off`."""
    pc = Pcap()
    pc.add(T0_US, ipv4(C, S, 17, first, 0x7E7E, frag_off=0, mf=True))
    pc.add(T0_US + 50, ipv4(C, S, 17, second, 0x7E7E, frag_off=second_off, mf=False))
    return pc


@fixture
def teardrop():
    """The teardrop attack: a UDP datagram whose second fragment [24, 28) lies inside the first [0, 36).

    The last fragment ends inside data already held, and the first is no whole number of 8-byte
    units: the datagram can never complete. The engine counts the first fragment as malformed, keeps
    it as evidence, and reports the second at once (NeuVector's teardrop_check).
    """
    return udp_fragments(struct.pack("!HHHH", 31337, 7777, 36, 0) + b"\x41" * 28, b"\x42" * 4, 24)


@fixture
def teardrop_overwrite():
    """A teardrop-style overlap that completes: a UDP datagram whose second fragment [24, 36) overwrites the end of the first [0, 32).

    The fragments are well formed and the datagram completes with an overlap of other bytes: the
    engine reports it on the datagram's flow when it completes.
    """
    return udp_fragments(struct.pack("!HHHH", 31337, 7777, 36, 0) + b"\x41" * 24, b"\x42" * 12, 24)


@fixture
def fragments_adjacent():
    """A 3008-byte UDP datagram in three fragments that touch but never overlap, sent last-first."""
    pc = Pcap()
    data = bytes((i * 13) & 0xFF for i in range(3000))
    import socket

    pseudo = socket.inet_aton(C) + socket.inet_aton(S) + struct.pack("!BBH", 0, 17, 3008)
    hdr = struct.pack("!HHHH", 31338, 7777, 3008, 0)
    csum = ip_checksum(pseudo + hdr + data) or 0xFFFF
    dgram = struct.pack("!HHHH", 31338, 7777, 3008, csum) + data
    parts = [(off, dgram[off : off + 1480]) for off in range(0, len(dgram), 1480)]
    for n, (off, part) in enumerate(reversed(parts)):
        pc.add(T0_US + n * 30, ipv4(C, S, 17, part, 0x7F7F, frag_off=off, mf=off + len(part) < len(dgram)))
    return pc


# --- TCP state -------------------------------------------------------------------------------

HTTP_GET = b"GET / HTTP/1.1\r\nHost: 10.0.0.10\r\nUser-Agent: craft/1.0\r\nAccept: */*\r\n\r\n"
HTTP_OK = b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n\r\nhello from nginx\n"


@fixture
def split_handshake():
    """A SYN answered by a SYN (no ACK); the client then sends SYN/ACK and the server ACKs."""
    pc = Pcap()
    t = Tcp(pc, C, S, 40200, 80, 0x11111111, 0x22222222)
    o = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("NOP", None)]
    t.pkt(T0_US, True, "S", options=o, ack=False)
    t.pkt(T0_US + 200, False, "S", options=o, ack=False)
    t.pkt(T0_US + 400, True, "SA", options=o, seq=0x11111111)
    t.seq[True] = 0x11111112
    t.pkt(T0_US + 600, False, "A")
    t.close(T0_US + 10 * MS)
    return pc


@fixture
def tcp_normal_handshake():
    """An ordinary connection: SYN (MSS 1460), SYN/ACK, ACK, a GET, its answer, FIN both ways."""
    pc = Pcap()
    t = Tcp(pc, C, S, 40300, 80, 0x33333333, 0x44444444)
    n = t.handshake(T0_US)
    n = t.send(n, True, HTTP_GET)
    n = t.send(n, False, HTTP_OK)
    t.close(n + 5 * MS)
    return pc


def mss_conn(name, sport, mss):
    pc = Pcap()
    t = Tcp(pc, C, S, sport, 80, 0x55550000 + mss, 0x66660000 + mss)
    n = t.handshake(T0_US, mss_c=mss)
    n = t.send(n, True, b"GET / HTTP/1.0\r\nHost: 10.0.0.10\r\n\r\n")
    n = t.send(n, False, HTTP_OK, mss=mss)
    t.close(n + 5 * MS)
    return pc


@fixture
def tcp_small_mss():
    """A SYN advertising MSS 48 (the SACK-panic setup); the server then answers in 48-byte segments."""
    return mss_conn("tcp-small-mss", 40400, 48)


@fixture
def tcp_mss_256():
    """A SYN advertising MSS 256: the smallest legal value (the check is MSS above 0 and below 256)."""
    return mss_conn("tcp-mss-256", 40401, 256)


def small_window(brief):
    """Server sends 4 x 1460 bytes; the client's ACKs shrink its window 48000 -> 30000 -> 12000 -> 8.
    Then the server pushes 8 bytes a second and the client keeps the window at 8."""
    pc = Pcap()
    t = Tcp(pc, C, S, 40500 + brief, 80, 0x77770000, 0x88880000)
    n = t.handshake(T0_US)
    n = t.send(n, True, HTTP_GET)
    body = b"HTTP/1.1 200 OK\r\nContent-Length: 8000\r\n\r\n" + bytes(0x61 + i % 26 for i in range(8000))
    pos = 0
    for w in (48000, 30000, 12000, 8):
        seg = body[pos : pos + 1460]
        pos += len(seg)
        t.pkt(n, False, "A", seg)
        t.pkt(n + 200, True, "A", win=w)
        n += 2 * MS
    small_since = n
    probes = 3 if brief else 11
    for i in range(probes):
        n = small_since + (i + 1) * SEC
        t.pkt(n, False, "PA", body[pos : pos + 8])
        pos += 8
        t.pkt(n + 200, True, "A", win=8)
    n += SEC // 2
    if brief:
        # the application reads again: the window reopens and the rest of the answer flows
        t.pkt(n, True, "A", win=64240)
        n = t.send(n + MS, False, body[pos:])
        t.close(n + 5 * MS)
    else:
        t.pkt(n, False, "RA")  # the server gives up
    return pc


@fixture
def small_window_attack():
    """A client window that falls from 30000 to 8 bytes and stays at 8 for 11 s (client sent 73 B, server < 6 KB)."""
    return small_window(0)


@fixture
def small_window_brief():
    """The same shrinking window, but it reopens after 3 s and the transfer completes."""
    return small_window(1)


# --- ICMP tunneling --------------------------------------------------------------------------

def echo_pairs(ident, mismatched):
    pc = Pcap()
    secret = base64.b64encode(bytes(range(200))).replace(b"=", b"")
    for i in range(5):
        t = T0_US + i * SEC
        req = ping_payload(t)
        rep = req
        if i in mismatched:
            rep = (b"TUN" + secret[i * 53 : i * 53 + 53])[:56]
        pc.add(t, icmp_echo(C, S, 8, ident, i + 1, req, 0x2000 + i))
        pc.add(t + 120, icmp_echo(S, C, 0, ident, i + 1, rep, 0x7000 + i))
    return pc


@fixture
def icmp_tunnel():
    """5 echo requests whose 5 replies (same id and seq) carry other data than the requests."""
    return echo_pairs(0x4242, {0, 1, 2, 3, 4})


@fixture
def icmp_tunnel_2():
    """5 echo request/reply pairs, only the first 2 replies differ from their requests."""
    return echo_pairs(0x4343, {0, 1})


# --- DNS -------------------------------------------------------------------------------------

def b32(r, nbytes):
    return base64.b32encode(r.randbytes(nbytes)).decode().rstrip("=").lower()


def tunnel_queries(name, count, gap_us):
    """Queries like dnscat2/iodine upstream: a 52-character base32 label and a 20-character one, TXT,
    each answered with a base32 TXT string."""
    r, pc = rng(name), Pcap()
    for i, sp in enumerate(unique_ports(r, count)):
        t = T0_US + i * gap_us
        qname = "%s.%s.t.example.test" % (b32(r, 32), b32(r, 12))
        ident = r.getrandbits(16)
        q = dns_query(ident, qname, 16)
        txt = b32(r, 60).encode()
        a = dns_header(ident, 0x8580, qd=1, an=1) + q[12:] + rr(b"\xc0\x0c", 16, bytes([len(txt)]) + txt, 0)
        pc.add(t, udp(C, S, sp, 53, q, 0x3000 + i))
        pc.add(t + 400, udp(S, C, 53, sp, a, 0x8000 + i))
    return pc


@fixture
def dns_tunnel():
    """15 TXT queries in 28 s (one every 2 s) with 52-character base32 labels, like iodine/dnscat2."""
    return tunnel_queries("dns-tunnel", 15, 2 * SEC)


@fixture
def dns_tunnel_slow():
    """The same 15 encoded queries spread over 140 s (one every 10 s): at most 7 in any minute."""
    return tunnel_queries("dns-tunnel-slow", 15, 10 * SEC)


@fixture
def dns_overflow_udp():
    """One UDP flow to port 53: a normal A query and answer, then a 3,034-byte message whose header
    counts one question and nothing else, followed by 3,000 bytes of garbage; the server answers FORMERR."""
    r, pc = rng("dns-overflow-udp"), Pcap()
    q = dns_query(0x1001, "www.example.test", 1)
    a = dns_header(0x1001, 0x8580, qd=1, an=1) + q[12:] + rr(b"\xc0\x0c", 1, bytes([10, 0, 0, 20]))
    pc.add(T0_US, udp(C, S, 40053, 53, q, 0x3100))
    pc.add(T0_US + 300, udp(S, C, 53, 40053, a, 0x8100))
    bad = dns_query(0x1002, "www.example.test", 1) + r.randbytes(3000)
    pc.add(T0_US + SEC, udp(C, S, 40053, 53, bad, 0x3101))
    pc.add(T0_US + SEC + 300, udp(S, C, 53, 40053, dns_header(0x1002, 0x8101), 0x8101))
    return pc


@fixture
def dns_pointer_chain():
    """An A query answered by a message whose second answer's name is a chain of 71 compression
    pointers (70 of them hidden in the first answer's TXT data), ending at the question name."""
    pc = Pcap()
    q = dns_query(0x2001, "www.example.test", 1)
    head = dns_header(0x2001, 0x8580, qd=1, an=2) + q[12:]
    assert len(head) == 34
    chain_at = 34 + 12 + 1  # RR1: name(2) type(2) class(2) ttl(4) rdlen(2), then the TXT length byte
    chain = b"".join(struct.pack("!H", 0xC000 | (12 if i == 0 else chain_at + 2 * (i - 1))) for i in range(70))
    rr1 = rr(b"\xc0\x0c", 16, bytes([len(chain)]) + chain, 60)
    last = chain_at + 2 * 69
    rr2 = rr(struct.pack("!H", 0xC000 | last), 1, bytes([10, 0, 0, 20]), 60)
    pc.add(T0_US, udp(C, S, 40054, 53, q, 0x3200))
    pc.add(T0_US + 300, udp(S, C, 53, 40054, head + rr1 + rr2, 0x8200))
    return pc


# --- HTTP ------------------------------------------------------------------------------------

@fixture
def http_slow_body():
    """A POST whose headers (Content-Length: 20) arrive at once and whose body arrives 35 s later."""
    pc = Pcap()
    t = Tcp(pc, C, S, 40600, 80, 0x99990000, 0xAAAA0000)
    n = t.handshake(T0_US)
    head = (b"POST /upload HTTP/1.1\r\nHost: 10.0.0.10\r\nUser-Agent: slow-body/1.0\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Length: 20\r\n\r\n")
    n = t.send(n, True, head)
    n = t.send(n + 35 * SEC, True, b"0123456789abcdefghij")
    n = t.send(n, False, b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 3\r\n\r\nok\n")
    t.close(n + 5 * MS)
    return pc


# --- SSLv3 -----------------------------------------------------------------------------------

def tls_record(ctype, version, body):
    return struct.pack("!BHH", ctype, version, len(body)) + body


def hs(mtype, body):
    return struct.pack("!B", mtype) + len(body).to_bytes(3, "big") + body


@fixture
def sslv3_session():
    """A whole SSLv3 session: ClientHello and ServerHello both 0x0300 (anonymous DH, 3DES), key
    exchange, ChangeCipherSpec, encrypted Finished and one application record each way."""
    r, pc = rng("sslv3-session"), Pcap()
    t = Tcp(pc, C, S, 40443, 443, 0xBBBB0000, 0xCCCC0000)
    n = t.handshake(T0_US)
    ch = hs(1, struct.pack("!H", 0x0300) + r.randbytes(32) + b"\x00" + struct.pack("!HHHH", 6, 0x001B, 0x000A, 0x0005) + b"\x01\x00")
    n = t.send(n, True, tls_record(22, 0x0300, ch))
    sh = hs(2, struct.pack("!H", 0x0300) + r.randbytes(32) + b"\x20" + r.randbytes(32) + struct.pack("!HB", 0x001B, 0))
    ske = hs(12, struct.pack("!H", 128) + r.randbytes(128) + b"\x00\x01\x02" + struct.pack("!H", 128) + r.randbytes(128))
    n = t.send(n, False, tls_record(22, 0x0300, sh + ske + hs(14, b"")))
    cke = hs(16, struct.pack("!H", 128) + r.randbytes(128))
    flight = tls_record(22, 0x0300, cke) + tls_record(20, 0x0300, b"\x01") + tls_record(22, 0x0300, r.randbytes(64))
    n = t.send(n, True, flight)
    n = t.send(n, False, tls_record(20, 0x0300, b"\x01") + tls_record(22, 0x0300, r.randbytes(64)))
    n = t.send(n, True, tls_record(23, 0x0300, r.randbytes(96)))
    n = t.send(n, False, tls_record(23, 0x0300, r.randbytes(192)))
    n = t.send(n, True, tls_record(21, 0x0300, r.randbytes(24)))
    t.close(n + MS)
    return pc


def main(argv):
    if argv[:1] == ["--list"]:
        for k, fn in FIXTURES.items():
            print("%-24s %s" % (k, (fn.__doc__ or "").strip().splitlines()[0]))
        return 0
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    out, names = argv[0], argv[1:] or list(FIXTURES)
    os.makedirs(out, exist_ok=True)
    for name in names:
        if name not in FIXTURES:
            print("craft.py: unknown fixture %s (see --list)" % name, file=sys.stderr)
            return 2
        pc = FIXTURES[name]()
        path = os.path.join(out, name + ".pcap")
        pc.write(path)
        print("crafted %-24s %4d packets %7d bytes" % (name + ".pcap", len(pc), os.path.getsize(path)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
