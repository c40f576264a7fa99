#!/usr/bin/env bash
# Regenerate every packet-capture fixture in test/fixtures/captures/ (see its README.md):
#   1. scripts/fixtures/debian.sh       real Debian servers + clients  -> manifest-debian.yaml
#   2. scripts/fixtures/npm-clients.sh  npm client libraries (if present) -> manifest-npm.yaml
# Needs root (tcpdump on lo, network namespaces), apt (Debian bookworm) and the npm registry.
# Loopback only; every daemon a step starts is stopped by pid when it ends. Re-runnable.
#   NVP_FIXTURES_NO_APT=1  never run apt-get in the Debian step (packages already installed)
#   NVP_FIXTURES_KEEP=1    keep the Debian step's work folder (configs, daemon logs)
# Exit status: non-zero when a step (or one of the Debian groups) failed; the others still run.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
rc=0
echo "### debian servers and clients" >&2
bash "$ROOT/scripts/fixtures/debian.sh" || rc=1
if [ -f "$ROOT/scripts/fixtures/npm-clients.sh" ]; then
  echo "### npm clients" >&2
  bash "$ROOT/scripts/fixtures/npm-clients.sh" || rc=1
fi
du -sh "$ROOT/test/fixtures/captures" >&2
exit $rc
