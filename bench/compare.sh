#!/usr/bin/env bash
# Side by side: the release iam-emulator, moto's server (without and with
# auth enforcement) and fakecloud (only when a `fakecloud` binary is on
# PATH), the same workloads with the same client settings; start-up time
# over STARTUP_RUNS spawns; idle RSS and RSS after 10 000 users and 10 000
# objects; a wrk cross-check replaying presigned GETs when wrk is installed
# (every round, like the iam-loadgen runs).
# Results: $OUT/results.jsonl and $OUT/table.md (docs/benchmarks.md).
#
# ROUNDS repeats every target's workloads that many times, the targets taking
# turns (A B A B …, each on a fresh server), and the table shows each
# workload's median round: two servers this close to the kernel's limits
# (1 MiB bodies over loopback) differ by less than one run's noise.
#
# Everything stays on 127.0.0.1, every load is bounded by DURATION and by a
# request cap, and every process started here is stopped on exit.
#
# BASE_EMU=PATH adds the target iam-emulator-base: another build of the
# emulator (say, the commit before a refactor) measured side by side, its
# ratio in the table's "× iam-emulator-base" column.
#
#   bash bench/compare.sh                     # the full run (about 3 minutes)
#   DURATION=1 STARTUP_RUNS=3 TARGETS=iam-emulator bash bench/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-3}             # seconds per workload and target
ROUNDS=${ROUNDS:-1}                 # the targets take turns this many times
WRK_WORKLOADS=${WRK_WORKLOADS:-sts-caller-identity s3-get-1k s3-get-1m}  # replayed presigned by wrk too
WRK_THREADS=${WRK_THREADS:-2}       # wrk's threads (it is lighter than iam-loadgen)
WARMUP=${WARMUP:-0.3}               # unrecorded seconds before each
CONCURRENCY=${CONCURRENCY:-32}      # connections, for every target alike
MAX_REQUESTS=${MAX_REQUESTS:-2000000}
STARTUP_RUNS=${STARTUP_RUNS:-20}
FOOTPRINT_USERS=${FOOTPRINT_USERS:-10000}
LIST_KEYS=10000                     # the ListObjectsV2 bucket = the 10 000 objects of the footprint
WORKLOADS=${WORKLOADS:-sts-caller-identity,iam-getuser,iam-mix,s3-put-1k,s3-get-1k,s3-put-1m,s3-get-1m,s3-list-10k,denied}
TARGETS=${TARGETS:-iam-emulator moto moto-auth fakecloud}
OUT=${OUT:-target/bench}
ROOT_KEY=AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
FAKECLOUD_ARGS=${FAKECLOUD_ARGS:---verify-sigv4 --iam strict}
# fakecloud verifies signatures of every key but its reserved root `test`/`test`
# (its --help: "The reserved test/test root identity always bypasses verification").
FAKECLOUD_ROOT_KEY=${FAKECLOUD_ROOT_KEY:-test:test}

work=$(mktemp -d -t iam-bench.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*" >&2; }

if [ -z "${SKIP_BUILD:-}" ]; then
  say "building the release iam-emulator and iam-loadgen"
  cargo build --release -q -p iam-emulator -p iam-bench
fi
target_dir="${CARGO_TARGET_DIR:-target}"
EMU="$target_dir/release/iam-emulator"
LOADGEN="$target_dir/release/iam-loadgen"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

# moto: installed from PyPI when missing; the real interpreter (not a
# shim) runs it, so the pid we hold is the server's own.
PY=""
if [[ " $TARGETS " == *" moto"* ]]; then
  if ! python3 -c 'import moto.server, flask, flask_cors' 2>/dev/null; then
    say "installing moto[server]"
    python3 -m pip install --quiet --disable-pip-version-check 'moto[server]' || true
  fi
  if python3 -c 'import moto.server, flask, flask_cors' 2>/dev/null; then
    PY=$(python3 -c 'import sys; print(sys.executable)')
    echo "moto $("$PY" -c 'import moto; print(moto.__version__)')" >&2
  else
    echo "moto: not available, skipped" >&2
  fi
fi

free_port() {
  "$LOADGEN" free-port 2>/dev/null || python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() { # PORT SECONDS
  local i
  for i in $(seq $(($2 * 20))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# start_server NAME: sets PID and PORT.
start_server() {
  local name=$1 log="$work/$1.log"
  case "$name" in
    iam-emulator | iam-emulator-base)
      local bin=$EMU
      [ "$name" = iam-emulator-base ] && bin=$BASE_EMU
      "$bin" serve --listen 127.0.0.1:0 >"$log" 2>&1 &
      PID=$!
      pids+=("$PID")
      PORT=""
      for _ in $(seq 200); do
        PORT=$(sed -n 's#^iam-emulator listening on http://127.0.0.1:\([0-9]*\)$#\1#p' "$log")
        [ -n "$PORT" ] && break
        sleep 0.05
      done
      ;;
    moto | moto-auth)
      PORT=$(free_port)
      if [ "$name" = moto-auth ]; then
        INITIAL_NO_AUTH_ACTION_COUNT=0 "$PY" -m moto.server -H 127.0.0.1 -p "$PORT" >"$log" 2>&1 &
      else
        "$PY" -m moto.server -H 127.0.0.1 -p "$PORT" >"$log" 2>&1 &
      fi
      PID=$!
      pids+=("$PID")
      ;;
    fakecloud)
      PORT=$(free_port)
      # shellcheck disable=SC2086
      fakecloud --addr "127.0.0.1:$PORT" $FAKECLOUD_ARGS >"$log" 2>&1 &
      PID=$!
      pids+=("$PID")
      ;;
  esac
  if [ -z "$PORT" ] || ! wait_port "$PORT" 30; then
    echo "$name did not start; its log:" >&2
    cat "$log" >&2
    return 1
  fi
}

stop_server() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

targets=()
for t in $TARGETS; do
  case "$t" in
    iam-emulator) targets+=("$t") ;;
    iam-emulator-base)
      if [ -x "${BASE_EMU:-}" ]; then targets+=("$t"); else echo "iam-emulator-base: BASE_EMU is not an executable, skipped" >&2; fi
      ;;
    moto | moto-auth) [ -n "$PY" ] && targets+=("$t") ;;
    fakecloud)
      if command -v fakecloud >/dev/null 2>&1; then targets+=("$t"); else echo "fakecloud: not on PATH, skipped" >&2; fi
      ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
