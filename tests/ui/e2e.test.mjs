// End-to-end tests of the web UI in a real browser: Debian's Chromium driven by playwright-core
// (no browser download) against `trail ui --port 0` on a temporary project with real recorded
// runs. Run by ctest `ui_e2e` (TRAIL_BIN set), or by hand:
//   TRAIL_BIN=$PWD/build/trail node --test tests/ui/
// Screenshots of every page go to $TRAIL_UI_SCREENSHOTS (default: a temp dir, printed).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(root, "ui", "package.json"));
const { chromium } = require("playwright-core");

const TRAIL = resolve(process.env.TRAIL_BIN ?? join(root, "build", "trail"));
const PYTHON = "/usr/bin/python3";
const XSS = "<img src=x onerror=alert(1)>";
const tmp = mkdtempSync(join(tmpdir(), "trail-ui-e2e-"));
const shots = process.env.TRAIL_UI_SCREENSHOTS ? resolve(process.env.TRAIL_UI_SCREENSHOTS) : join(tmp, "screenshots");
mkdirSync(shots, { recursive: true });
const repo = join(tmp, "demo");
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TRAIL_") && !k.startsWith("GIT_"))),
  HOME: join(tmp, "home"),
  XDG_CONFIG_HOME: join(tmp, "home", ".config"),
  GIT_CONFIG_NOSYSTEM: "1",
  LC_ALL: "C.UTF-8",
  PYTHONDONTWRITEBYTECODE: "1",
  PYTHONUNBUFFERED: "1",
};
mkdirSync(env.HOME, { recursive: true });

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: repo, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts });
const trail = (...args) => run(TRAIL, args);
const git = (...args) => run("git", args);

// A training script: loss and val_loss per step from its --lr, 300 steps with one spike.
const TRAIN = `
import argparse, json, math, os
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, default=0.1)
p.add_argument("--optimizer", default="adam")
p.add_argument("--label", default="")
p.add_argument("--steps", type=int, default=300)
a = p.parse_args()
with open(os.environ["TRAIL_METRICS"], "a") as f:
    for s in range(a.steps):
        loss = math.exp(-a.lr * s / 10) + 0.05 * math.sin(s) + (2.0 if s == 150 else 0.0)
        f.write(json.dumps({"step": s, "loss": loss, "val_loss": loss * 1.1 + 0.02}) + "\\n")
print("trained with lr", a.lr)
`;
// A run that writes a point every 100 ms until the test creates the file "stop-slow" (at most
// 2 minutes), to watch live: the test, not a timer, decides when it ends, so a slow machine
// cannot finish the run before the page has seen it running.
const SLOW = `
import json, os, time
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f:
    for s in range(1200):
        if os.path.exists("stop-slow"):
            break
        f.write(json.dumps({"step": s, "live_loss": 1.0 / (s + 1)}) + "\\n")
        time.sleep(0.1)
`;

let server;
let base;
let context;
let page;
const dialogs = [];

function startServer() {
  return new Promise((resolvePromise, reject) => {
    server = spawn(TRAIL, ["ui", "--port", "0"], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error("trail ui printed no URL in 15 s:\n" + out)), 15000);
    const onData = (d) => {
      out += d;
      const m = /http:\/\/[^\s/]+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[0]);
      }
    };
    server.stdout.on("data", onData);
    server.stderr.on("data", onData);
    server.on("exit", (code) => reject(new Error(`trail ui exited ${code}:\n${out}`)));
  });
}

// While the library behind an endpoint is still a stub (a part of issue 16 not merged yet), it
// answers 500 "...: not implemented yet"; the scenarios that need it are skipped, naming it.
async function stubbed(path) {
  const resp = await fetch(base + path);
  if (resp.status !== 500) return null;
  const body = await resp.text();
  return /not implemented yet/.test(body) ? body : null;
}

async function shot(name) {
  await page.screenshot({ path: join(shots, name + ".png"), fullPage: true });
}

