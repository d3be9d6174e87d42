#!/bin/bash
# trail model inspect (with checksums) and trail model diff on two large safetensors files,
# beside `cat A B > /dev/null` (the disk read floor), with peak RSS (GNU time).
#
#   bench/models/models_bench.sh [GIB]    # size of each file (default 5; needs 2*GIB free)
#
# Environment: TRAIL_BENCH_BUILD (build folder, default build/), TRAIL_BENCH_DIR (where the
# files go, default a fresh /tmp/trail-models-bench.XXXXXX, removed at the end unless
# TRAIL_BENCH_KEEP=1). Cold-cache figures need root (echo 3 > /proc/sys/vm/drop_caches); without
# it every figure is warm and the report says so.
set -euo pipefail
cd "$(dirname "$0")/../.."
GIB=${1:-5}
BUILD=${TRAIL_BENCH_BUILD:-build}
TRAIL=$PWD/$BUILD/trail
[ -x "$TRAIL" ] || { echo "build $TRAIL first: ninja -C $BUILD trail" >&2; exit 1; }
DIR=${TRAIL_BENCH_DIR:-$(mktemp -d /tmp/trail-models-bench.XXXXXX)}
[ "${TRAIL_BENCH_KEEP:-0}" = 1 ] || [ -n "${TRAIL_BENCH_DIR:-}" ] || trap 'rm -rf "$DIR"' EXIT
mkdir -p "$DIR"
A=$DIR/a.safetensors
B=$DIR/b.safetensors

echo "load: $(cat /proc/loadavg); $(nproc) cores; $(free -g | awk '/Mem:/ {print $2 " GiB RAM"}')"
if [ ! -s "$A" ] || [ ! -s "$B" ]; then
  t0=$(date +%s.%N)
  /usr/bin/python3 bench/models/make_large.py "$A" "$B" "$GIB"
  echo "generated 2 x $(du -h "$A" | cut -f1) in $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
BYTES_A=$(stat -c %s "$A")
BYTES_B=$(stat -c %s "$B")

cold=warm
[ -w /proc/sys/vm/drop_caches ] && cold=cold
drop() { if [ "$cold" = cold ]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi; }

# time_it LABEL CMD...: wall seconds and peak RSS (KiB) of one run, after dropping the cache.
time_it() {
  local label=$1; shift
  drop
  local out
  out=$( { /usr/bin/time -f '%e %M' "$@" > /dev/null; } 2>&1 | tail -1)
  local wall=${out% *} rss=${out#* }
  printf '%-34s %8.2f s  %8d KiB peak RSS  (%s)\n' "$label" "$wall" "$rss" "$cold" >&2
  echo "$wall $rss"
}

read -r cat_a _ < <(time_it "cat A > /dev/null" cat "$A")
read -r inspect inspect_rss < <(time_it "trail model inspect A (checksums)" "$TRAIL" model inspect "$A")
read -r cat_ab _ < <(time_it "cat A B > /dev/null" cat "$A" "$B")
read -r diff diff_rss < <(time_it "trail model diff A B" "$TRAIL" model diff "$A" "$B")
read -r nov nov_rss < <(time_it "trail model inspect --no-checksums" "$TRAIL" model inspect --no-checksums "$A")

mib() { echo "scale=0; $1 / 1048576" | bc; }
rate() { echo "scale=0; $1 / 1048576 / $2" | bc; }
echo
echo "files: 2 x $(mib "$BYTES_A") MiB ($DIR); caches: $cold"
printf 'inspect A:  %6.2f s (%s MiB/s) vs cat A    %6.2f s (%s MiB/s): ratio %.2f; peak RSS %d MiB\n' \
  "$inspect" "$(rate "$BYTES_A" "$inspect")" "$cat_a" "$(rate "$BYTES_A" "$cat_a")" \
  "$(echo "$inspect / $cat_a" | bc -l)" $((inspect_rss / 1024))
printf 'diff A B:   %6.2f s (%s MiB/s) vs cat A B  %6.2f s (%s MiB/s): ratio %.2f; peak RSS %d MiB\n' \
  "$diff" "$(rate $((BYTES_A + BYTES_B)) "$diff")" "$cat_ab" "$(rate $((BYTES_A + BYTES_B)) "$cat_ab")" \
  "$(echo "$diff / $cat_ab" | bc -l)" $((diff_rss / 1024))
printf 'inspect --no-checksums: %.2f s, peak RSS %d MiB\n' "$nov" $((nov_rss / 1024))
echo "load after: $(cat /proc/loadavg)"
