# shellcheck shell=bash
# The tcpdump start/stop both capture libraries share (scripts/fixtures/debian/lib.sh and
# scripts/threats/lib.sh; each sources this file). Needs from the sourcing library: $WORK, the
# PIDS array and stop_pid.

# tcpdump_start NAME CMD...: run the tcpdump command line CMD in the background (own session),
# its output in $WORK/NAME.tcpdump.log, its pid in CAP_PID and PIDS; return once it listens.
tcpdump_start() {
  local name=$1; shift
  setsid "$@" >"$WORK/$name.tcpdump.log" 2>&1 </dev/null &
  CAP_PID=$!
  PIDS+=("$CAP_PID")
  local i
  for i in $(seq 1 50); do grep -qs 'listening on' "$WORK/$name.tcpdump.log" && break; sleep 0.1; done
  sleep 0.3
}

# tcpdump_stop SECONDS: let the last packets in for SECONDS, then stop tcpdump (SIGINT, so it
# flushes its file) and wait for it to end.
tcpdump_stop() {
  sleep "$1"
  kill -INT "$CAP_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 50); do kill -0 "$CAP_PID" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$CAP_PID"
}
