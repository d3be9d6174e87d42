// One metric of one or more runs, drawn by uPlot from the server's downsampled series
// (GET /runs/{id}/metrics/{name}?points=&x=&from=&to=: per bucket first/min/max/last, so no
// spike is hidden). A drag selects an x range and re-queries it at full resolution (points =
// the plot's pixel width); a double-click goes back to the whole series.
import uPlot from "uplot";
import { FIRST_CHART_WIDTH, getJson, SeriesResponse, seriesPath, seriesPoints } from "../api";
import { h } from "../dom";
import { fmtGrouped, fmtNumber } from "../format";
import { color, ema, SettingsStore } from "./settings";

export interface ChartRun {
  id: string;
  label: string;
}

const HEIGHT = 220;
// The page's own font (app.css), so the canvas text needs no font lookups of its own (uPlot's
// default names a dozen families, each a fontconfig query in a fresh tab).
const FONT = '12px system-ui, -apple-system, "Segoe UI", sans-serif';
// Values are formatted here, never by uPlot's Intl formatters (ui/build.mjs makes those lazy:
// building the first Intl object of a page costs 100+ ms).
const legendValue = (_u: uPlot, v: number | null) => (v === null || v === undefined ? "" : fmtNumber(v));
const axisValues = (_u: uPlot, vals: (number | null)[]) => vals.map((v) => (v === null ? "" : fmtGrouped(v)));

export class MetricChart {
  readonly el: HTMLElement;
  private plot: uPlot | null = null;
  private body: HTMLElement;
  private info: HTMLElement;
  private range: { from: number; to: number } | null = null;
  private raw: SeriesResponse[] = [];
  private unsubscribe: () => void;
  private request = 0;
  private refreshTimer: number | null = null;
  private resizeObserver: ResizeObserver;
  // Settles when the first load has drawn the chart (or failed): a page asks for what can wait
  // after its charts.
  readonly ready: Promise<void>;

  constructor(
    readonly metric: string,
    readonly runs: ChartRun[],
    private readonly settings: SettingsStore,
  ) {
    this.body = h("div", { class: "chart-body" });
    this.info = h("span", { class: "chart-info" });
    this.el = h(
      "div",
      { class: "chart", dataset: { metric } },
      h("div", { class: "chart-title" }, h("strong", null, metric), " ", this.info),
      this.body,
    );
    this.unsubscribe = settings.subscribe((what) => {
      if (what === "x") {
        this.range = null;
        this.load();
      } else this.draw(what !== "smoothing");
    });
    this.resizeObserver = new ResizeObserver(() => {
      if (this.plot && Math.abs(this.plot.width - this.width()) > 2) this.plot.setSize({ width: this.width(), height: HEIGHT });
    });
    this.resizeObserver.observe(this.body);
    this.info.textContent = "loading …";
    this.ready = this.load();
  }

  destroy(): void {
    this.unsubscribe();
    this.resizeObserver.disconnect();
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.plot?.destroy();
    this.plot = null;
  }

