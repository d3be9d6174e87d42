// The web UI's page figures (issue 16), in Debian's Chromium driven by playwright-core:
// the runs table painted, a scroll to row 90,000, a 1,000,000-point chart drawn, and how soon a
// live run's new point shows. Called by bench/ui/ui_bench.sh:
//   node bench/ui/browser_bench.mjs URL LONG_RUN_ID PROJECT TRAIL OUT_JSON
// Each figure is the median of a few tries in a fresh page; times are from navigation (or the
// scroll, or the point's write) until the thing is on screen, as the page's own clock sees it.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { chromium } = createRequire(join(root, "ui", "package.json"))("playwright-core");
const [url, longRun, project, trail, out] = process.argv.slice(2);
const TRIES = 5;
const ROW_H = 28; // ui/src/pages/runs.ts
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Where a figure's time went, from the page's resource timing: when the request matching `re`
// was sent and when its answer had come (ms from navigation), and when the entry module had come.
const requestTimes = (page, re) =>
  page.evaluate((source) => {
    const all = performance.getEntriesByType("resource");
    const r = all.find((e) => new RegExp(source).test(e.name));
    const entry = all.find((e) => /\/assets\/app-[^/]*\.js$/.test(e.name));
    return { sent: r ? r.startTime : null, answered: r ? r.responseEnd : null, script: entry ? entry.responseEnd : null };
  }, re.source);
const medianOf = (list, key) => {
  const xs = list.map((t) => t[key]).filter((x) => x !== null);
  return xs.length ? Math.round(median(xs)) : null;
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const res = {};

// The runs table: from navigation start to the first data row painted, filtered and sorted.
const where = encodeURIComponent("metrics.loss < 0.5 and params.lr > 0.01");
const tableTimes = [];
const rowsRequests = [];
for (let i = 0; i < TRIES; i++) {
  const page = await context.newPage();
  await page.goto(`${url}/?where=${where}&sort=metrics.accuracy&desc=1`, { waitUntil: "commit" });
  await page.waitForSelector(".scroller .tr[data-id]", { timeout: 30000 });
  tableTimes.push(await page.evaluate(() => performance.now()));
  rowsRequests.push(await requestTimes(page, /\/api\/v1\/runs\?.*offset=0/));
  await page.close();
}
res.table_paint_ms = median(tableTimes);
res.table_paint_tries_ms = tableTimes.map(Math.round);
// The breakdown: the entry module loaded, the first rows asked for and answered (medians).
res.table_script_loaded_ms = medianOf(rowsRequests, "script");
res.table_rows_sent_ms = medianOf(rowsRequests, "sent");
res.table_rows_answered_ms = medianOf(rowsRequests, "answered");

// Scroll to row 90,000 of the unfiltered table sorted by a metric: from setting scrollTop to a
// painted row whose top is that row's.
const scrollTimes = [];
for (let i = 0; i < TRIES; i++) {
  const page = await context.newPage();
  await page.goto(`${url}/?sort=metrics.accuracy&desc=1`);
  await page.waitForSelector(".scroller .tr[data-id]", { timeout: 30000 });
  const target = 90000 + i * 7;
  scrollTimes.push(
    await page.evaluate(
      ({ target, rowH }) =>
        new Promise((done, fail) => {
          const scroller = document.querySelector(".scroller");
          const t0 = performance.now();
          scroller.scrollTop = target * rowH;
          // Chromium writes a large top with 6 significant digits ("2.5202e+06px"): the row's index
          // is the nearest whole number of rows.
          const check = () => {
            const row = [...document.querySelectorAll(".scroller .tr[data-id]")].find(
              (r) => Math.round(parseFloat(r.style.top) / rowH) === target,
            );
            if (row) done(performance.now() - t0);
            else if (performance.now() - t0 > 20000) fail(new Error("row 90,000 never painted"));
            else requestAnimationFrame(check);
          };
          check();
        }),
      { target, rowH: ROW_H },
    ),
  );
  await page.close();
}
res.scroll_90000_ms = median(scrollTimes);
res.scroll_90000_tries_ms = scrollTimes.map(Math.round);

// The 1,000,000-point chart: from navigation to the chart's info line naming the full series
// (set when the points are drawn), with the canvas holding drawn pixels.
const chartTimes = [];
const seriesRequests = [];
for (let i = 0; i < TRIES; i++) {
  const page = await context.newPage();
  await page.goto(`${url}/runs/${encodeURIComponent(longRun)}`, { waitUntil: "commit" });
  await page.waitForFunction(
    () => /of 1,?000,?000 points/.test(document.querySelector('.chart[data-metric="loss"] .chart-info')?.textContent ?? ""),
    null,
    { timeout: 30000, polling: "raf" },
  );
  chartTimes.push(await page.evaluate(() => performance.now()));
  seriesRequests.push(await requestTimes(page, /\/metrics\/loss\?/));
  if (i === 0) {
    res.chart_info = await page.textContent('.chart[data-metric="loss"] .chart-info');
    res.chart_drawn_pixels = await page.evaluate(() => {
      const c = document.querySelector('.chart[data-metric="loss"] canvas');
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let p = 0; p < d.length; p += 4) if (d[p + 3] > 0 && (d[p] < 200 || d[p + 1] < 200)) n++;
      return n;
    });
  }
  await page.close();
}
res.chart_draw_ms = median(chartTimes);
res.chart_draw_tries_ms = chartTimes.map(Math.round);
// The breakdown: the entry module loaded, the series asked for and answered (medians).
res.chart_script_loaded_ms = medianOf(seriesRequests, "script");
res.chart_series_sent_ms = medianOf(seriesRequests, "sent");
res.chart_series_answered_ms = medianOf(seriesRequests, "answered");

