// A stand-in for `trail ui` while working on the page alone: serves a built ui (node build.mjs
// --outdir DIR) and a fake /api/v1 with generated data (100,000 runs, a 1,000,000-point series,
// a live run, a sweep) shaped as docs/api.md says. For development only; the tests in tests/ui
// run against the real server.
//   node ui/dev/mock_api.mjs DIR [PORT]
import { createServer } from "node:http";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const dist = process.argv[2];
const port = Number(process.argv[3] ?? 8765);
const N = 100000;
const OPT = ["adam", "sgd", "rmsprop"];

function row(i) {
  const n = N - i;
  const lr = [0.001, 0.01, 0.03, 0.1, 0.3][n % 5];
  return {
    id: `demo-${n}`, number: n, name: n % 7 === 0 ? `exp ${n}` : null, status: n % 13 === 0 ? "failed" : "finished",
    user: "Ann Lee", started: new Date(Date.UTC(2026, 10, 1) + n * 60000).toISOString(), duration_s: 30 + (n % 50),
    exit_code: n % 13 === 0 ? 1 : 0, parent: n % 10 < 3 ? `demo-sweep-${Math.floor(n / 10)}` : null, archived: false,
    params: { lr, optimizer: OPT[n % 3], batch: 32 * (1 + (n % 4)), label: n === 4 ? "<img src=x onerror=alert(1)>" : `r${n}` },
    metrics: { loss: { last: 1 / (1 + lr * 100) + (n % 17) / 100, min: 0.1, max: 2, count: 300 }, val_loss: { last: 0.3 + (n % 11) / 50, min: 0.2, max: 2.2, count: 300 } },
    tags: n % 5 === 0 ? { stage: "draft" } : {}, derived: { val_loss_min: 0.2 }, context: { python: "3.11.2", gpu_count: n % 2 },
  };
}
const liveRow = { ...row(0), id: "demo-100001", number: 100001, status: "running", duration_s: null };
const liveStart = Date.now() / 1000;

function series(id, name) {
  const n = id === "demo-1" ? 1000000 : 300;
  const step = [], time = [], value = [];
  const t0 = 1764000000;
  for (let s = 0; s < n; s++) {
    step.push(s);
    time.push(t0 + s * 0.5);
    value.push(Math.exp(-s / (n / 5)) + 0.05 * Math.sin(s / 3) + (s === Math.floor(n * 0.6) ? 3 : 0) + (name === "val_loss" ? 0.1 : 0) + (Number(id.split("-")[1]) % 7) / 30);
  }
  return { step, time, value };
}
function liveSeries() {
  const k = Math.floor((Date.now() / 1000 - liveStart) * 5);
  const step = [], time = [], value = [];
  for (let s = 0; s < k; s++) { step.push(s); time.push(liveStart + s / 5); value.push(1 / (1 + s / 10)); }
  return { step, time, value };
}
function downsample(sr, xmode, from, to, points) {
  const xs = xmode === "step" ? sr.step : xmode === "time" ? sr.time : sr.time.map((t) => t - sr.time[0]);
  const idx = [];
  for (let i = 0; i < xs.length; i++) if ((from === undefined || xs[i] >= from) && (to === undefined || xs[i] <= to)) idx.push(i);
  let keep = idx;
  let down = false;
  if (idx.length > points) {
    down = true;
    const buckets = Math.max(1, Math.floor(points / 4));
    const lo = xs[idx[0]], hi = xs[idx[idx.length - 1]];
    const w = (hi - lo) / buckets || 1;
    const sel = new Set();
    let b = -1, first, last, mn, mx;
    const flush = () => { if (b >= 0) [first, mn, mx, last].forEach((j) => sel.add(j)); };
    for (const i of idx) {
      const bi = Math.min(buckets - 1, Math.floor((xs[i] - lo) / w));
      if (bi !== b) { flush(); b = bi; first = mn = mx = last = i; }
      last = i;
      if (sr.value[i] < sr.value[mn]) mn = i;
      if (sr.value[i] > sr.value[mx]) mx = i;
    }
    flush();
    keep = Array.from(sel).sort((a, b2) => a - b2);
  }
  let mn = null, mx = null;
  for (const i of keep) { if (!mn || sr.value[i] < mn.y) mn = { x: xs[i], y: sr.value[i] }; if (!mx || sr.value[i] > mx.y) mx = { x: xs[i], y: sr.value[i] }; }
  return { x: xmode, total: sr.step.length, in_range: idx.length, downsampled: down, points: { x: keep.map((i) => xs[i]), y: keep.map((i) => sr.value[i]) }, min: mn, max: mx, x_min: xs[0] ?? 0, x_max: xs[xs.length - 1] ?? 0 };
}
function record(id) {
  const r = row(N - Number(id.split("-")[1]));
  return {
    trail: 1, id: r.id, number: r.number, uid: "0123456789abcdef0123456789abcdef", name: r.name, parent: r.parent, status: r.status, exit_code: r.exit_code,
    user: { name: "Ann Lee", email: "ann@example.org" }, started: r.started, ended: r.started, duration_s: r.duration_s,
    command: ["python3", "train.py", "--lr", String(r.params.lr)], cwd: ".", host: "box",
    code: { entry_point: "train.py", branch: "main", commit: "a".repeat(40), snapshot: "b".repeat(40), dirty: true, changed: ["train.py"] },
    params: r.params, functions: [{ category: "loss", name: "cross_entropy", found: "source", at: "train.py:12" }, { category: "optimizer", name: "Adam", found: "source", at: "train.py:14" }],
    metrics: { summary: { loss: { last: 0.1, min: 0.05, max: 3.1, count: 300 }, val_loss: { last: 0.2, min: 0.15, max: 3.2, count: 300 } }, derived: { val_loss_min: 0.15, gap_avg: 0.1 } },
    data: [{ role: "train", source: "data.csv", format: "csv", instances: 500, size: 4000, hash: "c".repeat(64), snapshot: { fraction: 0.01, seed: 0, rows: 5, oid: "d".repeat(64) } }],
    artifacts: [{ path: "model.pt", role: "model", size: 123456, oid: "e".repeat(64) }], output: "output.log",
    environment: { os: "Linux", distribution: "Debian 12", cpu: { model: "Xeon", cores: 8 }, memory_bytes: 16e9, python: { version: "3.11.2" }, frameworks: { torch: "2.1" }, packages: { numpy: "1.24", torch: "2.1" }, processors: { gpu_count: 0 } },
    tags: r.tags, notes: [{ time: r.started, user: { name: "Ann Lee" }, text: "first try" }],
  };
}

