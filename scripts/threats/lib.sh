# shellcheck shell=bash
# Helpers for scripts/threat-fixtures.sh: two network namespaces joined by a veth pair, so real
# servers and clients talk with the fixed addresses the manifest names, and captures on that link.
#
#   nvpt-c  client  10.0.0.9   veth nvpt-c0  MAC 02:00:0a:00:00:09
#   nvpt-s  server  10.0.0.10  veth nvpt-s0  MAC 02:00:0a:00:00:0a
#                   203.0.113.50 (also on the server: the Service external IP of the k8s-mitm capture)
#
# No IPv6, static ARP entries, checksum and segmentation offloads off: the captures hold only the
# packets a test talks about, with real checksums and at most MTU-sized (1500) frames.
# Every process a helper starts is recorded and stopped by pid (stop_all); ns_down removes the
# namespaces (and with them the veth pair).

NS_C=nvpt-c
NS_S=nvpt-s
IP_C=10.0.0.9
IP_S=10.0.0.10
IP_EXT=203.0.113.50
MAC_C=02:00:0a:00:00:09
MAC_S=02:00:0a:00:00:0a
PY=/usr/bin/python3   # Debian's python (python3-scapy lives there), not a pyenv shim

PIDS=()

# shellcheck source=../lib/capture.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/capture.sh"

log() { printf '[threats] %s\n' "$*" >&2; }

in_c() { ip netns exec "$NS_C" "$@"; }
in_s() { ip netns exec "$NS_S" "$@"; }

ns_up() {
  ns_down
  ip netns add "$NS_C" && ip netns add "$NS_S" || return 1
  ip link add nvpt-c0 netns "$NS_C" type veth peer name nvpt-s0 netns "$NS_S" || return 1
  local ns dev mac
  for ns in "$NS_C" "$NS_S"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
  done
  ip -n "$NS_C" link set nvpt-c0 address "$MAC_C"
  ip -n "$NS_S" link set nvpt-s0 address "$MAC_S"
  ip -n "$NS_C" addr add "$IP_C/24" dev nvpt-c0
  ip -n "$NS_S" addr add "$IP_S/24" dev nvpt-s0
  ip -n "$NS_S" addr add "$IP_EXT/32" dev nvpt-s0
  for ns in "$NS_C" "$NS_S"; do
    dev=nvpt-${ns#nvpt-}0
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" 2>/dev/null || true
    ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off gro off >/dev/null 2>&1 || true
    ip -n "$ns" link set "$dev" up
  done
  ip -n "$NS_C" route add "$IP_EXT/32" dev nvpt-c0
  ip -n "$NS_C" neigh replace "$IP_S" lladdr "$MAC_S" dev nvpt-c0 nud permanent
  ip -n "$NS_C" neigh replace "$IP_EXT" lladdr "$MAC_S" dev nvpt-c0 nud permanent
  ip -n "$NS_S" neigh replace "$IP_C" lladdr "$MAC_C" dev nvpt-s0 nud permanent
  in_c ping -c 1 -W 2 "$IP_S" >/dev/null || { log "the namespaces cannot reach each other"; return 1; }
}

ns_down() {
  ip netns del "$NS_C" 2>/dev/null || true
  ip netns del "$NS_S" 2>/dev/null || true
  return 0
}

# bg_s NAME CMD...: run CMD in the server namespace, in the background (own session), log in $WORK/NAME.log
bg_s() {
  local name=$1; shift
  setsid ip netns exec "$NS_S" "$@" >"$WORK/$name.log" 2>&1 </dev/null &
  LASTPID=$!
  PIDS+=("$LASTPID")
  echo "$LASTPID" >"$WORK/$name.pid"
}

# stop_pid PID: TERM its process group, KILL after 10 s
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_name() { [ -s "$WORK/$1.pid" ] && stop_pid "$(cat "$WORK/$1.pid")"; rm -f "$WORK/$1.pid"; }

stop_all() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  PIDS=()
}

# wait_s tcp|udp PORT: until something listens on PORT in the server namespace (30 s)
wait_s() {
  local flag=-ltnH i
  [ "$1" = udp ] && flag=-lunH
  for i in $(seq 1 150); do
    [ -n "$(in_s ss $flag "sport = :$2" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  log "timeout waiting for $1/$2 in $NS_S"; return 1
}

# cap_start NAME [FILTER]: tcpdump on the server's veth into $WORK/NAME.pcap
cap_start() {
  CAP_NAME=$1
  CAP_FILE=$WORK/$1.pcap
  rm -f "$CAP_FILE"
  tcpdump_start "$1" ip netns exec "$NS_S" tcpdump -i nvpt-s0 --immediate-mode -s 0 -U -n -Z root -w "$CAP_FILE" ${2:+"$2"}
}

# cap_stop: stop tcpdump, copy the capture to $OUT
cap_stop() {
  tcpdump_stop 0.5
  cp "$CAP_FILE" "$OUT/$CAP_NAME.pcap"
  chmod 644 "$OUT/$CAP_NAME.pcap"
  log "$CAP_NAME.pcap: $(stat -c %s "$OUT/$CAP_NAME.pcap") bytes"
}

# selfsigned DIR CN: DIR/cert.pem DIR/key.pem (RSA 2048, so TLS 1.0 clients can use it)
selfsigned() {
  mkdir -p "$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$2" \
    -addext "subjectAltName=DNS:$2,IP:$IP_S" -keyout "$1/key.pem" -out "$1/cert.pem" >/dev/null 2>&1
}
