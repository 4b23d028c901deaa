#!/usr/bin/env bash
# Runs the truongso benchmarks (see bench/README.md): `bench/run.sh --learners 200000 --backends sqlite`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release -p truongso-bench -- "$@"
