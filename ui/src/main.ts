// Entry point: the header and the routes (docs/ui.md lists the URL scheme). Each page's code is a
// chunk of its own, loaded when its route is shown; what a page needs first is asked for here,
// from the URL, while that chunk loads (api.ts: requestEarly).
import { FIRST_CHART_WIDTH, requestEarly, RunResponse, runPath, seriesPath, seriesPoints } from "./api";
import { h } from "./dom";
import { header, startHeader } from "./header";
import { requestTableEarly } from "./pages/runs_first";
import { lazy, startRouter } from "./router";

const RUNS = /^\/(?:runs\/?)?$/;
const RUN = /^\/runs\/([^/]+)\/?$/;

// The run page: its record, and as soon as that has come, its charts' series, asked for as the
// page's charts ask before they are laid out (the page's code may still be loading).
function requestRunEarly(id: string): void {
  requestEarly<RunResponse>(runPath(id))
    .then((run) => {
      const summary = run.record?.metrics?.summary;
      if (typeof summary !== "object" || summary === null) return;
      const runId = String(run.record.id ?? run.id);
      for (const name of Object.keys(summary)) requestEarly(seriesPath(runId, name), { points: seriesPoints(FIRST_CHART_WIDTH), x: "step" });
    })
    .catch(() => {}); // the view reports it
}

const path = location.pathname;
const tableFirst = RUNS.test(path);
if (tableFirst) requestTableEarly(new URLSearchParams(location.search));
const run = RUN.exec(path);
if (run) {
  try {
    requestRunEarly(decodeURIComponent(run[1]));
  } catch {
    // a malformed escape: the view says so
  }
}

const main = h("main", { id: "main" });
document.body.append(header(), main);
startRouter(main, [
  { match: RUNS, render: lazy(() => import("./pages/runs").then((m) => m.runsView)) },
  { match: RUN, render: lazy(() => import("./pages/run").then((m) => m.runView)) },
  { match: /^\/compare\/?$/, render: lazy(() => import("./pages/compare").then((m) => m.compareView)) },
  { match: /^\/sweeps\/?$/, render: lazy(() => import("./pages/sweeps").then((m) => m.sweepsView)) },
  { match: /^\/sweeps\/([^/]+)\/?$/, render: lazy(() => import("./pages/sweeps").then((m) => m.sweepView)) },
]);
// The first view's requests are out. The runs table and the run page start the header's project
// line themselves once their first rows or charts are painted (so it does not queue before their
// requests at the server), and in any case within 3 s.
if (!tableFirst && !run) startHeader();
else window.setTimeout(startHeader, 3000);
