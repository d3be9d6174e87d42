// Sweeps (GET /api/v1/sweeps, /sweeps/{id}): the list, and one sweep's leaderboard, objective
// against trial number with the best-so-far line, parallel coordinates, and the pruned trials.
import uPlot from "uplot";
import { getJson, Json, SweepResponse } from "../api";
import { parallelCoordinates } from "../charts/canvas";
import { fill, h, link, section } from "../dom";
import { fmt, fmtNumber, fmtTime } from "../format";
import { errorBox, isObject, kvTable, statusBadge, table } from "./common";

export function sweepsView(root: HTMLElement) {
  fill(root, h("p", { class: "muted" }, "loading …"));
  getJson<{ sweeps: Json[] }>("/api/v1/sweeps")
    .then((res) => {
      const sweeps = res.sweeps ?? [];
      fill(root,
        h("h1", null, "Sweeps"),
        sweeps.length === 0 ? h("p", { class: "muted" }, "No sweeps yet: trail sweep FILE starts one.") :
          table(["sweep", "strategy", "objective", "trials", "best", "status", "started"], sweeps.map((s) => [
            link("/sweeps/" + encodeURIComponent(String(s.id)), String(s.id)),
            s.strategy ?? s.spec?.strategy,
            isObject(s.objective) ? `${s.objective.goal ?? ""} ${s.objective.metric ?? ""}` : s.objective,
            Array.isArray(s.trials) ? s.trials.length : s.trials,
            isObject(s.best) ? `${fmt(s.best.value)} (${s.best.id ?? s.best.run ?? ""})` : s.best,
            s.status ? statusBadge(s.status) : "",
            fmtTime(s.started),
          ])),
      );
    })
    .catch((e) => fill(root, errorBox(e)));
}

export function sweepView(root: HTMLElement, args: string[]) {
  const id = args[0];
  let plot: uPlot | null = null;
  fill(root, h("p", { class: "muted" }, "loading " + id + " …"));
  getJson<SweepResponse>("/api/v1/sweeps/" + encodeURIComponent(id))
    .then((res) => {
      const trials = res.trials ?? [];
      const goal = res.objective?.goal ?? "min";
      const metric = res.objective?.metric ?? "objective";
      const ranked = trials.filter((t) => t.value !== null && Number.isFinite(t.value)).sort((a, b) => (goal === "min" ? a.value! - b.value! : b.value! - a.value!));
      const unranked = trials.filter((t) => !(t.value !== null && Number.isFinite(t.value)));
      const paramNames = Array.from(new Set(trials.flatMap((t) => Object.keys(t.params ?? {})))).sort();

      const board = table(["rank", "trial", "status", metric, ...paramNames], [...ranked, ...unranked].map((t, i) => [
        i < ranked.length ? i + 1 : "",
        link("/runs/" + encodeURIComponent(t.id), t.id),
        statusBadge(t.status),
        t.value,
        ...paramNames.map((p) => t.params?.[p]),
      ]), "grid leaderboard");

      // objective against trial number, with the best so far as a step line
      const chartBox = h("div", { class: "chart-body" });
      const byNumber = [...trials].sort((a, b) => a.number - b.number);
      const xs = byNumber.map((_, i) => i + 1);
      const data: uPlot.AlignedData = [xs, byNumber.map((t) => t.value), byNumber.map((t) => t.best_so_far)];

      const pruned = trials.filter((t) => t.pruned);
      fill(root,
        h("h1", null, "Sweep " + id),
        section("Sweep", kvTable(withoutTrials(res.sweep))),
        section("Leaderboard", board),
        section(`${metric} by trial`, chartBox),
        section("Parallel coordinates", parallelCoordinates({
          axes: [...paramNames, metric],
          rows: trials.map((t) => ({ label: t.id, values: [...paramNames.map((p) => t.params?.[p]), t.value] })),
          goal,
        }, Math.max(600, Math.min(1200, root.clientWidth - 40)))),
        section("Pruned trials", pruned.length === 0 ? h("p", { class: "muted" }, "none") : table(["trial", "why"], pruned.map((t) => [link("/runs/" + encodeURIComponent(t.id), t.id), t.pruned]))),
      );
      plot = new uPlot({
        width: Math.max(400, chartBox.clientWidth || 800),
        height: 260,
        scales: { x: { time: false } },
        series: [
          { label: "trial" },
          { label: metric, stroke: "#1f77b4", paths: () => null, points: { show: true, size: 7, fill: "#1f77b4" } },
          { label: "best so far", stroke: "#d62728", width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } },
        ],
        axes: [{ label: "trial", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }, { size: 60, values: (_u, v) => v.map((x) => (x === null ? "" : fmtNumber(x))) }],
      }, data, chartBox);
    })
    .catch((e) => fill(root, errorBox(e)));
  return () => plot?.destroy();
}

// The sweep record less its trial list (the leaderboard shows the trials).
function withoutTrials(sweep: Json): Json {
  if (!isObject(sweep)) return {};
  const { trials: _trials, ...rest } = sweep;
  return rest;
}
