#!/usr/bin/env bash
# The fraction of example runs that `trail reproduce` recreates identically from a FRESH CLONE
# (issue 15's figure): runs of examples/logistic (three learning rates, its data tracked with
# `trail add`, its model saved) and examples/torch_mlp (two seeds, CPU) are recorded in one clone
# and pushed (runs branch to a bare Git remote, packs to a folder store); a second clone made with
# `git clone` + `trail remote add` + `trail pull` reproduces every one of them. Identical means
# `trail reproduce` exits 0: every metric, derived metric, artifact (byte for byte) and data input
# the same.
#
# Usage: bench/reproduce/examples_fraction.sh [TRAIL_BIN]   (default build/trail)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TRAIL=${1:-$ROOT/build/trail}
PY=/usr/bin/python3
WORK=$(mktemp -d /tmp/trail-bench-fraction.XXXXXX)
[ -n "${TRAIL_BENCH_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

git init -q --bare -b main "$WORK/origin.git"
a=$WORK/a
mkdir -p "$a" && cd "$a"
git init -q -b main
cp "$ROOT/examples/logistic/train.py" logistic.py
cp "$ROOT/examples/torch_mlp/train.py" mlp.py
printf 'models/\ncheckpoints/\n' > .gitignore
git add -A && git commit -qm examples
"$TRAIL" init --name ex >/dev/null
git remote add origin "$WORK/origin.git"
"$TRAIL" remote add origin "$WORK/store" >/dev/null
mkdir -p data
$PY -c "
import numpy as np
from sklearn.datasets import load_breast_cancer
x, y = load_breast_cancer(return_X_y=True)
np.savetxt('data/cancer.csv', np.column_stack([x, y]), delimiter=',', fmt='%.6g',
           header=','.join(['f%d' % i for i in range(x.shape[1])] + ['target']), comments='')"
"$TRAIL" add data/cancer.csv >/dev/null
git add -A && git commit -qm "data and trail" >/dev/null

ids=()
for lr in 0.01 0.1 0.5; do
  "$TRAIL" run --data train=data/cancer.csv --artifact models/ -- \
    $PY logistic.py --lr "$lr" --epochs 20 --data data/cancer.csv --model-out models/model.npz >/dev/null 2>&1
  ids+=("$("$TRAIL" ls --limit 1 --format csv --columns id | tail -n 1)")
done
if $PY -c "import torch" 2>/dev/null; then
  for seed in 0 1; do
    "$TRAIL" run --artifact checkpoints/ -- $PY mlp.py --epochs 3 --seed "$seed" >/dev/null 2>&1
    ids+=("$("$TRAIL" ls --limit 1 --format csv --columns id | tail -n 1)")
  done
else
  echo "examples_fraction: torch is not installed for $PY: the PyTorch example is left out" >&2
fi
git push -q origin main
"$TRAIL" push >/dev/null 2>&1

b=$WORK/b
git clone -q "$WORK/origin.git" "$b"
cd "$b"
"$TRAIL" remote add origin "$WORK/store" >/dev/null
"$TRAIL" pull >/dev/null 2>&1
same=0
for id in "${ids[@]}"; do
  t0=$(date +%s.%N)
  if "$TRAIL" reproduce "$id" >"$WORK/$id.log" 2>&1; then verdict=identical; same=$((same + 1)); else verdict="DIFFERENT (exit $?)"; fi
  t1=$(date +%s.%N)
  printf '%-8s %-22s %6.2f s\n' "$id" "$verdict" "$($PY -c "print($t1 - $t0)")"
done
printf 'reproduced identically from a fresh clone: %d of %d example runs (%d%%)\n' "$same" "${#ids[@]}" \
  "$((100 * same / ${#ids[@]}))"