// Counts the pixels of a chart canvas that are neither background nor grey (axes, grid, text):
// the drawn series. uPlot draws everything into one canvas.
async function coloredPixels(selector) {
  return page.$eval(selector, (canvas) => {
    const ctx = canvas.getContext("2d");
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
    }
    return n;
  });
}

before(async () => {
  mkdirSync(repo);
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Ann Lee");
  git("config", "user.email", "ann@example.org");
  git("config", "commit.gpgsign", "false");
  writeFileSync(join(repo, "train.py"), TRAIN);
  writeFileSync(join(repo, "slow.py"), SLOW);
  writeFileSync(join(repo, "data.csv"), "x,y\n" + Array.from({ length: 500 }, (_, i) => `${i},${i % 3}`).join("\n") + "\n");
  git("add", "train.py", "slow.py");
  git("commit", "-q", "-m", "initial");
  trail("init", "--name", "demo");
  git("add", ".trail");
  git("commit", "-q", "-m", "trail init");
  // demo-1 .. demo-4; demo-4 carries a param that is HTML.
  trail("run", "--data", "train=data.csv", "--", PYTHON, "train.py", "--lr", "0.1", "--optimizer", "adam");
  writeFileSync(join(repo, "train.py"), TRAIN + "# tuned\n");
  trail("run", "--", PYTHON, "train.py", "--lr", "0.01", "--optimizer", "sgd");
  trail("run", "--tag", "stage=best", "--", PYTHON, "train.py", "--lr", "0.05", "--optimizer", "adam");
  trail("run", "--", PYTHON, "train.py", "--lr", "0.2", "--optimizer", "sgd", "--label", XSS);
  writeFileSync(join(tmp, "sweep.yaml"), `command: ${PYTHON} train.py --lr {lr} --steps 50\nobjective: {metric: val_loss, goal: minimize}\nstrategy: grid\nspace:\n  lr: {choice: [0.05, 0.3, 0.6]}\n`);
  trail("sweep", join(tmp, "sweep.yaml"), "--quiet");

  base = await startServer();
  context = await chromium.launchPersistentContext(join(tmp, "chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1400, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.setDefaultTimeout(10000);
});

after(async () => {
  await context?.close();
  server?.kill("SIGTERM");
  console.log("screenshots: " + shots);
  if (!process.env.TRAIL_UI_SCREENSHOTS) rmSync(join(tmp, "demo"), { recursive: true, force: true });
});

test("runs table lists, filters, and shows a bad query's error at its column", async () => {
  await page.goto(base + "/?cols=id,status,params.lr,params.optimizer,params.label,metrics.loss");
  await page.waitForSelector('.tbody .tr[data-id="demo-4"]');
  assert.equal(await page.locator(".tbody .tr[data-id]").count(), 7); // 4 runs + 3 trials
  await shot("runs");

  await page.fill("input.query", "params.optimizer = 'adam'");
  await page.press("input.query", "Enter");
  await page.waitForFunction(() => document.querySelectorAll(".tbody .tr[data-id]").length === 2);
  const ids = await page.$$eval(".tbody .tr[data-id]", (rows) => rows.map((r) => r.dataset.id).sort());
  assert.deepEqual(ids, ["demo-1", "demo-3"]);
  assert.equal(new URL(page.url()).searchParams.get("where"), "params.optimizer = 'adam'");

  await page.fill("input.query", "metrics.loss < and params.lr > 1");
  await page.press("input.query", "Enter");
  await page.waitForSelector(".query-error:not([hidden])");
  const err = await page.textContent(".query-error");
  assert.match(err, /column 16/);
  assert.match(err, /\^/);
  await shot("runs-bad-query");
});

test("the table's first paint waits on one request, and only a real change fetches it again", async () => {
  const seen = [];
  const onRequest = (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/v1/")) seen.push(u.pathname + (u.pathname === "/api/v1/runs" && u.searchParams.get("offset") === "0" ? "@0" : ""));
  };
  const firstRows = () => seen.filter((p) => p === "/api/v1/runs@0").length;
  // Leave the previous page first: its debounced query check could otherwise go out after the
  // listener is on and look like this page's first request.
  await page.goto("about:blank");
  page.on("request", onRequest);
  try {
    await page.goto(base + "/?cols=id,status");
    await page.waitForSelector('.tbody .tr[data-id="demo-4"]');
    await page.waitForFunction(() => /^7 runs/.test(document.querySelector(".count")?.textContent ?? ""));
    // The first rows go out first; the count, the event stream and the header after them.
    assert.equal(seen[0], "/api/v1/runs@0", seen.join(" "));
    for (const later of ["/api/v1/runs/count", "/api/v1/events", "/api/v1/project"]) assert.ok(seen.indexOf(later) > 0, later + ": " + seen.join(" "));
    // The stream's first event names the tip the rows were listed from: no second listing.
    await new Promise((done) => setTimeout(done, 1500));
    assert.equal(firstRows(), 1, seen.join(" "));
    // A tag moves the runs branch: the table lists its rows again.
    trail("tag", "demo-1", "seen=yes");
    for (let i = 0; i < 100 && firstRows() < 2; i++) await new Promise((done) => setTimeout(done, 100));
    assert.equal(firstRows(), 2, seen.join(" "));
  } finally {
    page.off("request", onRequest);
  }
});

test("a param that is HTML shows as text and runs nothing", async () => {
  await page.goto(base + "/?cols=id,params.label");
  await page.waitForSelector('.tbody .tr[data-id="demo-4"]');
  const cell = await page.locator('.tbody .tr[data-id="demo-4"] .td').last().textContent();
  assert.equal(cell, XSS);
  await page.goto(base + "/runs/demo-4");
  await page.waitForSelector("table.kv");
  assert.ok((await page.textContent("main")).includes(XSS));
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.deepEqual(dialogs, []);
});

test("a run page shows its record and draws its metric charts", async (t) => {
  await page.goto(base + "/");
  await page.click('.tbody .tr[data-id="demo-1"] a');
  await page.waitForURL(/\/runs\/demo-1$/);
  await page.waitForSelector(".output");
  await page.waitForFunction(() => (document.querySelector(".output")?.textContent ?? "").includes("trained"));
  const text = await page.textContent("main");
  for (const s of ["Context", "Code", "Params", "Metrics", "Data", "train: data.csv", "Output", "trained with lr 0.1", "Tags and notes", "adam"]) assert.ok(text.includes(s), s);
  await page.click("text=First rows of the snapshot");
  await page.waitForSelector("table.data, .data-head .error, .data-head p");
  const stub = await stubbed("/api/v1/runs/demo-1/metrics/loss");
  if (stub) {
    await shot("run");
    t.skip("series API not implemented yet: " + stub);
    return;
  }
  await page.waitForSelector('.chart[data-metric="loss"] canvas');
  await page.waitForFunction(() => /of 300 points/.test(document.querySelector('.chart[data-metric="loss"] .chart-info')?.textContent ?? ""));
  assert.ok((await coloredPixels('.chart[data-metric="loss"] canvas')) > 200, "the loss chart has a drawn line");
  await shot("run");
  // Drag across the middle of the chart: the zoomed range is re-queried with from/to.
  const over = page.locator('.chart[data-metric="loss"] .u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  const zoomed = page.waitForRequest((r) => r.url().includes("/metrics/loss?") && r.url().includes("from="));
  await page.mouse.move(box.x + box.width * 0.4, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + 40, { steps: 4 });
  await page.mouse.up();
  await zoomed;
  await page.waitForFunction(() => /zoomed/.test(document.querySelector('.chart[data-metric="loss"] .chart-info')?.textContent ?? ""));
  await page.mouse.dblclick(box.x + box.width * 0.5, box.y + 40);
  await page.waitForFunction(() => /of 300 points$/.test(document.querySelector('.chart[data-metric="loss"] .chart-info')?.textContent ?? ""));
});

test("compare three runs from the table's selection", async (t) => {
  await page.goto(base + "/");
  for (const id of ["demo-1", "demo-2", "demo-3"]) await page.check(`.tbody .tr[data-id="${id}"] input.sel`);
  await page.click("text=Compare (3)");
  await page.waitForURL(/\/compare\?ids=/);
  await page.waitForSelector(".compare-table");
  const headers = await page.$$eval(".compare-table thead th a", (as) => as.map((a) => a.textContent).sort());
  assert.deepEqual(headers, ["demo-1", "demo-2", "demo-3"]);
  const fields = await page.$$eval(".compare-table tbody th", (ths) => ths.map((t) => t.textContent));
  assert.ok(fields.includes("params.lr") && fields.includes("params.optimizer"), fields.join(" "));
  assert.ok((await coloredPixels("canvas.parcoords")) > 100);
  const stub = await stubbed("/api/v1/runs/demo-1/metrics/loss");
  if (stub) {
    await shot("compare");
    t.skip("series API not implemented yet: " + stub);
    return;
  }
  await page.waitForFunction(() => /of 900 points/.test(document.querySelector('.chart[data-metric="loss"] .chart-info')?.textContent ?? ""));
  assert.ok((await coloredPixels('.chart[data-metric="loss"] canvas')) > 300);
  await shot("compare");
});

test("a sweep page shows the leaderboard and its plots", async () => {
  await page.goto(base + "/sweeps");
  await page.click("text=demo-sweep-1");
  await page.waitForSelector("table.leaderboard");
  assert.equal(await page.locator("table.leaderboard tbody tr").count(), 3);
  assert.ok((await coloredPixels("canvas.parcoords")) > 50);
  await shot("sweep");
});

test("a running run's chart grows live", async (t) => {
  const stub = (await stubbed("/api/v1/project")) ?? (await stubbed("/api/v1/runs/demo-1/metrics/loss"));
  if (stub) {
    t.skip("live API not implemented yet: " + stub);
    return;
  }
  const child = spawn(TRAIL, ["run", "--", PYTHON, "slow.py"], { cwd: repo, env, stdio: "ignore" });
  try {
    await page.goto(base + "/");
    const row = page.locator(".pinned .tr[data-id]").first();
    await row.waitFor({ timeout: 30000 });
    const id = await row.getAttribute("data-id");
    await page.goto(base + "/runs/" + id);
    await page.waitForSelector('.chart[data-metric="live_loss"] canvas');
    const points = async () => Number((/of (\d+) points/.exec((await page.textContent('.chart[data-metric="live_loss"] .chart-info')) ?? "") ?? [0, 0])[1]);
    const first = await points();
    await page.waitForFunction((n) => {
      const m = /of (\d+) points/.exec(document.querySelector('.chart[data-metric="live_loss"] .chart-info')?.textContent ?? "");
      return m && Number(m[1]) >= n + 5;
    }, first, { timeout: 15000 });
    assert.ok((await coloredPixels('.chart[data-metric="live_loss"] canvas')) > 20);
    await shot("run-live");
    // When it ends, the page shows the finished record.
    writeFileSync(join(repo, "stop-slow"), "");
    await page.waitForSelector(".run-head .status.finished", { timeout: 30000 });
  } finally {
    child.kill("SIGTERM");
  }
});

test("a note added in the page lands on the runs branch", async () => {
  await page.goto(base + "/runs/demo-2");
  await page.waitForSelector("textarea.note-input");
  const note = "looks good <b>really</b>";
  await page.fill("textarea.note-input", note);
  await page.click("button.add-note");
  await page.waitForSelector(".note-text");
  assert.equal(await page.textContent(".note-text"), note);
  const dir = (await (await fetch(base + "/api/v1/runs/demo-2")).json()).dir;
  assert.ok(git("show", `trail:${dir}/run.yaml`).includes("looks good <b>really</b>"));
  await shot("run-note");
  assert.deepEqual(dialogs, []);
});
