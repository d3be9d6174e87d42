#!/usr/bin/env bash
# The quick start: installs dependencies, builds trail, makes a throwaway Git
# project with a real training script, records three runs and shows them, runs a small
# sweep, and reproduces the best run from the repository alone.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/setup.sh"
# Only what the demo runs: the CLI (with the web UI in it) and the Python module; the unit tests,
# fuzzers and benchmarks belong to the test command and bench/.
# A unity build, as the test command makes (a fresh build compiles far less; TRAIL_UNITY_BUILD=OFF
# for a developer's one-file edit-and-rebuild loop).
TRAIL_UNITY_BUILD="${TRAIL_UNITY_BUILD:-ON}" TRAIL_BUILD_SKIP_BENCH=1 "$ROOT/scripts/build.sh" --no-tests
TRAIL="$ROOT/build/trail"
# `import trail` for the scripts below, from the build (nothing is installed into the system
# interpreter; docs/python.md says how to pip install the package).
export PYTHONPATH="$ROOT/build/python${PYTHONPATH:+:$PYTHONPATH}"

DEMO="${TRAIL_DEMO_DIR:-$(mktemp -d /tmp/trail-demo.XXXXXX)}"
mkdir -p "$DEMO"
cd "$DEMO"
if [ ! -d .git ]; then
  git init -q
  git config user.name "${GIT_AUTHOR_NAME:-Demo Scientist}"
  git config user.email "${GIT_AUTHOR_EMAIL:-demo@example.com}"
fi
cp "$ROOT/examples/logistic/train.py" .
git add train.py && git commit -qm "Logistic regression on the breast-cancer data set" || true
"$TRAIL" init --name cancer
git add .trail && git commit -qm "trail init" || true

echo; echo "== the data set, versioned with trail add (content in the object store, a pointer in Git) =="
mkdir -p data
/usr/bin/python3 -c "
import numpy as np
from sklearn.datasets import load_breast_cancer
d = load_breast_cancer()
names = [n.replace(' ', '_') for n in d.feature_names] + ['target']
np.savetxt('data/cancer.csv', np.column_stack([d.data, d.target]), delimiter=',', fmt='%.6g',
           header=','.join(names), comments='')"
"$TRAIL" add data/cancer.csv
git add data/cancer.csv.trail data/.gitignore && git commit -qm "Breast-cancer data, versioned by trail" || true

echo; echo "== three training runs, recorded with their data (hash, instances, 1% snapshot) and model =="
for lr in 0.01 0.1 0.5; do
  "$TRAIL" run --data train=data/cancer.csv --stratify target --artifact models -- \
    /usr/bin/python3 train.py --lr "$lr" --epochs 40 --data data/cancer.csv --model-out models/model.npz
done
echo; echo "== trail ls =="
"$TRAIL" ls
echo; echo "== trail ls --where 'metrics.val_loss < 0.2' --sort metrics.val_loss =="
"$TRAIL" ls --where 'metrics.val_loss < 0.2' --sort metrics.val_loss
best=$("$TRAIL" ls --sort metrics.val_loss --limit 1 --format csv --columns id | tail -n 1)
echo; echo "== trail show $best =="
"$TRAIL" show "$best"
echo; echo "== trail diff cancer-1 cancer-3 =="
"$TRAIL" diff cancer-1 cancer-3
echo; echo "== trail get $best: its model and its data snapshot, back from the store =="
"$TRAIL" get "$best" -o "restored-$best"
"$TRAIL" get "$best" --snapshot train -o "restored-$best/train-sample.csv"
head -c 300 "restored-$best/train-sample.csv"; echo " ..."
echo; echo "== trail sweep: a Bayesian search over the learning rate, 6 trials, 2 at a time =="
cat >sweep.yaml <<'EOF'
command: /usr/bin/python3 train.py --lr {lr} --epochs 40
objective: {metric: val_loss, goal: minimize}
strategy: bayes
budget: {trials: 6, parallel: 2}
space:
  lr: {start: 0.001, end: 1.0, scale: log}
seed: 1
EOF
"$TRAIL" sweep sweep.yaml --quiet
best=$("$TRAIL" ls --sort metrics.val_loss --limit 1 --format csv --columns id | tail -n 1)
echo; echo "== trail reproduce $best: the best run recreated from the repository alone (its code snapshot in a"
echo "   worktree, its data from the store, the environment checked), run again and compared =="
"$TRAIL" reproduce "$best" || echo "(the reproduction differs: see the table above and docs/reproduce.md)"
echo; echo "== trail env $best --format requirements: the packages it ran with, pinned =="
"$TRAIL" env "$best" --format requirements
echo; echo "The records live on the branch 'trail' of $DEMO:  git -C $DEMO log --stat trail"
echo; echo "== trail ui: every run, chart, comparison and sweep of this project in the browser =="
echo "   cd $DEMO && $TRAIL ui --open      (serves http://127.0.0.1:7007/ until Ctrl-C)"
