#!/bin/bash
# trail model diff A B beside `cat A B > /dev/null`, cold and warm cache, repeated; prints each
# run and the medians of diff ÷ cat. Two binaries (a baseline and a candidate) are timed
# alternately in every round, so a loaded machine's swings hit both alike.
#
#   bench/models/diff_ratio.sh A B ROUNDS TRAIL [TRAIL_BASE]
#
# A, B: two models (bench/models/make_large.py writes two safetensors files); cold figures need
# root (echo 3 > /proc/sys/vm/drop_caches), else only warm ones are taken.
set -euo pipefail
A=$1 B=$2 ROUNDS=$3
BINS=("$4")
[ -n "${5:-}" ] && BINS+=("$5")
can_drop=0
[ -w /proc/sys/vm/drop_caches ] && can_drop=1
modes=(warm)
[ $can_drop = 1 ] && modes=(cold warm)

# wall seconds of one command, its output discarded
wall() { /usr/bin/time -f '%e %M' "$@" 2>&1 > /dev/null | tail -1; }
prepare() {  # cold: drop the page cache; warm: read both files once
  if [ "$1" = cold ]; then sync; echo 3 > /proc/sys/vm/drop_caches; else cat "$A" "$B" > /dev/null; fi
}
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

echo "load: $(cat /proc/loadavg); $(nproc) cores; files $(du -h "$A" | cut -f1) + $(du -h "$B" | cut -f1)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for mode in "${modes[@]}"; do
  for round in $(seq "$ROUNDS"); do
    prepare "$mode"
    read -r cat_s _ < <(wall cat "$A" "$B")
    for i in "${!BINS[@]}"; do
      prepare "$mode"
      read -r diff_s rss < <(wall "${BINS[$i]}" model diff "$A" "$B")
      ratio=$(echo "$diff_s / $cat_s" | bc -l)
      printf '%s round %d  %-40s cat %6.2f s  diff %6.2f s  ratio %5.2f  peak RSS %d MiB\n' "$mode" "$round" \
        "${BINS[$i]}" "$cat_s" "$diff_s" "$ratio" $((rss / 1024))
      echo "$mode $i $ratio $diff_s $cat_s $rss" >> "$out"
    done
  done
done
echo
for mode in "${modes[@]}"; do
  for i in "${!BINS[@]}"; do
    r=$(awk -v m="$mode" -v b="$i" '$1 == m && $2 == b {print $3}' "$out" | median)
    d=$(awk -v m="$mode" -v b="$i" '$1 == m && $2 == b {print $4}' "$out" | median)
    c=$(awk -v m="$mode" -v b="$i" '$1 == m && $2 == b {print $5}' "$out" | median)
    printf 'median %s %-40s diff %6.2f s  cat %6.2f s  diff/cat %5.2f  (%d rounds)\n' "$mode" "${BINS[$i]}" "$d" "$c" "$r" "$ROUNDS"
  done
done
echo "load after: $(cat /proc/loadavg)"
