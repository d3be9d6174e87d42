#!/usr/bin/env bash
# trail benchmarks: builds trail, runs each benchmark against a baseline and
# prints one table (benchmark | trail | baseline | ratio | target | pass).
#
# Usage: bench/run_all.sh [overhead] [metrics] [scale] [context] [output] [tfevents]   (no argument: all)
#
#   overhead  `trail run -- true` vs `true` alone vs plain Git (YAML + add + commit), small repo
#   metrics   1,000,000 points through the $TRAIL_METRICS line protocol
#   scale     100,000 runs on the branch: query, index rebuild, run overhead, peak RSS
#   context   full context capture (environment, packages, Table 1 functions) for a 50-file Python project
#   output    1 GB of Keras-style progress output through `trail run` (parsed for metrics) vs bare
#   tfevents  TensorBoard event file ingest, 2,000,000 scalars
#
# Environment (all optional):
#   TRAIL_BENCH_BUILD=DIR   build folder (default: build/ at the repo root)
#   TRAIL_BENCH_NO_BUILD=1  use the binaries already in the build folder
#   TRAIL_BENCH_RUNS=N      runs generated for `scale` (default 100000)
#   TRAIL_BENCH_LINES=N     metric lines for `metrics`, 2 points each (default 500000)
#   TRAIL_BENCH_KEEP=1      keep the temporary repositories (under /tmp/trail-bench.*)
#   TRAIL_BENCH_BASELINE_TIMEOUT=S  cap on the Python query baseline (default 120)
#
# Ratios are trail ÷ baseline for the same figure (times: < 1 means trail is
# faster; points/s: > 1 means trail is faster). Timings are wall clock unless
# a row says CPU. Benchmarks print figures; nothing here fails on a slow result.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
BUILD=${TRAIL_BENCH_BUILD:-$ROOT/build}
RUNS=${TRAIL_BENCH_RUNS:-100000}
LINES=${TRAIL_BENCH_LINES:-500000}
BASELINE_TIMEOUT=${TRAIL_BENCH_BASELINE_TIMEOUT:-120}
PY=/usr/bin/python3
QUERY="metrics.loss < 0.5 and params.lr > 0.01"

what=("$@")
[ ${#what[@]} -eq 0 ] && what=(overhead metrics scale context output tfevents)
for w in "${what[@]}"; do
  case $w in
    overhead | metrics | scale | context | output | tfevents) ;;
    *) echo "usage: bench/run_all.sh [overhead] [metrics] [scale] [context] [output] [tfevents]" >&2; exit 2 ;;
  esac
done
for tool in hyperfine git /usr/bin/time "$PY"; do
  command -v "$tool" >/dev/null || { echo "run_all.sh: $tool is required" >&2; exit 2; }
done

