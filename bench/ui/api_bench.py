#!/usr/bin/python3
"""The REST API of `trail ui` on a big project, timed from a client on loopback.

Usage: api_bench.py URL RUN_ID SERIES_TSV OUT_JSON

  URL         the server's base URL (http://127.0.0.1:PORT), as `trail ui` printed it
  RUN_ID      a run whose metric `loss` has the long series
  SERIES_TSV  that series as `trail show RUN_ID --series loss` prints it (the extremes check)
  OUT_JSON    where the figures go (ui_bench.sh prints the table)

Every figure is the median of REPEAT requests on one keep-alive connection, after one warm-up
request, except the `cold` ones, which are the first request of their kind. The baselines are what
a server without trail's index and downsampling would do for the same answer: read every record
(`trail ls` with no limit: the runs table) and ship every point of the series as JSON (what
MLflow's get-history does, up to its cap of 100,000 points).
"""
import http.client
import json
import math
import statistics
import subprocess
import sys
import time
import urllib.parse

REPEAT = 20
WHERE = "metrics.loss < 0.5 and params.lr > 0.01"
SORT = "metrics.accuracy"


def connect(base):
    u = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60), u


def get(conn, path):
    t0 = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    dt = time.perf_counter() - t0
    if r.status != 200:
        raise SystemExit(f"api_bench: GET {path}: HTTP {r.status}: {body[:300]!r}")
    return dt, body


def median_ms(conn, path, repeat=REPEAT):
    get(conn, path)  # warm-up
    times = [get(conn, path)[0] for _ in range(repeat)]
    return statistics.median(times) * 1000.0


def q(**kw):
    return urllib.parse.urlencode(kw)


def read_tsv(path):
    steps, values = [], []
    with open(path) as f:
        next(f)
        for line in f:
            s, _, v = line.rstrip("\n").split("\t")
            steps.append(int(s))
            values.append(float(v))
    return steps, values


def main(argv):
    base, run_id, tsv, out = argv[1], argv[2], argv[3], argv[4]
    conn, _ = connect(base)
    res = {}

    first_page = "/api/v1/runs?" + q(where=WHERE, sort=SORT, desc=1, limit=50)
    dt, body = get(conn, first_page)
    res["first_page_cold_ms"] = dt * 1000.0
    res["first_page_rows"] = len(json.loads(body)["runs"])
    res["first_page_ms"] = median_ms(conn, first_page)
    res["first_page_unfiltered_ms"] = median_ms(conn, "/api/v1/runs?" + q(sort=SORT, desc=1, limit=50))
    # Counts and keys are kept by the server until the runs branch moves: the first request of
    # each is what a new filter, or the first page load after a new run, costs.
    count = "/api/v1/runs/count?" + q(where=WHERE + " and params.dropout >= 0")
    res["count_cold_ms"] = get(conn, count)[0] * 1000.0
    res["count_ms"] = median_ms(conn, count)
    deep = "/api/v1/runs?" + q(sort=SORT, desc=1, offset=90000, limit=50)
    res["offset_90000_ms"] = median_ms(conn, deep)
    res["offset_90000_rows"] = len(json.loads(get(conn, deep)[1])["runs"])
    res["keys_cold_ms"] = get(conn, "/api/v1/keys")[0] * 1000.0
    res["keys_ms"] = median_ms(conn, "/api/v1/keys", repeat=5)

    # The long series: the first request parses it (cold), later ones hit the cache.
    name = urllib.parse.quote("loss", safe="")
    series = f"/api/v1/runs/{urllib.parse.quote(run_id)}/metrics/{name}?points=1000"
    dt, body = get(conn, series)
    res["series_cold_ms"] = dt * 1000.0
    res["series_ms"] = median_ms(conn, series)
    res["series_bytes"] = len(body)
    doc = json.loads(body)
    res["series_total"] = doc["total"]
    res["series_points"] = len(doc["points"]["x"])
    zoom = series + "&" + q(**{"from": 400000, "to": 400999})
    res["series_zoom_ms"] = median_ms(conn, zoom)
    zdoc = json.loads(get(conn, zoom)[1])
    res["series_zoom_points"] = len(zdoc["points"]["x"])
    res["series_zoom_full_resolution"] = not zdoc["downsampled"]

    # Extremes: the full series' lowest and highest values must be among the points returned.
    steps, values = read_tsv(tsv)
    finite = [(v, s) for s, v in zip(steps, values) if math.isfinite(v)]
    lo, hi = min(finite), max(finite)
    got = set(zip(doc["points"]["x"], doc["points"]["y"]))
    res["extremes_kept"] = (lo[1], lo[0]) in got and (hi[1], hi[0]) in got
    res["series_true_min"], res["series_true_max"] = lo[0], hi[0]

    # Baselines, for the ratio column.
    t0 = time.perf_counter()
    full = [{"step": s, "value": v} for s, v in zip(steps, values)]
    blob = json.dumps(full).encode()
    res["baseline_series_json_ms"] = (time.perf_counter() - t0) * 1000.0
    res["baseline_series_bytes"] = len(blob)
    conn.close()
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
