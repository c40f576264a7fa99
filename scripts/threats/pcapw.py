"""A tiny deterministic pcap writer and TCP/UDP conversation builder for scripts/threats/craft.py.

Timestamps are integer microseconds (no float rounding), the link type is LINKTYPE_RAW (101: each
record is an IPv4 packet), so the same inputs always give the same bytes. Packets come from scapy
(checksums filled in by scapy) or are raw bytes.
"""
import struct

LINKTYPE_RAW = 101
# 2026-01-01T00:00:00Z: every crafted capture starts here (a fixed, obviously synthetic time)
T0_US = 1_767_225_600 * 1_000_000


class Pcap:
    def __init__(self):
        self.recs = []  # (t_us, seq, bytes); seq keeps insertion order for equal times

    def add(self, t_us, pkt):
        self.recs.append((int(t_us), len(self.recs), bytes(pkt)))

    def write(self, path):
        out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_RAW)]
        for t, _, b in sorted(self.recs):
            out.append(struct.pack("<IIII", t // 1_000_000, t % 1_000_000, len(b), len(b)))
            out.append(b)
        with open(path, "wb") as f:
            f.write(b"".join(out))

    def __len__(self):
        return len(self.recs)


class Tcp:
    """One TCP connection between a client and a server; tracks sequence numbers of both sides.

    Every method takes the time (µs) of the packet it writes; the peer's ACK, when written, comes
    `rtt` µs later. Windows and options are explicit so the captures show exactly what the manifest
    says.
    """

    def __init__(self, pc, ip_c, ip_s, sport, dport, isn_c, isn_s, rtt=200):
        from scapy.all import IP, TCP  # noqa: F401  (imported lazily: pcapw is also used without scapy)

        self.pc, self.c, self.s = pc, ip_c, ip_s
        self.sport, self.dport = sport, dport
        self.seq = {True: isn_c, False: isn_s}  # next sequence number to send, by side (True = client)
        self.win = {True: 64240, False: 65160}
        self.ipid = {True: 0x3000 + (sport & 0xFFF), False: 0x6000 + (sport & 0xFFF)}
        self.rtt = rtt

    def pkt(self, t, client, flags, payload=b"", win=None, options=None, ack=True, seq=None):
        from scapy.all import IP, TCP, Raw

        src, dst = (self.c, self.s) if client else (self.s, self.c)
        sp, dp = (self.sport, self.dport) if client else (self.dport, self.sport)
        s = self.seq[client] if seq is None else seq
        a = self.seq[not client] if ack else 0
        tcp = TCP(sport=sp, dport=dp, seq=s & 0xFFFFFFFF, ack=a & 0xFFFFFFFF, flags=flags,
                  window=self.win[client] if win is None else win, options=options or [])
        self.ipid[client] = (self.ipid[client] + 1) & 0xFFFF
        p = IP(src=src, dst=dst, id=self.ipid[client], flags="DF", ttl=64) / tcp
        if payload:
            p = p / Raw(payload)
        self.pc.add(t, p)
        if seq is None:
            self.seq[client] += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)
        return p

    def handshake(self, t, mss_c=1460, mss_s=1460):
        """SYN, SYN/ACK, ACK (no window scaling, so raw windows are bytes). Returns the next time."""
        self.pkt(t, True, "S", options=[("MSS", mss_c), ("SAckOK", b""), ("NOP", None), ("NOP", None)], ack=False)
        self.pkt(t + self.rtt, False, "SA", options=[("MSS", mss_s), ("NOP", None), ("NOP", None), ("SAckOK", b"")])
        self.pkt(t + 2 * self.rtt, True, "A")
        return t + 2 * self.rtt + 100

    def send(self, t, client, data, mss=1460, ack_win=None, push=True):
        """`data` from one side in segments of at most `mss`, each ACKed by the peer. Returns the next time."""
        for i in range(0, len(data), mss):
            seg = data[i : i + mss]
            self.pkt(t, client, "PA" if push else "A", seg)
            self.pkt(t + self.rtt, not client, "A", win=ack_win)
            t += self.rtt + 100
        return t

    def close(self, t):
        """Client FIN, server FIN/ACK, client ACK."""
        self.pkt(t, True, "FA")
        self.pkt(t + self.rtt, False, "FA")
        self.pkt(t + 2 * self.rtt, True, "A")
        return t + 2 * self.rtt + 100


def ip_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(src, dst, proto, payload, ident, frag_off=0, mf=False, df=False, ttl=64, total_len=None):
    """A raw IPv4 header + payload (for fragments, whose lengths scapy would second-guess)."""
    import socket

    flags = (0x2000 if mf else 0) | (0x4000 if df else 0)
    tl = 20 + len(payload) if total_len is None else total_len
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, ident, flags | (frag_off // 8), ttl, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack("!H", ip_checksum(h)) + h[12:]
    return h + payload
