#!/usr/bin/env bash
# Browser tests of the truongso pages (headless Chromium via playwright-core).
# Assumes the server is already running at TRUONGSO_URL (default http://127.0.0.1:8080) and
# Debian's chromium at /usr/bin/chromium (override with CHROMIUM_PATH).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
# Every *.test.mjs here (admission, browse, dx, gradebook, imports, quality, statistics, targets), one
# file after another: they share the demo database and count its records.
exec node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs
