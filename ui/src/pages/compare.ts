// Compare 2..50 runs (GET /api/v1/compare): params and context side by side with "only
// differences" on by default, metric overlays, a scatter of any param against any metric,
// parallel coordinates over the params to an objective, and the code diff between two runs.
import { CompareResponse, getJson, Scalar } from "../api";
import { parallelCoordinates, scatterPlot } from "../charts/canvas";
import { MetricChart } from "../charts/metric_chart";
import { chartControls, color, SettingsStore } from "../charts/settings";
import { fill, h, link, section } from "../dom";
import { fmt } from "../format";
import { replaceQuery } from "../router";
import { diffView, errorBox, isObject } from "./common";

export function compareView(root: HTMLElement, _args: string[], params: URLSearchParams) {
  const ids = (params.get("ids") ?? "").split(",").filter((s) => s);
  const settings = new SettingsStore();
  const charts: MetricChart[] = [];
  let disposed = false;
  if (ids.length < 2 || ids.length > 50) {
    fill(root, errorBox(new Error("Compare takes 2 to 50 runs: select them in the runs table (ids=a,b,...).")));
    return;
  }
  fill(root, h("p", { class: "muted" }, "loading …"));

  getJson<CompareResponse>("/api/v1/compare", { ids: ids.join(",") })
    .then((cmp) => !disposed && render(cmp))
    .catch((e) => fill(root, errorBox(e)));

  const render = (cmp: CompareResponse) => {
    const runIds = cmp.runs.map((r) => r.id);
    const differing = new Set(cmp.differing);
    let onlyDiff = params.get("all") !== "1";

    // ---- fields table ----
    const tableBox = h("div", { class: "compare-table-wrap" });
    const drawTable = () => {
      const keys = Object.keys(cmp.fields).filter((k) => !onlyDiff || differing.has(k));
      fill(tableBox, h("table", { class: "grid compare-table" },
        h("thead", null, h("tr", null, h("th", null, "field"), runIds.map((id, i) => {
          const th = h("th", null, link("/runs/" + encodeURIComponent(id), id));
          th.style.borderTop = `3px solid ${color(i)}`;
          return th;
        }))),
        h("tbody", null, keys.length === 0 ? h("tr", null, h("td", { colSpan: runIds.length + 1, class: "muted" }, "no differences")) :
          keys.map((k) => h("tr", { class: differing.has(k) ? "differs" : "" }, h("th", null, k), cmp.fields[k].map((v) => h("td", null, fmt(v)))))),
      ));
    };
    const diffBox = h("input", {
      type: "checkbox",
      checked: onlyDiff,
      class: "only-diff",
      onChange: () => {
        onlyDiff = diffBox.checked;
        if (onlyDiff) params.delete("all");
        else params.set("all", "1");
        replaceQuery(params);
        drawTable();
      },
    });
    drawTable();

    // ---- metric overlays ----
    const metricNames = new Set<string>();
    for (const r of cmp.runs) if (isObject(r.record?.metrics?.summary)) Object.keys(r.record.metrics.summary).forEach((m) => metricNames.add(m));
    const grid = h("div", { class: "chart-grid" });
    for (const m of Array.from(metricNames).sort()) {
      const c = new MetricChart(m, runIds.map((id) => ({ id, label: id })), settings);
      charts.push(c);
      grid.append(c.el);
    }

    // ---- scatter and parallel coordinates over fields ----
    const paramKeys = Object.keys(cmp.fields).filter((k) => k.startsWith("params."));
    const metricKeys = Object.keys(cmp.fields).filter((k) => (k.startsWith("metrics.") && k.endsWith(".last")) || k.startsWith("derived.") || k.startsWith("metrics.") && (k.endsWith(".min") || k.endsWith(".max")));
    const select = (options: string[], value: string, onChange: () => void) => {
      const s = h("select", { onChange }, options.map((o) => h("option", { value: o }, o)));
      s.value = value;
      return s;
    };
    const scatterBox = h("div");
    const xSel: HTMLSelectElement = select(paramKeys, params.get("sx") ?? paramKeys.find((k) => differing.has(k)) ?? paramKeys[0] ?? "", () => drawScatter());
    const ySel: HTMLSelectElement = select(metricKeys, params.get("sy") ?? metricKeys[0] ?? "", () => drawScatter());
    const drawScatter = () => {
      params.set("sx", xSel.value);
      params.set("sy", ySel.value);
      replaceQuery(params);
      const xs = cmp.fields[xSel.value] ?? [];
      const ys = cmp.fields[ySel.value] ?? [];
      fill(scatterBox, scatterPlot(xSel.value, ySel.value, runIds.map((id, i) => ({ x: xs[i] as Scalar, y: ys[i] as Scalar, label: id }))));
    };
    const pcBox = h("div");
    const objSel: HTMLSelectElement = select(metricKeys, params.get("obj") ?? metricKeys[0] ?? "", () => drawPc());
    const goalSel: HTMLSelectElement = select(["min", "max"], params.get("goal") ?? "min", () => drawPc());
    const drawPc = () => {
      params.set("obj", objSel.value);
      params.set("goal", goalSel.value);
      replaceQuery(params);
      const axes = paramKeys.filter((k) => differing.has(k));
      const use = axes.length ? axes : paramKeys;
      fill(pcBox, parallelCoordinates({
        axes: [...use.map((k) => k.slice(7)), objSel.value],
        rows: runIds.map((id, i) => ({ label: id, values: [...use.map((k) => cmp.fields[k][i]), cmp.fields[objSel.value]?.[i]] })),
        goal: goalSel.value as "min" | "max",
      }, Math.max(600, Math.min(1200, root.clientWidth - 40))));
    };

    // ---- code diff between two runs ----
    const aSel = select(runIds, runIds[0], () => {});
    const bSel = select(runIds, runIds[1], () => {});
    const codeBox = h("div");
    const showCode = async () => {
      try {
        const d = await getJson<{ stat: string; patch: string }>("/api/v1/compare/code", { a: aSel.value, b: bSel.value });
        fill(codeBox, h("pre", { class: "stat" }, d.stat || "the two snapshots are the same"), d.patch ? diffView(d.patch) : null);
      } catch (e) {
        fill(codeBox, errorBox(e));
      }
    };

    const chartFilter = h("input", {
      type: "search",
      placeholder: "filter charts",
      class: "chart-filter",
      onInput: () => {
        const q = chartFilter.value.toLowerCase();
        grid.querySelectorAll<HTMLElement>(".chart").forEach((c) => (c.hidden = !(c.dataset.metric ?? "").toLowerCase().includes(q)));
      },
    });
    fill(root,
      h("h1", null, `Compare ${runIds.length} runs`),
      section("Params and context", h("label", null, diffBox, " only differences"), tableBox),
      section("Metrics", h("div", { class: "row" }, chartControls(settings), metricNames.size > 4 ? chartFilter : null), metricNames.size ? grid : h("p", { class: "muted" }, "no metrics")),
      section("Scatter", h("div", { class: "row" }, h("label", null, "x ", xSel), h("label", null, "y ", ySel)), scatterBox),
      section("Parallel coordinates", h("div", { class: "row" }, h("label", null, "objective ", objSel), h("label", null, "goal ", goalSel)), pcBox),
      section("Code diff", h("div", { class: "row" }, aSel, " → ", bSel, h("button", { type: "button", onClick: showCode }, "Diff")), codeBox),
    );
    if (paramKeys.length && metricKeys.length) {
      drawScatter();
      drawPc();
    }
  };

  return () => {
    disposed = true;
    charts.forEach((c) => c.destroy());
  };
}