done

started_at=$(date +%s)
for round in $(seq "$ROUNDS"); do
for t in "${targets[@]}"; do
  say "$t (round $round of $ROUNDS)"
  start_server "$t"
  endpoint="http://127.0.0.1:$PORT"
  root=$ROOT_KEY
  [ "$t" = fakecloud ] && root=$FAKECLOUD_ROOT_KEY
  sleep 0.5
  idle=$(rss_kib "$PID")
  setup_flags=(--list-keys "$LIST_KEYS")
  wl=$WORKLOADS
  case "$t" in
    # Without enforcement moto allows everything: nothing to deny.
    moto) wl=$(echo "$wl" | tr ',' '\n' | grep -vx denied | paste -sd, -) ;;
    # moto's listing cost is measured without auth (its 10 000-key bucket
    # takes ~16 s to fill); with auth everything else is measured again.
    moto-auth)
      setup_flags=(--list-keys 0 --enforce-after-setup)
      wl=$(echo "$wl" | tr ',' '\n' | grep -vx s3-list-10k | paste -sd, -)
      ;;
  esac
  "$LOADGEN" setup --endpoint "$endpoint" --root-key "$root" --state "$work/$t.state" "${setup_flags[@]}"
  if [ "$t" != moto-auth ] && [ "$round" = 1 ]; then
    # The footprint: the 10 000 objects are the list bucket's, plus these users.
    "$LOADGEN" populate --endpoint "$endpoint" --root-key "$root" --users "$FOOTPRINT_USERS" --objects 0 \
      --server-pid "$PID" --label "$t" --json "$work/populate.jsonl" >&2
    printf '{"target":"%s","kind":"footprint","idle_rss_kib":%s,"loaded_rss_kib":%s,"users":%s,"objects":%s}\n' \
      "$t" "$idle" "$(rss_kib "$PID")" "$FOOTPRINT_USERS" "$LIST_KEYS" >>"$RESULTS"
  fi
  "$LOADGEN" run --endpoint "$endpoint" --state "$work/$t.state" --workload "$wl" \
    --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" --requests "$MAX_REQUESTS" \
    --label "$t" --json "$RESULTS" --server-pid "$PID"
  # wrk cross-check: the same GETs presigned, replayed by wrk (WRK_THREADS
  # threads, the same connections), so a slow load generator would show.
  if command -v wrk >/dev/null 2>&1 && [ "$t" != moto-auth ]; then
    for w in $WRK_WORKLOADS; do
      [[ ",$wl," == *",$w,"* ]] || continue
      url=$("$LOADGEN" presign --endpoint "$endpoint" --state "$work/$t.state" --workload "$w")
      secs=$(printf '%.0f' "$DURATION")
      [ "$secs" -lt 1 ] && secs=1
      out=$(timeout $((secs + 30)) wrk -t"$WRK_THREADS" -c"$CONCURRENCY" -d"${secs}s" --latency "$url" 2>&1 || true)
      rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
      p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
      p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
      non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
      printf '%-16s %-20s wrk (presigned)  %9s req/s  p50 %s  p99 %s  non-2xx %s\n' "$t" "$w" "${rps:-?}" "${p50:-?}" "${p99:-?}" "${non2xx:-0}"
      printf '{"target":"%s","kind":"wrk","workload":"%s","rps":%s,"p50":"%s","p99":"%s","non2xx":%s}\n' \
        "$t" "$w" "${rps:-0}" "${p50:-}" "${p99:-}" "${non2xx:-0}" >>"$RESULTS"
    done
  fi
  stop_server "$PID"
done
done

say "start-up: spawn -> first successful signed request, $STARTUP_RUNS runs each"
"$LOADGEN" startup --runs "$STARTUP_RUNS" --label iam-emulator --json "$RESULTS" -- "$EMU" serve --listen '127.0.0.1:{port}'
if [[ " ${targets[*]} " == *" iam-emulator-base "* ]]; then
  "$LOADGEN" startup --runs "$STARTUP_RUNS" --label iam-emulator-base --json "$RESULTS" -- "$BASE_EMU" serve --listen '127.0.0.1:{port}'
fi
if [ -n "$PY" ]; then
  "$LOADGEN" startup --runs "$STARTUP_RUNS" --label moto --json "$RESULTS" -- "$PY" -m moto.server -H 127.0.0.1 -p '{port}'
fi
if [[ " ${targets[*]} " == *" fakecloud "* ]]; then
  # shellcheck disable=SC2086
  "$LOADGEN" startup --runs "$STARTUP_RUNS" --label fakecloud --root-key "$FAKECLOUD_ROOT_KEY" --json "$RESULTS" \
    -- fakecloud --addr '127.0.0.1:{port}' $FAKECLOUD_ARGS
fi

say "results (${DURATION}s per workload, $ROUNDS round(s), $CONCURRENCY connections, $(($(date +%s) - started_at))s in all)"
python3 bench/table.py "$RESULTS" | tee "$OUT/table.md"
