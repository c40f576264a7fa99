#!/usr/bin/env bash
# Regenerate the threat-detection captures in test/fixtures/threats/ (listed, with the threat events
# each must raise, in test/fixtures/threats/manifest.yaml; docs/threat-fixtures.md describes them).
#
#   scripts/threat-fixtures.sh                  # everything (needs root)
#   scripts/threat-fixtures.sh crafted dns      # only these groups; other files are left alone
#   scripts/threat-fixtures.sh --list           # the groups
#   NVP_THREATS_NO_APT=1 ...                    # never run apt-get (packages already installed)
#   NVP_THREATS_KEEP=1 ...                      # keep the work folder (server configs and logs)
#
# Two kinds of captures:
#   crafted  scripts/threats/craft.py writes them with scapy: fixed addresses, timestamps and seeds,
#            so they come out byte-identical on every run (raw IPv4 link type).
#   real     Debian servers in a network namespace at 10.0.0.10 and clients in one at 10.0.0.9,
#            joined by a veth pair and recorded there with tcpdump (Ethernet link type); the
#            addresses are fixed, ports, sequence numbers and times are not.
# Needs root (namespaces, tcpdump, raw sockets), Debian bookworm packages (installed when missing).
# Every process a group starts is stopped by pid when the group ends; the namespaces are removed.
# Exit status: non-zero when a group failed or scripts/threats/check.py finds a capture wrong.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/scripts/threats
OUT=$ROOT/test/fixtures/threats
export ROOT HERE OUT
# shellcheck source=threats/lib.sh
. "$HERE/lib.sh"
# shellcheck source=threats/real.sh
. "$HERE/real.sh"

GROUPS_ALL=(crafted icmp tcp http tls dns mysql postgresql ssh)
PKGS="python3-scapy tcpdump iproute2 ethtool iputils-ping hping3 curl openssl nginx-light bind9 bind9-utils
  bind9-dnsutils mariadb-server mariadb-client postgresql-15 postgresql-client-15 openssh-server openssh-client"

if [ "${1:-}" = --list ]; then printf '%s\n' "${GROUPS_ALL[@]}"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "threat-fixtures.sh: needs root (network namespaces, tcpdump)" >&2; exit 1; }
SEL=("$@")
[ ${#SEL[@]} -eq 0 ] && SEL=("${GROUPS_ALL[@]}")

if [ -z "${NVP_THREATS_NO_APT:-}" ]; then
  missing=()
  for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    # policy-rc.d keeps package scripts from starting the services
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d; CREATED_POLICY=1; fi
    apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
      --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || log "could not install some of: ${missing[*]}"
    [ -n "${CREATED_POLICY:-}" ] && rm -f /usr/sbin/policy-rc.d
  fi
fi

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/nvp-threats.XXXXXX)
chmod 755 "$WORK"
export WORK
cleanup() {
  ns_down
  if [ -n "${NVP_THREATS_KEEP:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

declare -A RESULT
for g in "${SEL[@]}"; do
  log "=== $g"
  if [ "$g" = crafted ]; then
    $PY "$HERE/craft.py" "$OUT" && RESULT[$g]=ok || RESULT[$g]=FAILED
    continue
  fi
  if ! declare -F "group_$g" >/dev/null; then log "unknown group $g (see --list)"; RESULT[$g]=unknown; continue; fi
  (
    set -e
    trap 'stop_all; ns_down' EXIT
    mkdir -p "$WORK/$g"
    WORK=$WORK/$g
    ns_up
    "group_$g"
  )
  rc=$?
  if [ $rc -eq 0 ]; then RESULT[$g]=ok; else RESULT[$g]="FAILED (exit $rc; NVP_THREATS_KEEP=1 keeps the logs)"; fi
done

fail=0
$PY "$HERE/check.py" "$OUT" || fail=1
log "--- summary"
for g in "${SEL[@]}"; do
  log "  $g: ${RESULT[$g]}"
  [ "${RESULT[$g]}" = ok ] || fail=1
done
du -sh "$OUT" >&2
exit $fail
