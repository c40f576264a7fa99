#!/usr/bin/env bash
# `npm start`: the main job on the shipped example (seed 001's orders service, DEV -> QA -> PROD).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/cli/main.js ] || npm run build --silent
nvp() { node bin/nvp.js "$@"; }
ex=examples/shop

echo "== nvp check $ex/shop.nvp (PROD parameters)"
nvp check "$ex/shop.nvp" --set ns=shop --set db=prod-db --set mode=protect

echo
echo "== nvp test examples (every example policy, every variant)"
nvp test examples

echo
echo "== nvp compile (PROD) -> build/policy.wasm, then nvp inspect"
mkdir -p build
nvp compile "$ex/shop.nvp" --set ns=shop --set db=prod-db --set mode=protect -o build/policy.wasm
nvp inspect build/policy.wasm

echo
echo "== nvp explain: may orders in PROD reach the managed database?"
nvp explain "$ex/shop.nvp" --set ns=shop --set db=prod-db --set mode=protect \
  --inventory "$ex/inventory-prod.yaml" --dns orders-db.prod.example.com=10.40.12.7 \
  --from 10.3.0.31 --to 10.40.12.7 --port tcp/5432 --app postgresql

echo
echo "== nvp replay: real PostgreSQL and Redis sessions through a lab policy (exit 3 = something was denied)"
nvp compile examples/lab/lab.nvp -o build/lab.wasm
status=0
nvp replay --module build/lab.wasm --inventory examples/lab/inventory.yaml \
  test/fixtures/captures/postgresql.pcap test/fixtures/captures/redis.pcap --events build/lab-events.ndjson || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 3 ]
echo "events written to build/lab-events.ndjson"

echo
echo "== nvp learn: seed 001's DEV capture -> build/orders.nvp (docs/workflow.md); the PROD capture through it"
nvp learn --inventory examples/migration/inventory-dev.yaml --param namespace --lock-ports --name orders \
  examples/migration/dev.pcap -o build/orders.nvp
grep '^rule' build/orders.nvp
nvp replay --policy build/orders.nvp --policy examples/migration/prod-db.nvp --set ns=shop --set postgres=prod-db \
  --set mode=protect --inventory examples/migration/inventory-prod.yaml examples/migration/prod.pcap

echo
echo "== nvp replay: attacks through the engine's threat detections (exit 4 = a threat was reported)"
status=0
nvp replay --policy examples/threats/threats.nvp --inventory examples/threats/inventory.yaml \
  test/fixtures/threats/sql-injection-mysql.pcap test/fixtures/threats/dns-axfr.pcap \
  test/fixtures/threats/ssl-heartbleed.pcap --fail-on-threat --events build/threat-events.ndjson || status=$?
[ "$status" -eq 4 ]
echo "threat events written to build/threat-events.ndjson"
