#!/usr/bin/env bash
# Runs tests again and again with the other cores kept busy, to flush out flaky concurrency:
#   scripts/stress.sh [N] [pytest args...]
# Default: 20 rounds of the concurrency and crash tests. Stops at the first failing round.
# Uses build/trail as it is (run scripts/build.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-20}
shift || true
[ $# -gt 0 ] || set -- tests/integration/test_concurrency.py tests/integration/test_crash.py
busy=()
for _ in $(seq "$(nproc)"); do
  (while :; do :; done) &
  busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT
for i in $(seq "$rounds"); do
  if ! /usr/bin/python3 -m pytest -q -p no:cacheprovider -x "$@" >/tmp/trail-stress.$$.log 2>&1; then
    echo "stress: round $i of $rounds failed:"
    tail -n 40 /tmp/trail-stress.$$.log
    exit 1
  fi
  echo "stress: round $i of $rounds: $(tail -n 1 /tmp/trail-stress.$$.log)"
done
rm -f /tmp/trail-stress.$$.log
echo "stress: $rounds rounds passed"
