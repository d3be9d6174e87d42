#!/usr/bin/env bash
# The web UI at scale (issue 16's targets): `trail ui` over 100,000 runs with 50 params and metrics
# each, and a run whose metric has 1,000,000 points. Prints one table: figure | trail | anchor or
# baseline | target | pass, then the raw figures.
#
#   bench/ui/ui_bench.sh             (builds trail, gen_runs first; TRAIL_BENCH_NO_BUILD=1 skips it)
#
# Environment: TRAIL_BENCH_BUILD (build folder, default build/), TRAIL_BENCH_RUNS (default
# 100000), TRAIL_BENCH_POINTS (default 1000000), TRAIL_BENCH_KEEP=1 (keep the project).
# The API figures come from bench/ui/api_bench.py (a Python client on one keep-alive connection),
# the page figures from bench/ui/browser_bench.mjs (Playwright driving Debian's Chromium).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${TRAIL_BENCH_BUILD:-$ROOT/build}
RUNS=${TRAIL_BENCH_RUNS:-100000}
POINTS=${TRAIL_BENCH_POINTS:-1000000}
PY=/usr/bin/python3
TRAIL=$BUILD/trail

if [ "${TRAIL_BENCH_NO_BUILD:-}" != 1 ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$BUILD" trail gen_runs >&2
fi

WORK=$(mktemp -d /tmp/trail-ui-bench.XXXXXX)
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ "${TRAIL_BENCH_KEEP:-}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
export HOME=$WORK/home GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
git config --global user.name "trail bench"
git config --global user.email bench@localhost
git config --global init.defaultBranch main

P=$WORK/project
mkdir -p "$P"
git -C "$P" init -q
cp "$ROOT/bench/ui/spiky_series.py" "$P/train.py"
git -C "$P" add train.py
git -C "$P" commit -q -m "initial code"
(cd "$P" && "$TRAIL" init --name bench >/dev/null)

echo "ui-bench: generating $RUNS runs (50 params and metrics each)" >&2
"$BUILD/bench/gen_runs" --repo "$P" --runs "$RUNS" --project bench --wide 50 >&2
t0=$(date +%s.%N)
(cd "$P" && "$TRAIL" ls --limit 1 >/dev/null)
t1=$(date +%s.%N)
INDEX_S=$(echo "$t1 - $t0" | bc)

echo "ui-bench: recording a run with $POINTS points of loss" >&2
(cd "$P" && "$TRAIL" run --name long-series -- "$PY" train.py "$POINTS" >/dev/null)
LONG=$(cd "$P" && "$TRAIL" ls --where "name = 'long-series'" --format json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
(cd "$P" && "$TRAIL" show "$LONG" --series loss >"$WORK/loss.tsv")

(cd "$P" && exec "$TRAIL" ui --port 0 >"$WORK/ui.out" 2>"$WORK/ui.err") &
SERVER_PID=$!
for _ in $(seq 100); do
  grep -q "serving" "$WORK/ui.out" 2>/dev/null && break
  sleep 0.1
done
URL=$(grep -o 'http://[^ ?]*' "$WORK/ui.out" | head -1)
URL=${URL%/}
[ -n "$URL" ] || { echo "ui-bench: trail ui did not start: $(cat "$WORK/ui.err")" >&2; exit 1; }
echo "ui-bench: serving at $URL" >&2

"$PY" "$ROOT/bench/ui/api_bench.py" "$URL" "$LONG" "$WORK/loss.tsv" "$WORK/api.json"
BROWSER_JSON=$WORK/browser.json
if [ -x /usr/bin/chromium ] && [ -d "$ROOT/ui/node_modules/playwright-core" ]; then
  NODE_PATH=$ROOT/ui/node_modules node "$ROOT/bench/ui/browser_bench.mjs" "$URL" "$LONG" "$P" "$TRAIL" "$BROWSER_JSON"
else
  echo '{}' >"$BROWSER_JSON"
  echo "ui-bench: no Chromium or playwright-core (scripts/setup.sh installs both): page figures skipped" >&2
fi
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
ANON_KB=$(awk '/RssAnon/ {print $2}' "/proc/$SERVER_PID/status")

"$PY" - "$WORK/api.json" "$BROWSER_JSON" "$RSS_KB" "$INDEX_S" "$RUNS" "$POINTS" "$ANON_KB" <<'EOF'
import json, sys
api = json.load(open(sys.argv[1])); page = json.load(open(sys.argv[2]))
rss_mb = int(sys.argv[3]) / 1024.0
index_s, runs, points = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
anon_mb = int(sys.argv[7]) / 1024.0
rows = []
def row(name, value, fmt, anchor, target, ok):
    rows.append((name, "-" if value is None else fmt.format(value), anchor, target,
                 "-" if ok is None else ("yes" if ok else "NO")))
def lt(v, limit):
    return None if v is None else v < limit
def steps(*keys):  # "a / b / c ms" from the page figures, or None when one is missing
    vals = [page.get(k) for k in keys]
    return None if None in vals else " / ".join(f"{v:.0f}" for v in vals) + " ms"
row(f"runs table API, first page (50 rows, filtered, sorted by a metric), {runs} runs", api["first_page_ms"], "{:.1f} ms",
    "MLflow UI broke at 1,701 runs (mlflow#627), now capped at 1,000 rows", "< 30 ms", lt(api["first_page_ms"], 30))
row("  the same, first request after start (cold)", api["first_page_cold_ms"], "{:.1f} ms", "-", "-", None)
row("  unfiltered, sorted by a metric", api["first_page_unfiltered_ms"], "{:.1f} ms", "-", "-", None)
row("  count of a new filter (first request; then kept until the branch moves)", api["count_cold_ms"], "{:.1f} ms", "-", "-", None)
row("  count, repeated", api["count_ms"], "{:.1f} ms", "-", "-", None)
row("  column chooser keys, first request / repeated", api["keys_cold_ms"], "{:.1f} ms", f"{api['keys_ms']:.1f} ms repeated", "-", None)
row("runs table API, page at offset 90,000", api["offset_90000_ms"], "{:.1f} ms", "-", "-", None)
row("runs table painted in Chromium, from navigation", page.get("table_paint_ms"), "{:.0f} ms", "-", "< 1000 ms", lt(page.get("table_paint_ms"), 1000))
row("  of which: entry module loaded / first rows asked for / answered", steps("table_script_loaded_ms", "table_rows_sent_ms", "table_rows_answered_ms"), "{}", "-", "-", None)
row("scroll to row 90,000 (rows painted)", page.get("scroll_90000_ms"), "{:.0f} ms", "-", "< 200 ms", lt(page.get("scroll_90000_ms"), 200))
row(f"series API, {api['series_total']:,} points -> {api['series_points']} (cached)", api["series_ms"], "{:.1f} ms",
    "MLflow caps charts at 100,000 points (PR 7864)", "< 50 ms", lt(api["series_ms"], 50))
row("  the same, first request (parses the series)", api["series_cold_ms"], "{:.1f} ms", "-", "-", None)
row("  response size", api["series_bytes"] / 1024.0, "{:.0f} KiB",
    f"{api['baseline_series_bytes'] / 1048576.0:.1f} MiB as every point in JSON", "-", None)
row("  zoom to 1,000 steps (full resolution)", api["series_zoom_ms"], "{:.1f} ms", "-", "-", api["series_zoom_full_resolution"])
row("extremes of the full series in the drawn points", "yes" if api["extremes_kept"] else "no", "{}",
    "MLflow's sampling hides steps (mlflow#11660)", "all kept", api["extremes_kept"])
row("chart of 1,000,000 points drawn in Chromium", page.get("chart_draw_ms"), "{:.0f} ms", "-", "< 500 ms", lt(page.get("chart_draw_ms"), 500))
row("  of which: entry module loaded / series asked for / answered", steps("chart_script_loaded_ms", "chart_series_sent_ms", "chart_series_answered_ms"), "{}", "-", "-", None)
row("live run: new point visible in the page", page.get("live_delay_ms"), "{:.0f} ms",
    "MLflow: no live updates (mlflow#1849)", "< 1000 ms", lt(page.get("live_delay_ms"), 1000))
row("server peak RSS, whole benchmark", rss_mb, "{:.0f} MB", f"{anon_mb:.0f} MB of it private (the rest: index pages mapped)", "< 300 MB", rss_mb < 300)
w = [max(len(str(r[i])) for r in rows) for i in range(5)]
head = ("figure", "trail", "anchor / baseline", "target", "pass")
w = [max(w[i], len(head[i])) for i in range(5)]
print(" | ".join(h.ljust(w[i]) for i, h in enumerate(head)))
print("-+-".join("-" * x for x in w))
for r in rows:
    print(" | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
print()
print(f"ui-bench: index built in {index_s:.1f} s on first use ({runs} runs x 50 keys)")
print("ui-bench: api " + json.dumps(api, sort_keys=True))
print("ui-bench: page " + json.dumps(page, sort_keys=True))
EOF
