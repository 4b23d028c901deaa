#!/usr/bin/env bash
# The JSON API fuzzed from its own OpenAPI document with schemathesis: requests generated from
# the schema (coverage and fuzzing phases, and stateful chains along the document's links),
# as a school principal and as a department officer, against a seeded server. The bar: no 5xx
# answer, no dropped connection, no panic in the server's log.
# Usage: .ci/schemathesis.sh path/to/truongso
set -euo pipefail
bin="$1"
budget="${SCHEMATHESIS_SECONDS:-120}"
work="$(mktemp -d)"
port=18190
url="http://127.0.0.1:$port"
db="sqlite://$work/fuzz.sqlite"
command -v st >/dev/null || python3 -m pip install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
"$bin" seed --database "$db" --learners 1500 --accounts-json "$work/accounts.json" >/dev/null 2>&1
"$bin" serve --database "$db" --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 1; done
token() { "$bin" token create --database "$db" --user "$1" --name schemathesis --days 1 2>/dev/null; }
fuzz() {
  local who="$1"; shift
  echo "--- schemathesis as $who"
  st run "$url/api/v1/openapi.json" --url "$url" \
    -H "Authorization: Bearer $(token "$who")" \
    --checks not_a_server_error \
    --phases coverage,fuzzing,stateful \
    --max-time "$budget" --workers 2 --request-timeout 30 \
    --seed 20261208 --warnings off "$@"
}
# Revoking tokens and resetting passwords would end the fuzzer's own access mid-run: those
# operations run last, with an account of their own.
fuzz hieutruong.51200001 --exclude-path '/api/v1/tokens/{id}' --exclude-path '/api/v1/users/{id}/reset-password'
fuzz so.quangngai --exclude-path '/api/v1/tokens/{id}' --exclude-path '/api/v1/users/{id}/reset-password'
fuzz quantri.51200001 --include-path '/api/v1/tokens/{id}' --include-path '/api/v1/users/{id}/reset-password'
kill -0 "$server" || { echo "the server died:"; tail -50 "$work/server.log"; exit 1; }
if grep -q "request panicked" "$work/server.log"; then
  echo "the server panicked:"; grep -A3 "request panicked" "$work/server.log" | head -40; exit 1
fi
echo "schemathesis: no server error, no dropped connection"
