#!/usr/bin/env bash
# Regenerate the real captures in test/fixtures/pcap/ (read by test/runtime/capture/real-capture.test.ts).
# Needs tcpdump, curl, node and the right to capture on lo (root or CAP_NET_RAW). For each capture it
# also stores tcpdump's own reading (`-tt -nn -q`, nanosecond times), which the test compares with ours.
#
#   scripts/capture-pcap-fixtures.sh
#
# Three captures of the same exchange (HTTP over IPv4 and IPv6 on loopback):
#   lo-http.pcap         -i lo: Ethernet (EN10MB, zeroed MACs), microsecond timestamps
#   any-sll2-ns.pcap     -i any: Linux cooked v2, nanosecond timestamps (magic a1b23c4d)
#   any-sll.pcap         -i any -y LINUX_SLL: Linux cooked v1
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/pcap
port=${PORT:-18231}
mkdir -p "$out"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

node -e '
  const http = require("node:http");
  http.createServer((req, res) => res.end("hello from nvp\n")).listen({ port: +process.argv[1], host: "::", ipv6Only: false });
' "$port" &
server_pid=$!
sleep 0.5

capture() { # name, tcpdump options...
  local name=$1
  shift
  tcpdump -U --immediate-mode -Z root -s 0 -w "$work/$name" "$@" "tcp port $port" 2>"$work/$name.log" &
  local pid=$!
  sleep 1
  curl -s -o /dev/null "http://127.0.0.1:$port/v4"
  curl -s -g -o /dev/null "http://[::1]:$port/v6"
  sleep 0.5
  kill -INT "$pid"
  wait "$pid" || true
  cp "$work/$name" "$out/$name"
  tcpdump -r "$out/$name" --time-stamp-precision=nano -tt -nn -q 2>/dev/null >"$out/$name.txt"
  echo "$name: $(wc -l <"$out/$name.txt") packets, $(head -1 "$work/$name.log")"
}

capture lo-http.pcap -i lo
capture any-sll2-ns.pcap -i any --time-stamp-precision=nano
capture any-sll.pcap -i any -y LINUX_SLL