WORK=$(mktemp -d /tmp/trail-bench.XXXXXX)
ROWS=$WORK/rows.tsv
: >"$ROWS"
cleanup() {
  if [ "${TRAIL_BENCH_KEEP:-0}" = 1 ]; then echo "kept $WORK" >&2; return; fi
  # The plain-Git clone of the scale benchmark is 100k files in 100k folders;
  # on a slow disk removing it takes minutes, so it goes in the background.
  if [ -d "$WORK/big-plain" ]; then
    mv "$WORK/big-plain" "$WORK.big-plain"
    (setsid rm -rf "$WORK.big-plain" </dev/null >/dev/null 2>&1 &)
    echo "removing $WORK.big-plain in the background" >&2
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# Git must not depend on whoever runs this: a private HOME and no system config.
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "Bench User"
git config --global user.email bench@example.com
git config --global init.defaultBranch main

log() { printf '\n== %s\n' "$*" >&2; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }  # calc FORMAT EXPR
# row NAME TRAIL BASELINE RATIO TARGET PASS
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"; }
stat() { "$PY" "$BENCH/hf_stat.py" "$@"; }
yesno() { if [ "$(awk "BEGIN { print ($1) ? 1 : 0 }")" = 1 ]; then echo yes; else echo NO; fi; }

# ---- build -------------------------------------------------------------------
if [ "${TRAIL_BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja >/dev/null
  ninja -C "$BUILD" trail gen_runs metric_writer tfevents_bench >&2
fi
TRAIL=$BUILD/trail
GEN=$BUILD/bench/gen_runs
MW=$BUILD/bench/metric_writer
for b in "$TRAIL" "$GEN" "$MW"; do [ -x "$b" ] || { echo "run_all.sh: missing $b" >&2; exit 2; }; done
if grep -q '^TRAIL_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
  echo "run_all.sh: $BUILD is a sanitizer build; its timings mean nothing" >&2
  exit 2
fi
BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$BUILD/CMakeCache.txt" 2>/dev/null || true)

# A project as a user has it: a few committed files, then `trail init`.
new_project() {
  local dir=$1
  mkdir -p "$dir"
  git -C "$dir" init -q
  printf '# demo\n' >"$dir/README.md"
  printf 'import os\nprint("training")\n' >"$dir/train.py"
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "initial code"
  (cd "$dir" && "$TRAIL" init --name bench >/dev/null)
  git -C "$dir" add .trail
  git -C "$dir" commit -q -m "trail init"
}

# A plain-Git repository as a user without trail has it.
new_plain_repo() {
  local dir=$1
  mkdir -p "$dir"
  git -C "$dir" init -q
  printf '# demo\n' >"$dir/README.md"
  printf 'import os\nprint("training")\n' >"$dir/train.py"
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "initial code"
}

# ---- 1. per-run overhead, small repo ---------------------------------------------
bench_overhead() {
  log "overhead: trail run -- true vs true vs plain Git, small repo"
  local proj=$WORK/small plain=$WORK/small-plain
  new_project "$proj"
  new_plain_repo "$plain"
  (cd "$proj" && hyperfine -N --style basic --warmup 5 --runs 40 --export-json "$WORK/overhead.json" \
    "true" "$TRAIL run -- true" "$TRAIL --help" >&2)
  (cd "$plain" && hyperfine -N --style basic --warmup 5 --runs 40 --export-json "$WORK/overhead-git.json" \
    "sh $BENCH/naive_record.sh true" >&2)
  local t_true t_trail t_git
  t_true=$(stat "$WORK/overhead.json" 0 median)
  t_trail=$(stat "$WORK/overhead.json" 1 median)
  t_git=$(stat "$WORK/overhead-git.json" 0 median)
  local ms_trail ms_git
  ms_trail=$(calc %.1f "($t_trail - $t_true) * 1000")
  ms_git=$(calc %.1f "($t_git - $t_true) * 1000")
  row "run overhead, small repo (ms added to 'true', median)" "$ms_trail ms" "$ms_git ms (YAML+git add+commit)" \
    "$(calc %.2f "$ms_trail / $ms_git")" "< 30 ms" "$(yesno "$ms_trail < 30")"
  echo "overhead: true $(calc %.2f "$t_true*1000") ms, trail run -- true $(calc %.2f "$t_trail*1000") ms," \
    "naive_record.sh true $(calc %.2f "$t_git*1000") ms, trail --help (process start only)" \
    "$(calc %.2f "$(stat "$WORK/overhead.json" 2 median)*1000") ms (medians); trail run -- true CPU user+sys" \
    "$(calc %.1f "($(stat "$WORK/overhead.json" 1 user) + $(stat "$WORK/overhead.json" 1 system))*1000") ms (mean)" >>"$WORK/details.txt"
}

# ---- 2. metrics line protocol throughput --------------------------------------------
bench_metrics() {
  local points=$((LINES * 2))
  log "metrics: $points points through \$TRAIL_METRICS"
  local proj=$WORK/metrics
  new_project "$proj"
  (cd "$proj" && hyperfine -N --style basic --warmup 1 --runs 5 --prepare "rm -f $WORK/bare.jsonl" \
    --export-json "$WORK/metrics-bare.json" "env TRAIL_METRICS=$WORK/bare.jsonl $MW $LINES" >&2)
  (cd "$proj" && hyperfine -N --style basic --runs 3 --export-json "$WORK/metrics-trail.json" \
    "$TRAIL run -- $MW $LINES" >&2)
  local t_bare t_trail cpu_trail
  t_bare=$(stat "$WORK/metrics-bare.json" 0 median)
  t_trail=$(stat "$WORK/metrics-trail.json" 0 median)
  cpu_trail=$(calc %.3f "$(stat "$WORK/metrics-trail.json" 0 user) + $(stat "$WORK/metrics-trail.json" 0 system)")

  # Every recorded run must hold every point: sum of metrics.summary counts.
  local ids bad=0 checked=0 id total
  ids=$(cd "$proj" && "$TRAIL" ls --format csv --columns id | tail -n +2)
  for id in $ids; do
    total=$(cd "$proj" && "$TRAIL" show "$id" --format json |
      "$PY" -c 'import json,sys; r=json.load(sys.stdin); print(sum(int(m["count"]) for m in r.get("metrics",{}).get("summary",{}).values()))')
    checked=$((checked + 1))
    [ "$total" = "$points" ] || { bad=$((bad + 1)); echo "metrics: $id recorded $total of $points points" >&2; }
  done
  local pps_trail pps_bare
  pps_trail=$(calc %.0f "$points / $t_trail")
  pps_bare=$(calc %.0f "$points / $t_bare")
  row "metric points/s, $points points (whole trail run)" "$pps_trail /s" "$pps_bare /s (writer alone)" \
    "$(calc %.2f "$pps_trail / $pps_bare")" ">= 500000 /s" "$(yesno "$pps_trail >= 500000")"
  row "metric points recorded (runs checked: $checked)" "$((checked - bad))/$checked runs complete" "-" "-" \
    "all $points" "$(yesno "$bad == 0 && $checked > 0")"
  echo "metrics: writer alone $(calc %.3f "$t_bare") s, trail run -- writer $(calc %.3f "$t_trail") s" \
    "(median of 3; trail CPU user+sys incl. child $cpu_trail s); added $(calc %.3f "$t_trail - $t_bare") s" \
    "= $(calc %.2f "($t_trail - $t_bare) * 1e6 / $points") us/point" >>"$WORK/details.txt"
}

# ---- 3. 100,000 runs ------------------------------------------------------------------
# /usr/bin/time -f '%e %U %S %M' into FILE; stdout discarded.
timed() {
  local out=$1; shift
  /usr/bin/time -o "$out" -f '%e %U %S %M' "$@" >/dev/null
}
field() { awk -v i="$2" '{ v = $i } END { print v }' "$1"; }

bench_scale() {
  log "scale: $RUNS runs on the branch"
  local proj=$WORK/big
  new_project "$proj"
  cd "$proj"
  timed "$WORK/gen.time" "$GEN" --repo . --runs "$RUNS" --project bench
  echo "scale: gen_runs wrote $RUNS records as one commit in $(field "$WORK/gen.time" 1) s" >>"$WORK/details.txt"

  # First use builds the index from scratch; then an explicit rebuild.
  timed "$WORK/first.time" "$TRAIL" index
  timed "$WORK/rebuild.time" "$TRAIL" index --rebuild
  local first rebuild
  first=$(field "$WORK/first.time" 1)
  rebuild=$(field "$WORK/rebuild.time" 1)
  row "index build on first use, $RUNS runs" "$first s" "-" "-" "-" "-"
  row "trail index --rebuild, $RUNS runs" "$rebuild s" "-" "-" "< 60 s" "$(yesno "$rebuild < 60")"
  echo "scale: index build CPU user+sys: first use $(calc %.1f "$(field "$WORK/first.time" 2) + $(field "$WORK/first.time" 3)") s," \
    "rebuild $(calc %.1f "$(field "$WORK/rebuild.time" 2) + $(field "$WORK/rebuild.time" 3)") s;" \
    "peak RSS $(($(field "$WORK/rebuild.time" 4) / 1024)) MB" >>"$WORK/details.txt"

  # The query, warm (index up to date), against the plain-Git way.
  hyperfine -N --style basic --warmup 3 --runs 20 --export-json "$WORK/query.json" \
    "$TRAIL ls --where '$QUERY' --limit 20" \
    "$TRAIL ls --where \"params.optimizer = 'adam'\" --limit 20" \
    "git grep -l 'optimizer: adam' trail -- runs" >&2
  local q_trail q_eq q_grep
  q_trail=$(stat "$WORK/query.json" 0 median)
  q_eq=$(stat "$WORK/query.json" 1 median)
  q_grep=$(stat "$WORK/query.json" 2 median)
  local py_rc=0 py_s py_text
  timeout "$BASELINE_TIMEOUT" /usr/bin/time -o "$WORK/py.time" -f '%e %U %S %M' \
    "$PY" "$BENCH/baseline_query.py" . trail --limit 20 >"$WORK/py.out" || py_rc=$?
  if [ "$py_rc" = 0 ]; then
    py_s=$(field "$WORK/py.time" 1)
    py_text="$py_s s (git cat-file + PyYAML)"
    "$TRAIL" ls --where "$QUERY" --limit 20 --format csv --columns id | tail -n +2 >"$WORK/trail.out"
    if cmp -s "$WORK/py.out" "$WORK/trail.out"; then
      echo "scale: the Python baseline and trail ls return the same 20 runs" >>"$WORK/details.txt"
    else
      echo "scale: WARNING: the Python baseline and trail ls disagree (see $WORK/py.out, $WORK/trail.out)" >>"$WORK/details.txt"
    fi
  else
    py_s=""
    py_text="> $BASELINE_TIMEOUT s (stopped)"
  fi
  local q_ms ratio
  q_ms=$(calc %.1f "$q_trail * 1000")
  if [ -n "$py_s" ]; then ratio=$(calc %.5f "$q_trail / $py_s"); else ratio="< $(calc %.5f "$q_trail / $BASELINE_TIMEOUT")"; fi
  row "query '$QUERY' --limit 20, warm" "$q_ms ms" "$py_text" "$ratio" "< 100 ms" "$(yesno "$q_ms < 100")"
  row "query params.optimizer = 'adam' --limit 20, warm" "$(calc %.1f "$q_eq * 1000") ms" \
    "$(calc %.1f "$q_grep * 1000") ms (git grep -l)" "$(calc %.2f "$q_eq / $q_grep")" "-" "-"

  # Peak memory of listing every run.
  timed "$WORK/ls.time" "$TRAIL" ls
  local rss_mb py_rss
  rss_mb=$(($(field "$WORK/ls.time" 4) / 1024))
  if [ "$py_rc" = 0 ]; then py_rss="$(($(field "$WORK/py.time" 4) / 1024)) MB (Python walker)"; else py_rss="-"; fi
  row "peak RSS, full trail ls ($RUNS rows)" "$rss_mb MB" "$py_rss" \
    "$([ "$py_rc" = 0 ] && calc %.2f "$rss_mb / ($(field "$WORK/py.time" 4) / 1024)" || echo -)" \
    "< 200 MB" "$(yesno "$rss_mb < 200")"
  echo "scale: full trail ls took $(field "$WORK/ls.time" 1) s wall, $(calc %.2f "$(field "$WORK/ls.time" 2) + $(field "$WORK/ls.time" 3)") s CPU" >>"$WORK/details.txt"

  # Per-run overhead with 100k runs on the branch, against plain Git with the
  # same 100k records checked out in the working tree.
  hyperfine -N --style basic --warmup 3 --runs 20 --export-json "$WORK/run100k.json" \
    "true" "$TRAIL run -- true" >&2
  local plain=$WORK/big-plain
  timed "$WORK/clone.time" git clone -q --shared -b trail "$proj" "$plain"
  (cd "$plain" && hyperfine -N --style basic --warmup 2 --runs 10 --export-json "$WORK/run100k-git.json" \
    "sh $BENCH/naive_record.sh true" >&2)
  local t_true t_trail t_git ms_trail ms_git
  t_true=$(stat "$WORK/run100k.json" 0 median)
  t_trail=$(stat "$WORK/run100k.json" 1 median)
  t_git=$(stat "$WORK/run100k-git.json" 0 median)
  ms_trail=$(calc %.1f "($t_trail - $t_true) * 1000")
  ms_git=$(calc %.1f "($t_git - $t_true) * 1000")
  row "run overhead, $RUNS runs on branch (ms, median)" "$ms_trail ms" "$ms_git ms (YAML+git add+commit, $RUNS files)" \
    "$(calc %.2f "$ms_trail / $ms_git")" "< 50 ms" "$(yesno "$ms_trail < 50")"
  echo "scale: plain-Git clone with $RUNS records checked out took $(field "$WORK/clone.time" 1) s to create" >>"$WORK/details.txt"
  cd "$ROOT"
}

# ---- 4. context capture, 50-file Python project ------------------------------------------
bench_context() {
  log "context: trail run of a 50-file Python project vs the same script bare"
  local proj=$WORK/ctx
  new_project "$proj"
  "$PY" "$BENCH/gen_python_project.py" "$proj" 50
  git -C "$proj" add -A && git -C "$proj" commit -q -m "a 50-file training project"
  (cd "$proj" && hyperfine -N --style basic --warmup 3 --runs 20 --export-json "$WORK/context.json" \
    "$PY train.py" "$TRAIL run -- $PY train.py" "$TRAIL context -- $PY train.py" >&2)
  local bare run ctx
  bare=$(stat "$WORK/context.json" 0 median)
  run=$(stat "$WORK/context.json" 1 median)
  ctx=$(stat "$WORK/context.json" 2 median)
  local added
  added=$(calc "%.1f" "($run - $bare) * 1000")
  row "trail run of a 50-file project, added to the bare run" "$added ms" "bare $(calc "%.1f" "$bare * 1000") ms" \
    "$(calc "%.2f" "$run / $bare")" "< 100 ms" "$(yesno "$added < 100")"
  row "trail context (capture alone, dry run)" "$(calc "%.1f" "$ctx * 1000") ms" "-" "-" "-" "-"
  local found
  found=$(cd "$proj" && "$TRAIL" context -- "$PY" train.py | "$PY" -c 'import sys,yaml; r=yaml.safe_load(sys.stdin); print(len(r.get("functions",[])), len(r["environment"].get("packages",{})))')
  echo "context: the capture found $(echo "$found" | cut -d' ' -f1) Table 1 functions and $(echo "$found" | cut -d' ' -f2) packages in the generated project" >>"$WORK/details.txt"
}

# ---- 5. 1 GB of Keras output through trail run ----------------------------------------------
bench_output() {
  log "output: 1 GB of Keras-style output through trail run (parsing on) vs bare, both into a pipe"
  local proj=$WORK/out
  new_project "$proj"
  local gen="$BENCH/keras_output.py"
  (cd "$proj" && hyperfine -N --style basic --warmup 1 --runs 5 --export-json "$WORK/output.json" \
    "sh -c '$PY $gen 1024 | cat >/dev/null'" \
    "sh -c '$TRAIL run -- $PY $gen 1024 | cat >/dev/null'" >&2)
  local bare traced
  bare=$(stat "$WORK/output.json" 0 median)
  traced=$(stat "$WORK/output.json" 1 median)
  local mbs_bare mbs_trail loss
  mbs_bare=$(calc "%.0f" "1024 / $bare")
  mbs_trail=$(calc "%.0f" "1024 / $traced")
  loss=$(calc "%.1f" "(1 - $bare / $traced) * 100")
  row "1 GB Keras output through trail run (metrics parsed)" "$mbs_trail MB/s" "bare $mbs_bare MB/s" \
    "$(calc "%.2f" "$bare / $traced")" "< 20% loss" "$(yesno "$loss < 20")"
  local last
  last=$(cd "$proj" && "$TRAIL" ls --format json --limit 1)
  echo "output: throughput loss $loss %; last run: $(echo "$last" | "$PY" -c 'import sys,json; r=json.load(sys.stdin)[0]; print("metrics", sorted(r["metrics"]), "status", r["status"])')" >>"$WORK/details.txt"
}

# ---- 6. TensorBoard ingest -------------------------------------------------------------------
bench_tfevents() {
  log "tfevents: 2,000,000 scalars from one event file"
  "$BUILD/bench/tfevents_bench" >"$WORK/tfevents.txt"
  cat "$WORK/tfevents.txt" >&2
  local warm
  warm=$(awk '$1 == "warm" { print $2 }' "$WORK/tfevents.txt")
  row "TensorBoard event ingest (page cache warm)" "$(calc "%.2f" "$warm / 1e6") M scalars/s" "-" "-" ">= 1 M/s" \
    "$(yesno "$warm >= 1000000")"
  echo "tfevents: $(grep '^cold' "$WORK/tfevents.txt")" >>"$WORK/details.txt"
}

# ---- run and report ---------------------------------------------------------------------
START=$(date +%s)
for w in "${what[@]}"; do "bench_$w"; done
END=$(date +%s)

{
  echo
  echo "trail benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')),"
  echo "build $BUILD_TYPE, trail $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo '+dirty'), load average at end: $(cut -d' ' -f1-3 /proc/loadavg), total $((END - START)) s"
  echo "ratio = trail / baseline"
  echo
  "$PY" - "$ROWS" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
head = ["benchmark", "trail", "baseline", "ratio", "target", "pass"]
w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
line = lambda r: "| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |"
print(line(head))
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print(line(r))
EOF
  echo
  [ -f "$WORK/details.txt" ] && sed 's/^/  /' "$WORK/details.txt"
} | tee "$WORK/report.txt"
if [ -n "${TRAIL_BENCH_REPORT:-}" ]; then cp "$WORK/report.txt" "$TRAIL_BENCH_REPORT"; fi
