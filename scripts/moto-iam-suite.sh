#!/usr/bin/env bash
# Runs moto's own IAM test suite (tests/test_iam from moto's source
# distribution on PyPI) against an iam-emulator, in moto's server mode:
# moto's `mock_aws` then sends every boto3 call to TEST_SERVER_MODE_ENDPOINT
# and resets state through POST /moto-api/reset, which the emulator serves.
#
# Not run by CI: it downloads moto's sources into a temporary folder (never
# the repo) and prints pytest's summary, one line per failing test with its
# first error line, for a person to sort (missing operation / behaviour AWS
# agrees with us on / our bug).
#
# Usage: scripts/moto-iam-suite.sh [MOTO_VERSION] [extra pytest args...]
#   MOTO_VERSION defaults to the installed moto (pip), else 5.2.1.
#   IAM_EMULATOR_BIN: the binary (default target/release/iam-emulator).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:-$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo 5.2.1)}"
shift || true
bin="${IAM_EMULATOR_BIN:-$root/target/release/iam-emulator}"
[ -x "$bin" ] || { echo "no $bin: cargo build --release -p iam-emulator" >&2; exit 2; }

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

python3 -m pip download --quiet --no-binary :all: --no-deps "moto==$version" -d "$work" >&2
tar xzf "$work"/moto-*.tar.gz -C "$work"
src="$(echo "$work"/moto-*/)"
# The suite imports moto's test helpers from its own tree; the moto that
# runs it (mock_aws in server mode) is the installed one, of the same version.
python3 -m pip install --quiet "moto==$version" pytest freezegun >&2

# --auth off: moto's tests sign with made-up keys ("FOOBARKEY"), which
# every account accepts then; the default account is moto's 123456789012.
"$bin" serve --listen 127.0.0.1:0 --auth off > "$work/serve.out" 2> "$work/serve.err" &
server=$!
for _ in $(seq 100); do
    grep -q "listening on" "$work/serve.out" 2>/dev/null && break
    sleep 0.1
done
endpoint="$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -1)"
[ -n "$endpoint" ] || { cat "$work/serve.err" >&2; exit 2; }
echo "moto $version's tests/test_iam against $endpoint" >&2

cd "$src"
TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT="$endpoint" \
AWS_ACCESS_KEY_ID=FOOBARKEY AWS_SECRET_ACCESS_KEY=FOOBARSECRET AWS_DEFAULT_REGION=us-east-1 \
    python3 -m pytest -q -p no:cacheprovider tests/test_iam -rf --tb=line "$@" || true