const send = (res, code, body, type = "application/json; charset=utf-8") => {
  res.writeHead(code, { "Content-Type": type, "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'" });
  res.end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
};
const bad = (res, message, column) => send(res, 400, { error: { code: "invalid_argument", message, column } });

function filter(where) {
  if (!where) return { ok: true, pred: () => true };
  const m = /^params\.(\w+)\s*=\s*'([^']*)'$/.exec(where.trim());
  if (m) return { ok: true, pred: (r) => String(r.params[m[1]]) === m[2] };
  const lt = /^metrics\.(\w+)\s*<\s*([0-9.]+)$/.exec(where.trim());
  if (lt) return { ok: true, pred: (r) => r.metrics[lt[1]]?.last < Number(lt[2]) };
  const col = where.indexOf("and") >= 0 ? where.indexOf("and") + 1 : where.length;
  return { ok: false, message: `bad query at column ${col}: expected a value (near '${where.slice(col - 1, col + 2)}')`, column: col };
}

createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname;
  const q = Object.fromEntries(url.searchParams);
  if (p.startsWith("/assets/")) {
    const f = join(dist, p.slice(8));
    if (!existsSync(f)) return send(res, 404, "no");
    return send(res, 200, readFileSync(f), f.endsWith(".js") ? "text/javascript" : "text/css");
  }
  if (!p.startsWith("/api/")) return send(res, 200, readFileSync(join(dist, "index.html"), "utf8").replace("__TRAIL_TOKEN__", "tok"), "text/html; charset=utf-8");
  let m;
  if (p === "/api/v1/project") return send(res, 200, { name: "demo", root: "/x", branch: "trail", trail_version: "0.1", runs: N, live: 1, tip: "f".repeat(40), read_only: false });
  if (p === "/api/v1/keys") return send(res, 200, { params: ["batch", "label", "lr", "optimizer"].map((key) => ({ key, runs: N })), metrics: ["loss", "val_loss"].map((key) => ({ key, runs: N })), tags: [{ key: "stage", runs: 100 }], derived: [{ key: "val_loss_min", runs: N }], context: [{ key: "gpu_count", runs: N }, { key: "python", runs: N }], attributes: ["id", "number", "name", "status", "user", "started", "duration", "exit_code", "parent", "host", "branch", "commit"] });
  if (p === "/api/v1/query/check") { const f = filter(q.where); return f.ok ? send(res, 200, { ok: true }) : bad(res, f.message, f.column); }
  if (p === "/api/v1/runs") {
    const f = filter(q.where);
    if (!f.ok) return bad(res, f.message, f.column);
    const off = Number(q.offset ?? 0), lim = Number(q.limit ?? 50);
    const all = q.where ? Array.from({ length: N }, (_, i) => row(i)).filter(f.pred) : null;
    const total = all ? all.length : N;
    const runs = [];
    for (let i = off; i < Math.min(total, off + lim); i++) runs.push(all ? all[i] : row(i));
    return send(res, 200, { runs, offset: off, next_cursor: null, total: q.count === "1" ? total : null, live: off === 0 ? [liveRow] : undefined });
  }
  if (p === "/api/v1/events") {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    res.write(": hello\n\n");
    return;
  }
  if ((m = /^\/api\/v1\/runs\/([^/]+)$/.exec(p))) {
    if (m[1] === "demo-100001") return send(res, 200, { id: m[1], live: true, record: { id: m[1], number: 100001, status: "running", started: new Date(liveStart * 1000).toISOString(), params: { lr: 0.1 } } });
    return send(res, 200, { id: m[1], live: false, record: record(m[1]), dir: "runs/000/" + m[1], tip: "f".repeat(40) });
  }
  if ((m = /^\/api\/v1\/runs\/([^/]+)\/metrics\/(.+)$/.exec(p))) {
    const name = decodeURIComponent(m[2]);
    const sr = m[1] === "demo-100001" ? liveSeries() : series(m[1], name);
    const f = q.from === undefined ? undefined : Number(q.from), t = q.to === undefined ? undefined : Number(q.to);
    return send(res, 200, { metric: name, ...downsample(sr, q.x ?? "step", f, t, Number(q.points ?? 1000)) });
  }
  if ((m = /^\/api\/v1\/runs\/([^/]+)\/events$/.exec(p))) {
    res.writeHead(200, { "Content-Type": "text/event-stream" });
    const timer = setInterval(() => res.write(`event: points\ndata: ${JSON.stringify({ metrics: { live_loss: { step: [1], time: [1], value: [1] } } })}\n\n`), 300);
    req.on("close", () => clearInterval(timer));
    return;
  }
  if ((m = /^\/api\/v1\/runs\/([^/]+)\/output$/.exec(p))) return send(res, 200, "epoch 1 loss 0.5\n<b>not bold</b>\n", "text/plain; charset=utf-8");
  if ((m = /^\/api\/v1\/runs\/([^/]+)\/code\/files$/.exec(p))) return send(res, 200, { commit: "b", base: "a", truncated: false, files: [{ path: "train.py", type: "blob", size: 300, executable: false }, { path: "src/util.py", type: "blob", size: 40, executable: false }] });
  if ((m = /^\/api\/v1\/runs\/([^/]+)\/code\/file$/.exec(p))) return send(res, 200, "import torch\nprint('hi')\n", "text/plain; charset=utf-8");
  if (/\/code\/diff$/.test(p) || p === "/api/v1/compare/code") return send(res, 200, { base: "a", snapshot: "b", a: q.a, b: q.b, stat: " train.py | 2 +-\n 1 file changed", patch: "diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,2 +1,2 @@\n-lr = 0.1\n+lr = 0.2\n print('hi')\n" });
  if ((m = /^\/api\/v1\/runs\/([^/]+)\/data\/([^/]+)\/head$/.exec(p))) return send(res, 200, { role: m[2], format: "csv", source: "data.csv", instances: 500, snapshot: {}, header: ["x", "y"], rows: [["1", "0"], ["2", "1"], ["3", "<i>2</i>"]], truncated: true });
  if ((m = /^\/api\/v1\/runs\/([^/]+)\/(notes|tags)$/.exec(p)) && req.method === "POST") {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.headers["x-trail-token"] !== "tok") return send(res, 403, { error: { code: "forbidden", message: "no token" } });
      const b = JSON.parse(body);
      if (m[2] === "notes") send(res, 200, { notes: [{ time: new Date().toISOString(), user: { name: "Ann Lee" }, text: b.text }] });
      else send(res, 200, { tags: b.set });
    });
    return;
  }
  if (p === "/api/v1/compare") {
    const ids = q.ids.split(",");
    const recs = ids.map(record);
    const fields = {};
    const flat = (o, pre) => { for (const [k, v] of Object.entries(o)) { if (v && typeof v === "object") flat(v, pre + k + "."); else (fields[pre + k] ??= []).push(v); } };
    recs.forEach((r) => { flat({ params: r.params, tags: r.tags }, ""); for (const [k, s] of Object.entries(r.metrics.summary)) for (const f of ["last", "min", "max"]) (fields[`metrics.${k}.${f}`] ??= []).push(s[f] + Math.random() * 0.1); });
    return send(res, 200, { runs: recs.map((r) => ({ id: r.id, record: r })), fields, differing: Object.keys(fields).filter((k) => new Set(fields[k].map(String)).size > 1) });
  }
  if (p === "/api/v1/sweeps") return send(res, 200, { sweeps: [{ id: "demo-sweep-1", strategy: "grid", objective: { metric: "val_loss", goal: "min" }, trials: 12, best: { id: "demo-5", value: 0.21 }, status: "finished", started: "2026-11-01T00:00:00Z" }] });
  if ((m = /^\/api\/v1\/sweeps\/([^/]+)$/.exec(p))) {
    let best = Infinity;
    const trials = Array.from({ length: 12 }, (_, i) => { const v = 0.2 + ((i * 7919) % 13) / 20; best = Math.min(best, v); return { id: `demo-${i + 1}`, number: i + 1, status: i === 4 ? "pruned" : "finished", value: v, params: { lr: [0.01, 0.03, 0.1][i % 3], layers: 1 + (i % 4), opt: OPT[i % 3] }, pruned: i === 4 ? "median rule at step 20" : null, best_so_far: best }; });
    return send(res, 200, { sweep: { id: m[1], strategy: "grid", space: { lr: { choice: [0.01, 0.03, 0.1] } } }, trials, objective: { metric: "val_loss", goal: "min" } });
  }
  send(res, 404, { error: { code: "not_found", message: "no such endpoint " + p } });
}).listen(port, "127.0.0.1", () => console.log(`mock trail ui on http://127.0.0.1:${port}/`));
