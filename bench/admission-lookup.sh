#!/usr/bin/env bash
# Scenario admission (a): the results lookup with 1,000 concurrent connections over N published
# candidates, against the same server's trivial route /healthz/live (its HTTP ceiling), in the
# same run; on the main server (SQLite) and on `serve-results` (snapshot, no database).
#   bench/admission-lookup.sh [APPLICANTS=1000000] [DURATION=20s]
# Needs wrk (installed with apt-get when missing). The lookup's rate limit is raised through a
# settings file ([admission.lookup] per_minute), not in code.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DURATION=${2:-20s}
CONNECTIONS=${CONNECTIONS:-1000}
THREADS=${THREADS:-2}
WORK=${WORK:-$(mktemp -d)}
command -v wrk >/dev/null || apt-get install -y wrk
cargo build --release -p truongso
BIN=${CARGO_TARGET_DIR:-target}/release/truongso
DB="sqlite://$WORK/admission.sqlite"
cat > "$WORK/settings.toml" <<TOML
[admission.lookup]
per_minute = 100000000
misses_per_hour = 100000000
TOML
if [ ! -f "$WORK/admission.sqlite" ]; then
  /usr/bin/time -f "seed: %e s, %M KB" "$BIN" --config "$WORK/settings.toml" seed --database "$DB" --learners 20000 --no-marks --applicants "$N" > "$WORK/campaign"
fi
CAMPAIGN=$(tail -1 "$WORK/campaign")
/usr/bin/time -f "snapshot: %e s" "$BIN" admission snapshot --database "$DB" --campaign "$CAMPAIGN" --out "$WORK/results.jsonl"
# 100,000 random existing pairs for the Lua script.
tail -n +2 "$WORK/results.jsonl" | shuf -n 100000 --random-source=<(yes) \
  | python3 -c 'import json,sys
for l in sys.stdin:
    r=json.loads(l); print(r.get("candidate_number") or r["tracking_code"], r["birth_date"])' > "$WORK/pairs.txt"
ulimit -n 65536 2>/dev/null || true
measure() { # name port
  local name=$1 port=$2
  # Wait until it answers (serve-results loads its snapshot first).
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz/live" >/dev/null && break; sleep 1; done
  # Warm up: the main server loads the campaign's index on first use.
  curl -s "http://127.0.0.1:$port/api/v1/public/admission/results?campaign_id=$CAMPAIGN&number=1&birth_date=2010-01-01" >/dev/null
  echo "== $name: trivial route /healthz/live"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/healthz/live" | tee "$WORK/$name-live.txt"
  echo "== $name: lookup"
  PAIRS_FILE="$WORK/pairs.txt" CAMPAIGN_ID=$CAMPAIGN wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/lookup.lua "http://127.0.0.1:$port/" | tee "$WORK/$name-lookup.txt"
}
"$BIN" --config "$WORK/settings.toml" serve --database "$DB" --bind 127.0.0.1:18180 > "$WORK/serve.log" 2>&1 &
SERVER=$!
measure main 18180
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
"$BIN" --config "$WORK/settings.toml" serve-results --snapshot "$WORK/results.jsonl" --bind 127.0.0.1:18181 > "$WORK/serve-results.log" 2>&1 &
SERVER=$!
measure snapshot 18181
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
for name in main snapshot; do
  live=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name-live.txt")
  look=$(awk '/Requests\/sec/ {print $2}' "$WORK/$name-lookup.txt")
  echo "$name: lookup $look req/s, trivial route $live req/s, ratio $(python3 -c "print(round($look/$live,2))")"
done
echo "results in $WORK"
