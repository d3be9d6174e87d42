#!/bin/bash
# Alternates `trail add` of a new 1 GiB random file between trail binaries, with
# `openssl dgst -sha256` of the same file between them, so a slow spell of a shared machine
# lands on all of them; prints the min and median wall time of each.
#
#   bench/store/add_alternating.sh ROUNDS TRAIL_BIN [TRAIL_BIN...]
#
# Work files go to $TMPDIR (default /tmp)/trail-add-ab; the 1 GiB source is made once.
set -euo pipefail
rounds=$1
shift
bins=()
for b in "$@"; do [[ $b == */* ]] && bins+=("$(realpath "$b")") || bins+=("$b"); done
set -- "${bins[@]}"
work=${TMPDIR:-/tmp}/trail-add-ab
mkdir -p "$work"
src=$work/src.bin
[ -f "$src" ] || head -c $((1 << 30)) /dev/urandom > "$src"
declare -A times
for _ in $(seq "$rounds"); do
  for bin in "$@" openssl; do
    rm -rf "$work/r" && mkdir "$work/r" && cd "$work/r"
    git init -q -b main && git -c user.name=b -c user.email=b@example.org commit -q --allow-empty -m init
    if [ "$bin" = openssl ]; then
      sync; start=$(date +%s.%N); openssl dgst -sha256 "$src" > /dev/null; end=$(date +%s.%N)
    else
      "$bin" init --name b > /dev/null; cp "$src" model.bin; sync
      start=$(date +%s.%N); "$bin" add model.bin > /dev/null; end=$(date +%s.%N)
    fi
    times[$bin]="${times[$bin]:-} $(echo "$end - $start" | bc)"
  done
done
rm -rf "$work/r"
for bin in "$@" openssl; do
  echo "$bin: $(echo ${times[$bin]} | tr ' ' '\n' | sort -n |
    awk '{a[NR] = $1} END {printf "min %.3f median %.3f", a[1], a[int((NR + 1) / 2)]}')"
done
