#!/usr/bin/env bash
# The cost of `trail reproduce` beyond the training itself, with a 1 GiB data input (issue 15):
# worktree of the code snapshot, restore of the data from the store, environment check, the
# second run's recording and the comparison. Side by side with what Git (and a DVC-like cache
# copy) take for the same job by hand:
#   git worktree add     the code alone (what trail's worktree step does)
#   cp of 1 GiB          `dvc checkout`'s default: a copy out of its cache
#   git worktree add     with the 1 GiB file committed in Git (no data tool at all)
#
# Usage: bench/reproduce/reproduce_bench.sh [TRAIL_BIN]   (default build/trail)
# Environment: TRAIL_BENCH_MIB=N data size in MiB (default 1024); TRAIL_BENCH_KEEP=1 keeps /tmp.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRAIL=${1:-$ROOT/build/trail}
MIB=${TRAIL_BENCH_MIB:-1024}
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/trail-bench-reproduce.XXXXXX)
[ -n "${TRAIL_BENCH_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
secs() { $PY -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

repo=$WORK/project
mkdir -p "$repo/data" && cd "$repo"
git init -q -b main && git config user.name bench && git config user.email bench@example.com
cat > train.py <<'PY'
# A stand-in for training: reads its data input's size, reports two metrics.
import json, os, sys
size = os.path.getsize(sys.argv[1])
with open(os.environ["TRAIL_METRICS"], "a") as f:
    f.write(json.dumps({"step": 1, "loss": 0.5, "bytes": size}) + "\n")
PY
git add train.py && git commit -qm init
"$TRAIL" init --name bench >/dev/null
echo "reproduce bench: writing $MIB MiB of incompressible data" >&2
head -c "$((MIB * 1024 * 1024))" /dev/urandom > data/big.bin
"$TRAIL" add data/big.bin >/dev/null
git add -A && git commit -qm "track data" >/dev/null
"$TRAIL" run --data train=data/big.bin -- $PY train.py data/big.bin >/dev/null 2>&1
id=$("$TRAIL" ls --limit 1 --format csv --columns id | tail -n 1)

sync; t0=$(now)
"$TRAIL" reproduce "$id" --no-run >/dev/null 2>&1
t1=$(now)
prepare=$(secs "$t0" "$t1")

t0=$(now)
"$TRAIL" reproduce "$id" >/dev/null 2>&1
t1=$(now)
total=$(secs "$t0" "$t1")
repro=$("$TRAIL" ls --limit 1 --format csv --columns id | tail -n 1)
training=$("$TRAIL" show "$repro" --format json | $PY -c "import json,sys; print(json.load(sys.stdin)['duration_s'])")
overhead=$($PY -c "print(f'{$total - $training:.3f}')")

# By hand with Git, and a DVC-like cache copy.
plain=$WORK/plain
git clone -q "$repo" "$plain" 2>/dev/null
cp data/big.bin "$WORK/cache.bin"
t0=$(now)
git -C "$plain" worktree add -q --detach "$WORK/wt-code" HEAD
t1=$(now)
wt_code=$(secs "$t0" "$t1")
sync; t0=$(now)
cp "$WORK/cache.bin" "$WORK/wt-code/big.bin"
t1=$(now)
cp_data=$(secs "$t0" "$t1")
cp data/big.bin "$plain/big.bin"
git -C "$plain" add big.bin && git -C "$plain" commit -qm "data in git"
t0=$(now)
git -C "$plain" worktree add -q --detach "$WORK/wt-all" HEAD
t1=$(now)
wt_all=$(secs "$t0" "$t1")

by_hand=$($PY -c "print(f'{$wt_code + $cp_data:.3f}')")
printf '%-58s %10s\n' "reproduce bench ($MIB MiB data input)" "seconds"
printf '%-58s %10s\n' "trail reproduce --no-run (worktree, data, environment)" "$prepare"
printf '%-58s %10s\n' "trail reproduce, whole" "$total"
printf '%-58s %10s\n' "  of which the reproduced run's own duration_s" "$training"
printf '%-58s %10s\n' "  overhead beyond the training (target < 3 s)" "$overhead"
printf '%-58s %10s\n' "git worktree add (code only)" "$wt_code"
printf '%-58s %10s\n' "cp of the data from a cache (dvc checkout's copy)" "$cp_data"
printf '%-58s %10s\n' "  by hand: worktree + copy" "$by_hand"
printf '%-58s %10s\n' "git worktree add with the data committed in Git" "$wt_all"
printf '%-58s %10s\n' "ratio: trail overhead / by hand" "$($PY -c "print(f'{$overhead / $by_hand:.2f}')")"
