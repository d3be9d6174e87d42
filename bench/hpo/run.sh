#!/usr/bin/env bash
# Hyperparameter search (issue 6): trail's random and bayes strategies beside Optuna's
# RandomSampler and TPESampler, on Branin (2-D) and Hartmann6 (6-D), in one table: simple regret
# (best so far minus the optimum) after 10, 25 and 50 trials, median [q25, q75] over the seeds,
# then the time of one bayes proposal with 50 and 100 trials in 6-D.
#
# Usage: bench/hpo/run.sh [PATH/TO/hpo_bench]     (default: build/bench/hpo_bench)
# Builds nothing: `ninja -C build hpo_bench` first.
#
# Environment (all optional):
#   HPO_SEEDS=N (20)  HPO_TRIALS=N (50)
#   HPO_OPTUNA_SAMPLERS=Random,TPE   samplers of the Optuna baseline (its names)
#   HPO_PROBLEMS=Branin,Hartmann6    both programs honour it
#
# The Optuna baseline is ../shared/bench/optuna_baseline.py beside the repository; without it the
# table has trail's rows only. ms/trial is trail's proposal time, and Optuna's whole per-trial
# overhead (sampler and study bookkeeping).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:-$ROOT/build/bench/hpo_bench}
SEEDS=${HPO_SEEDS:-20}
TRIALS=${HPO_TRIALS:-50}
BASELINE=$ROOT/../shared/bench/optuna_baseline.py
PY=/usr/bin/python3

if [ ! -x "$BIN" ]; then
  echo "no hpo_bench at $BIN: build it (ninja -C build hpo_bench) or pass its path" >&2
  exit 2
fi

echo "# hpo bench, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty'), $SEEDS seeds x $TRIALS trials"

trail_out=$(HPO_SAMPLERS=random,bayes "$BIN" "$SEEDS" "$TRIALS")
optuna_out=""
if [ -f "$BASELINE" ]; then
  optuna_out=$(HPO_SAMPLERS=${HPO_OPTUNA_SAMPLERS:-Random,TPE} "$PY" "$BASELINE" "$SEEDS" "$TRIALS" | tail -n +2)
  optuna_version=$("$PY" -c 'import optuna; print(optuna.__version__)' 2>/dev/null || echo '?')
else
  echo "# note: $BASELINE not found; Optuna baseline skipped"
fi

# Both programs print rows as "%-10s %-13s" (problem, sampler) then the same cells.
header=$(printf '%s\n' "$trail_out" | sed -n 2p)
echo
echo "$header"
echo "${header//?/-}"
for problem in Branin Hartmann6; do
  printf '%s\n' "$trail_out" | awk -v p="$problem" '$1 == p'
  printf '%s\n' "$optuna_out" | awk -v p="$problem" '$1 == p { printf "%-10s %-13s%s\n", $1, "optuna-" $2, substr($0, 25) }'
done
echo
printf '%s\n' "$trail_out" | grep '^bayes proposal' || true
[ -n "$optuna_out" ] && echo "# optuna $optuna_version (RandomSampler, TPESampler with defaults), same seeds and trials"
echo "# end load $(cut -d' ' -f1-3 /proc/loadavg)"
