#!/usr/bin/env bash
# The load test of issue 16: the province-scale data set, `smecluster serve` (gunicorn) on PostgreSQL, and
# locust's officers and visitors against it; prints the figures benchmarks/README.md records.
#
#   make load-test                      # a throwaway PostgreSQL, seeded from nothing (about half an hour)
#   DATABASE_URL=postgres://…/province SMECLUSTER_DATA_DIR=/var/tmp/province benchmarks/load/run.sh
#                                       # a database seeded before: the seed finds it done and goes on
#
# Settings (environment): LOAD_USERS (50), LOAD_WAIT ("1,4": each person's pause between steps, in
# seconds), LOAD_SPAWN_RATE (5 a second), LOAD_TIME (5m), LOAD_SCALE (1, the
# seed's volumes), SMECLUSTER_WEB_WORKERS (gunicorn's workers; 5 = 2 × cores + 1 here), LOAD_PORT (8765).
# The server is the production one with its production settings, except the second factor (which would
# need an authenticator per simulated officer) and the per-request access log (it would measure the disk).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?run under scripts/with-postgres or give DATABASE_URL (a database of its own)}"
export SMECLUSTER_DATA_DIR=${SMECLUSTER_DATA_DIR:-$(mktemp -d /tmp/smecluster-load.XXXXXX)}
export SMECLUSTER_SECRET_KEY=${SMECLUSTER_SECRET_KEY:-load-test-only-$(date +%s)}
export SMECLUSTER_TWO_FACTOR_ROLES=none SMECLUSTER_ACCESS_LOG=0 SMECLUSTER_LOG_LEVEL=ERROR
export SMECLUSTER_WEB_WORKERS=${SMECLUSTER_WEB_WORKERS:-5}
port=${LOAD_PORT:-8765}
export SMECLUSTER_BIND=127.0.0.1:$port
out=${LOAD_OUT:-$SMECLUSTER_DATA_DIR/load}
mkdir -p "$out"
python=${PYTHON:-.venv/bin/python}
bin=$(dirname "$python")

SMECLUSTER_DEBUG=1 "$python" benchmarks/province_seed.py --scale "${LOAD_SCALE:-1}" \
    --manifest "$SMECLUSTER_DATA_DIR/manifest.json"
"$bin/smecluster" serve >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 1
done
curl -fsS "http://127.0.0.1:$port/healthz" || { cat "$out/server.log"; exit 1; }
echo
before=$(cut -d' ' -f1-3 /proc/loadavg)
LOAD_WAIT=${LOAD_WAIT:-1,4} LOAD_MANIFEST="$SMECLUSTER_DATA_DIR/manifest.json" "$bin/locust" -f benchmarks/load/locustfile.py \
    --host "http://127.0.0.1:$port" --headless -u "${LOAD_USERS:-50}" -r "${LOAD_SPAWN_RATE:-5}" \
    -t "${LOAD_TIME:-5m}" --csv "$out/load" --only-summary --loglevel WARNING >"$out/locust.log" 2>&1 || true
after=$(cut -d' ' -f1-3 /proc/loadavg)
"$python" benchmarks/load/summary.py "$out/load_stats.csv" --load-before "$before" --load-after "$after" \
    --users "${LOAD_USERS:-50}" --workers "$SMECLUSTER_WEB_WORKERS" --wait "${LOAD_WAIT:-1,4}"
