#!/usr/bin/python3
"""Check the threat captures after a regeneration: the manifest and the folder list the same files,
every file stays small, and each capture holds the bytes that make it an attack or a look-alike
(a real client or server that changed behaviour, or a step that silently failed, shows up here
instead of as a puzzling test failure later). Standard library only.

  /usr/bin/python3 scripts/threats/check.py test/fixtures/threats
"""
import os
import re
import struct
import sys
from collections import defaultdict

MAX_FILE = 200 * 1024
MAX_TOTAL = 3 * 1024 * 1024


# --- reading ---------------------------------------------------------------------------------

class Pkt:
    __slots__ = ("t", "src", "dst", "proto", "ipid", "frag", "mf", "l4", "sport", "dport", "flags", "seq", "win", "opts", "data")


def ip4(b):
    return ".".join(str(x) for x in b)


def read(path):
    """Yield Pkt for each IPv4 packet of a classic pcap (Ethernet or raw IP)."""
    with open(path, "rb") as f:
        data = f.read()
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    link = struct.unpack(e + "I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data):
        s, frac, incl, _ = struct.unpack(e + "IIII", data[off : off + 16])
        frame = data[off + 16 : off + 16 + incl]
        off += 16 + incl
        if link == 1:
            if struct.unpack("!H", frame[12:14])[0] != 0x0800:
                continue
            frame = frame[14:]
        if not frame or frame[0] >> 4 != 4:
            continue
        p = Pkt()
        p.t = s * 1_000_000 + (frac // 1000 if nano else frac)
        ihl = (frame[0] & 15) * 4
        tl = struct.unpack("!H", frame[2:4])[0]
        fo = struct.unpack("!H", frame[6:8])[0]
        p.ipid, p.frag, p.mf = struct.unpack("!H", frame[4:6])[0], (fo & 0x1FFF) * 8, bool(fo & 0x2000)
        p.proto, p.src, p.dst = frame[9], ip4(frame[12:16]), ip4(frame[16:20])
        p.l4 = frame[ihl:tl]
        p.sport = p.dport = p.flags = p.seq = p.win = 0
        p.opts, p.data = {}, b""
        if p.frag == 0 and p.proto == 6 and len(p.l4) >= 20:
            p.sport, p.dport, p.seq = struct.unpack("!HHI", p.l4[:8])
            hl = (p.l4[12] >> 4) * 4
            p.flags, p.win = p.l4[13], struct.unpack("!H", p.l4[14:16])[0]
            o = p.l4[20:hl]
            i = 0
            while i < len(o):
                if o[i] in (0, 1):
                    i += 1
                    continue
                if i + 1 >= len(o) or o[i + 1] < 2:
                    break
                p.opts[o[i]] = o[i + 2 : i + o[i + 1]]
                i += o[i + 1]
            p.data = p.l4[hl:]
        elif p.frag == 0 and p.proto == 17 and len(p.l4) >= 8:
            p.sport, p.dport = struct.unpack("!HH", p.l4[:4])
            p.data = p.l4[8:]
        out.append(p)
    return out


SYN, ACK, RST = 0x02, 0x10, 0x04


def streams(pkts):
    """TCP payload per direction, (src, sport, dst, dport) -> bytes in sequence order, no repeats."""
    segs = defaultdict(dict)
    for p in pkts:
        if p.proto == 6 and p.data:
            segs[(p.src, p.sport, p.dst, p.dport)].setdefault(p.seq, p.data)
    return {k: b"".join(v[s] for s in sorted(v)) for k, v in segs.items()}


def client_bytes(pkts, client="10.0.0.9"):
    return [b for k, b in streams(pkts).items() if k[0] == client]


def server_bytes(pkts, client="10.0.0.9"):
    return [b for k, b in streams(pkts).items() if k[2] == client]


def max_in_window(times, span_us):
    times, best, j = sorted(times), 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - span_us:
            j += 1
        best = max(best, i - j + 1)
    return best


def syns(pkts):
    return [p.t for p in pkts if p.proto == 6 and p.flags & (SYN | ACK) == SYN]


def echo_requests(pkts):
    return [p.t for p in pkts if p.proto == 1 and p.frag == 0 and p.l4[:1] == b"\x08"]


def dns_queries(pkts):
    return [p.t for p in pkts if p.proto == 17 and p.dport == 53 and len(p.data) > 2 and not p.data[2] & 0x80]


def datagram_sizes(pkts, src):
    """Reassembled L4 length of each fragmented datagram from `src` (end of its furthest fragment)."""
    ends = defaultdict(int)
    for p in pkts:
        if p.src == src and (p.mf or p.frag):
            k = (p.dst, p.proto, p.ipid)
            ends[k] = max(ends[k], p.frag + len(p.l4))
    return list(ends.values())


def overlapping_fragments(pkts):
    held, n = defaultdict(list), 0
    for p in pkts:
        if p.mf or p.frag:
            k = (p.src, p.dst, p.proto, p.ipid)
            a, b = p.frag, p.frag + len(p.l4)
            if any(a < y and x < b for x, y in held[k]):
                n += 1
            held[k].append((a, b))
    return n


def syn_mss(pkts):
    return [struct.unpack("!H", p.opts[2])[0] for p in pkts if p.proto == 6 and p.flags & (SYN | ACK) == SYN and 2 in p.opts]


def server_hello_versions(pkts):
    """(legacy version, supported_versions value or None) of each ServerHello."""
    out = []
    for b in server_bytes(pkts):
        i = 0
        while i + 9 <= len(b) and b[i] in (20, 21, 22, 23):
            n = struct.unpack("!H", b[i + 3 : i + 5])[0]
            if b[i] == 22 and b[i + 5] == 2:
                sv = None
                m = re.search(rb"\x00\x2b\x00\x02(..)", b[i + 5 : i + 5 + n], re.S)
                if m:
                    sv = struct.unpack("!H", m.group(1))[0]
                out.append((struct.unpack("!H", b[i + 9 : i + 11])[0], sv))
            i += 5 + n
    return out


def dns_qtypes(pkts):
    """Question type of every DNS query (UDP or TCP) from the client."""
    out = []
    msgs = [p.data for p in pkts if p.proto == 17 and p.dport == 53 and p.data]
    for b in client_bytes(pkts):
        while len(b) >= 2:
            n = struct.unpack("!H", b[:2])[0]
            msgs.append(b[2 : 2 + n])
            b = b[2 + n :]
    for m in msgs:
        if len(m) < 17 or m[2] & 0x80:
            continue
        i = 12
        while i < len(m) and m[i] and m[i] < 64:
            i += 1 + m[i]
        i += 2 if i < len(m) and m[i] >= 0xC0 else 1
        if i + 2 <= len(m):
            out.append(struct.unpack("!H", m[i : i + 2])[0])
    return out


def dns_client_messages(pkts):
    msgs = [p.data for p in pkts if p.proto == 17 and p.dport == 53 and p.data]
    for b in client_bytes(pkts):
        while len(b) >= 2:
            n = struct.unpack("!H", b[:2])[0]
            msgs.append(b[2 : 2 + n])
            b = b[2 + n :]
    return msgs


def mysql_errors(pkts):
    out = []
    for b in server_bytes(pkts):
        while len(b) >= 4:
            n = b[0] | b[1] << 8 | b[2] << 16
            body = b[4 : 4 + n]
            if body[:1] == b"\xff":
                out.append(struct.unpack("<H", body[1:3])[0])
            b = b[4 + n :]
    return out


def sql_texts(pkts):
    """Client query texts: MySQL COM_QUERY, PostgreSQL simple Query."""
    out = []
    for b in client_bytes(pkts):
        out += [m.decode("latin1") for m in re.findall(rb"\x03((?:SELECT|INSERT)[^\x00]*)", b)]
        out += [m.decode("latin1") for m in re.findall(rb"Q.{4}((?:SELECT|INSERT)[^\x00]*)\x00", b, re.S)]
    return out


# nvp's reading of NeuVector's SQL injection families (reference/neuvector.md §5), for checking
# that each injection query is one and no legal query is
INJECTION = [r"'\s+or\s+('?)(\w+)\1\s*=\s*\1\2\1", r"sleep\s*\(\s*\d+\s*\)", r"benchmark\s*\(\s*[1-9]\d{4,}\s*,",
             r"[1'\"]\s*union\b.*(--|#|/\*|=')", r"waitfor\s+delay.*--", r"\bexec\b.*--"]


def injections(texts):
    return [t for t in texts if any(re.search(r, t, re.I) for r in INJECTION)]


# --- expectations per file ----------------------------------------------------------------------

def echo_mismatches(pkts):
    """Echo replies whose payload differs from their request's (same identifier and sequence)."""
    req, n = {}, 0
    for p in pkts:
        if p.proto == 1 and p.frag == 0 and p.l4[:1] in (b"\x08", b"\x00"):
            key = p.l4[4:8]
            if p.l4[0] == 8:
                req[key] = p.l4[8:]
            elif key in req and req[key] != p.l4[8:]:
                n += 1
    return n


def first(xs):
    return xs[0] if xs else None


CHECKS = {
    "syn-flood": lambda P: max_in_window(syns(P), 5_000_000) >= 800,
    "syn-flood-hping3": lambda P: max_in_window(syns(P), 5_000_000) >= 800,
    "syn-700": lambda P: len(syns(P)) == 700 and max_in_window(syns(P), 5_000_000) < 800,
    "icmp-flood": lambda P: max_in_window(echo_requests(P), 1_000_000) > 100,
    "icmp-90": lambda P: max_in_window([p.t for p in P if p.proto == 1 and p.dst == "10.0.0.10"], 1_000_000) <= 100,
    "dns-flood": lambda P: max_in_window(dns_queries(P), 1_000_000) > 1000,
    "dns-900": lambda P: max_in_window(dns_queries(P), 1_000_000) < 1000,
    "ping-death-65535": lambda P: max(datagram_sizes(P, "10.0.0.9")) + 20 > 65535,
    "ping-death-40000": lambda P: max(datagram_sizes(P, "10.0.0.9")) > 32000,
    "ping-3000": lambda P: 0 < max(datagram_sizes(P, "10.0.0.9")) < 32000 and overlapping_fragments(P) == 0,
    "ping-normal": lambda P: len(echo_requests(P)) == 5 and not datagram_sizes(P, "10.0.0.9"),
    "teardrop": lambda P: overlapping_fragments(P) == 1 and len(P[0].l4) % 8 != 0 and not P[1].mf and P[1].frag + len(P[1].l4) < len(P[0].l4),
    "teardrop-overwrite": lambda P: overlapping_fragments(P) == 1 and not P[1].mf and P[1].frag + len(P[1].l4) > len(P[0].l4),
    "fragments-adjacent": lambda P: overlapping_fragments(P) == 0 and len(P) == 3,
    "split-handshake": lambda P: [p.flags & (SYN | ACK) for p in P[:3]] == [SYN, SYN, SYN | ACK],
    "tcp-normal-handshake": lambda P: syn_mss(P) == [1460],
    "tcp-small-mss": lambda P: syn_mss(P) == [48],
    "tcp-small-mss-88": lambda P: syn_mss(P) == [88],
    "tcp-mss-256": lambda P: syn_mss(P) == [256],
    "small-window-attack": lambda P: [p.win for p in P if p.src == "10.0.0.9"][-1] == 8,
    "small-window-brief": lambda P: [p.win for p in P if p.src == "10.0.0.9"][-1] == 64240,
    "k8s-mitm": lambda P: any(p.dst == "203.0.113.50" and p.flags == SYN for p in P),
    "k8s-workload-ip": lambda P: all(p.dst != "203.0.113.50" for p in P) and any(p.flags == SYN for p in P),
    "dns-axfr": lambda P: dns_qtypes(P) == [252],
    "dns-ixfr": lambda P: dns_qtypes(P) == [251],
    "dns-null": lambda P: dns_qtypes(P) == [10],
    "dns-short-names": lambda P: len(dns_qtypes(P)) == 6 and 10 not in dns_qtypes(P),
    "dns-large-legal": lambda P: max(len(m) for m in dns_client_messages(P)) > 2048,
    "dns-overflow-udp": lambda P: max(len(m) for m in dns_client_messages(P)) > 3000,
    "dns-overflow-tcp": lambda P: max(len(m) for m in dns_client_messages(P)) > 3000,
    "dns-loop-pointer": lambda P: any(m[12:14] == b"\xc0\x0c" for m in dns_client_messages(P)),
    "dns-pointer-chain": lambda P: any(re.search(rb"(?:\xc0[\x00-\xff]){70}", p.data) for p in P if p.sport == 53),
    "icmp-tunnel": lambda P: echo_mismatches(P) == 5,
    "icmp-tunnel-2": lambda P: echo_mismatches(P) == 2,
    "http-slow-body": lambda P: (lambda ts: ts[1] - ts[0] > 30_000_000)([p.t for p in P if p.src == "10.0.0.9" and p.data]),
    "dns-tunnel": lambda P: len(dns_queries(P)) == 15,
    "dns-tunnel-slow": lambda P: len(dns_queries(P)) == 15 and max_in_window(dns_queries(P), 60_000_000) < 10,
    "http-negative-length": lambda P: b"Content-Length: -1\r\n" in first(client_bytes(P)),
    "http-chunk-negative": lambda P: b"\r\n\r\nffffffffffffffff\r\n" in first(client_bytes(P)),
    "http-smuggling": lambda P: b"Content-Length: 5\r\nContent-Length: 11\r\n" in first(client_bytes(P)),
    "http-same-length-twice": lambda P: b"Content-Length: 5\r\nContent-Length: 5\r\n" in first(client_bytes(P)),
    "http-normal": lambda P: len(client_bytes(P)) == 3,
    "http-slowloris": lambda P: max(p.t for p in P if p.data) - min(p.t for p in P if p.data) > 3_000_000,
    "http-slow-upload": lambda P: b"201 Created" in first(server_bytes(P)),
    "struts-rce": lambda P: b'class="java.lang.ProcessBuilder">' in first(client_bytes(P)),
    "struts-benign-xml": lambda P: b'class="java.lang.ProcessBuilder"' not in first(client_bytes(P)) and b"<string>/bin/sh</string>" in first(client_bytes(P)),
    "tls-1.0": lambda P: server_hello_versions(P) == [(0x0301, None)],
    "tls-1.1": lambda P: server_hello_versions(P) == [(0x0302, None)],
    "tls-1.2": lambda P: server_hello_versions(P) == [(0x0303, None)] and first(client_bytes(P))[:3] == b"\x16\x03\x01",
    "tls-1.3": lambda P: server_hello_versions(P) == [(0x0303, 0x0304)],
    "ssl-heartbleed": lambda P: b"\x18\x03\x03\x00\x03\x01\x40\x00" in first(client_bytes(P)),
    "ssl-heartbeat-legal": lambda P: b"\x18\x03\x03\x00\x23\x01\x00\x10" in first(client_bytes(P)),
    "sslv2-hello": lambda P: first(client_bytes(P))[:7] == b"\x80\x25\x01\x00\x02\x00\x0c",
    "ssl-cipher-overflow": lambda P: first(client_bytes(P))[:7] == b"\x80\x25\x01\x00\x02\x03\x00",
    "sslv3-session": lambda P: server_hello_versions(P) == [(0x0300, None)],
    "ssh-v1": lambda P: first(server_bytes(P)).startswith(b"SSH-1.5-"),
    "ssh-1.99": lambda P: first(server_bytes(P)).startswith(b"SSH-1.99-"),
    "ssh-2": lambda P: first(server_bytes(P)).startswith(b"SSH-2.0-"),
    "mysql-access-deny": lambda P: mysql_errors(P) == [1045],
    "mysql-access-deny-db": lambda P: mysql_errors(P) == [1044],
    "mysql-legal": lambda P: mysql_errors(P) == [] and len(sql_texts(P)) == 5 and injections(sql_texts(P)) == [],
    "sql-injection-mysql": lambda P: len(client_bytes(P)) == 4 and len(injections(sql_texts(P))) == 4,
    "postgresql-legal": lambda P: len(sql_texts(P)) == 4 and injections(sql_texts(P)) == [],
    "sql-injection-postgresql": lambda P: len(client_bytes(P)) == 2 and len(injections(sql_texts(P))) == 2,
}


def main(argv):
    out = argv[0] if argv else os.path.join(os.path.dirname(__file__), "../../test/fixtures/threats")
    with open(os.path.join(out, "manifest.yaml")) as f:
        listed = re.findall(r"^- file: (\S+)$", f.read(), re.M)
    present = sorted(x for x in os.listdir(out) if x.endswith(".pcap"))
    bad = []
    bad += ["%s: listed in manifest.yaml, missing" % x for x in listed if x not in present]
    bad += ["%s: not listed in manifest.yaml" % x for x in present if x not in listed]
    total = 0
    for name in present:
        path = os.path.join(out, name)
        size = os.path.getsize(path)
        total += size
        if size > MAX_FILE:
            bad.append("%s: %d bytes (over %d)" % (name, size, MAX_FILE))
        check = CHECKS.get(name[:-5])
        if check is None:
            bad.append("%s: no check in check.py" % name)
            continue
        try:
            ok = check(read(path))
        except Exception as e:  # a capture too broken to inspect is a failed check
            ok = False
            bad.append("%s: %s: %s" % (name, type(e).__name__, e))
        if not ok:
            bad.append("%s: does not hold what manifest.yaml says" % name)
    if total > MAX_TOTAL:
        bad.append("all captures: %d bytes (over %d)" % (total, MAX_TOTAL))
    for b in bad:
        print("check: " + b, file=sys.stderr)
    print("check: %d captures, %d bytes, %d problems" % (len(present), total, len(bad)), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
