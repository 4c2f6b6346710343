#!/usr/bin/env bash
# CI smoke of the benchmark tools (a few seconds, so they do not rot; the
# numbers in docs/benchmarks.md come from bench/compare.sh): the release
# iam-emulator on a free loopback port, iam-loadgen's setup and three
# workloads for ~1.5 s each (bounded by time and by a request cap), one
# start-up measurement. Fails on any request error.
#
#   bash bench/smoke.sh [IAM_EMULATOR_BIN] [IAM_LOADGEN_BIN]
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-target}"
EMU=${1:-$target_dir/release/iam-emulator}
LOADGEN=${2:-$target_dir/release/iam-loadgen}

work=$(mktemp -d -t iam-bench-smoke.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$EMU" serve --listen 127.0.0.1:0 >"$work/emu.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 200); do
  port=$(sed -n 's#^iam-emulator listening on http://127.0.0.1:\([0-9]*\)$#\1#p' "$work/emu.log")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$work/emu.log" >&2; exit 1; }

timeout 60 "$LOADGEN" run --endpoint "http://127.0.0.1:$port" --list-keys 1000 \
  --workload sts-caller-identity,iam-getuser,s3-put-1k,s3-get-1k,s3-list-10k,denied \
  --concurrency 8 --duration 1 --warmup 0.2 --requests 50000 \
  --label smoke --server-pid "$pid" --json "$work/results.jsonl" --fail-on-errors
timeout 60 "$LOADGEN" startup --runs 2 --label smoke -- "$EMU" serve --listen '127.0.0.1:{port}'
echo "bench smoke: 6 workloads and start-up measured, no errors"