// Live: a run writes a point every 250 ms and notes when; the page's chart info line counts the
// points it shows. The delay of each new count is the time since that point was written.
const times = join(project, ".live-times");
const live = spawn(trail, ["run", "--name", "live-bench", "--", "/usr/bin/python3", "-c", `
import json, os, time
with open(os.environ["TRAIL_METRICS"], "a", buffering=1) as f, open(${JSON.stringify(times)}, "w", buffering=1) as t:
    for s in range(40):
        f.write(json.dumps({"step": s, "loss": 1.0 / (s + 1)}) + "\\n")
        t.write(f"{s} {time.time() * 1000.0:.1f}\\n")
        time.sleep(0.25)
`], { cwd: project, stdio: "ignore" });
const page = await context.newPage();
let liveId = null;
for (let i = 0; i < 100 && !liveId; i++) {
  const r = await (await fetch(`${url}/api/v1/runs?limit=1`)).json();
  liveId = (r.live ?? []).map((x) => x.id)[0] ?? null;
  if (!liveId) await new Promise((s) => setTimeout(s, 100));
}
await page.goto(`${url}/runs/${encodeURIComponent(liveId)}`);
await page.waitForSelector('.chart[data-metric="loss"] .chart-info');
await page.evaluate(() => {
  window.__seen = [];
  const info = document.querySelector('.chart[data-metric="loss"] .chart-info');
  new MutationObserver(() => {
    const m = /^(\d[\d,]*) of/.exec(info.textContent ?? "");
    if (m) window.__seen.push([Number(m[1].replace(/,/g, "")), Date.now()]);
  }).observe(info, { childList: true, characterData: true, subtree: true });
});
await new Promise((s) => live.on("exit", s));
const seen = await page.evaluate(() => window.__seen);
const written = new Map(
  readFileSync(times, "utf8").trim().split("\n").map((l) => l.split(" ").map(Number)).map(([s, t]) => [s, t]),
);
const delays = [];
let last = 0;
for (const [count, at] of seen) {
  if (count > last && written.has(count - 1)) delays.push(at - written.get(count - 1));
  last = Math.max(last, count);
}
res.live_delay_ms = delays.length ? median(delays) : null;
res.live_delay_max_ms = delays.length ? Math.max(...delays) : null;
res.live_updates_seen = delays.length;
await page.close();
await browser.close();
writeFileSync(out, JSON.stringify(res, null, 1));