  // New points arrived for a live run: re-query soon (at most ~3 times a second), keeping a zoom.
  refreshSoon(): void {
    if (this.refreshTimer !== null) return;
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = null;
      this.load();
    }, 300);
  }

  // The plot's width; FIRST_CHART_WIDTH before the chart is in the page (a first load is asked
  // for as the chart is made, before the page around it is laid out).
  private width(): number {
    return Math.max(200, Math.floor((this.body.isConnected && this.body.clientWidth) || FIRST_CHART_WIDTH));
  }

  private async load(): Promise<void> {
    const req = ++this.request;
    const s = this.settings.value;
    const points = seriesPoints(this.width());
    let failure: string | null = null;
    try {
      const all = await Promise.all(
        this.runs.map((r) =>
          getJson<SeriesResponse>(seriesPath(r.id, this.metric), {
            points,
            x: s.x,
            from: this.range?.from,
            to: this.range?.to,
          }).catch((e: Error) => {
            // One run without the metric leaves a gap in an overlay; say why only if none has it.
            failure ??= e.message;
            return null;
          }),
        ),
      );
      if (req !== this.request) return;
      if (all.every((r) => r === null)) {
        this.info.textContent = failure ?? "no points";
        this.info.classList.add("error-text");
        return;
      }
      this.info.classList.remove("error-text");
      this.raw = all.map(
        (r) => r ?? ({ metric: this.metric, x: s.x, total: 0, in_range: 0, downsampled: false, points: { x: [], y: [] }, min: null, max: null, x_min: 0, x_max: 0 } as SeriesResponse),
      );
      const total = this.raw.reduce((a, r) => a + r.total, 0);
      const shown = this.raw.reduce((a, r) => a + r.points.x.length, 0);
      const down = this.raw.some((r) => r.downsampled);
      this.info.textContent = `${shown} of ${total} points${down ? " (downsampled, extremes kept)" : ""}${this.range ? " · zoomed" : ""}`;
      this.draw(true);
    } catch (e) {
      if (req === this.request) this.info.textContent = String((e as Error).message);
    }
  }

  private draw(rebuild: boolean): void {
    const s = this.settings.value;
    const tables: uPlot.AlignedData[] = this.raw.map((r) => [r.points.x, r.points.y.map((v) => v ?? null)] as uPlot.AlignedData);
    const smoothing = s.smoothing > 0;
    let data: uPlot.AlignedData;
    if (tables.length === 1) data = tables[0];
    else data = uPlot.join(tables.filter((t) => (t[0] as number[]).length > 0).length ? tables : [[[], []]]);
    const series: uPlot.Series[] = [{ label: s.x, value: s.x === "time" ? undefined : legendValue }];
    const cols: (number | null | undefined)[][] = [data[0] as number[]];
    this.raw.forEach((_, i) => {
      const ys = (data[i + 1] ?? []) as (number | null)[];
      const c = color(i);
      const label = this.runs[i]?.label ?? String(i);
      if (smoothing) {
        series.push({ label: label + " (raw)", stroke: c + "40", width: 1, spanGaps: true, points: { show: false }, value: legendValue });
        cols.push(ys);
        series.push({ label, stroke: c, width: 1.5, spanGaps: true, points: { show: false }, value: legendValue });
        cols.push(ema(ys, s.smoothing));
      } else {
        series.push({ label, stroke: c, width: 1.5, spanGaps: tables.length > 1, points: { show: false }, value: legendValue });
        cols.push(ys);
      }
    });
    data = cols as uPlot.AlignedData;
    if (this.plot && !rebuild) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    const opts: uPlot.Options = {
      width: this.width(),
      height: HEIGHT,
      series,
      legend: { show: this.runs.length > 1 || smoothing },
      scales: {
        x: { time: s.x === "time", distr: s.logX ? 3 : 1 },
        y: { distr: s.logY ? 3 : 1 },
      },
      axes: [
        // A time axis keeps uPlot's date formatting (its own, not Intl's).
        { stroke: "#555", grid: { stroke: "#eee" }, font: FONT, labelFont: "bold " + FONT, values: s.x === "time" ? undefined : axisValues },
        { stroke: "#555", grid: { stroke: "#eee" }, font: FONT, labelFont: "bold " + FONT, size: 60, values: (_u, vals) => vals.map((v) => (v === null ? "" : fmtNumber(v))) },
      ],
      cursor: { drag: { x: true, y: false, setScale: false } },
      hooks: {
        setSelect: [
          (u: uPlot) => {
            if (u.select.width < 3) return;
            const from = u.posToVal(u.select.left, "x");
            const to = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            this.range = { from, to };
            this.load();
          },
        ],
      },
    };
    this.plot = new uPlot(opts, data, this.body);
    this.plot.over.addEventListener("dblclick", () => {
      this.range = null;
      this.load();
    });
  }
}
