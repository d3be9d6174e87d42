// The runs table: a virtualised list over GET /api/v1/runs (fixed row height, only the visible
// rows in the DOM, the rows of the visible window fetched by offset as they scroll into view, the
// total from /runs/count), sorted and filtered on the server with the `--where` language, running
// runs pinned on top and refreshed from /api/v1/events. The whole view lives in the URL: where,
// sort, desc, cols, sel, group, chart.
//
// What the first paint waits for is one request: the first rows (main.ts sends it, and the
// column keys after it, while this code loads: runs_first.ts). The count, the header's project
// line and the event stream are asked for once those rows are on screen, so they neither queue
// before them at the server nor delay them.
import { ApiError, getJson, Keys, Row, RunsPage } from "../api";
import type { MetricChart } from "../charts/metric_chart";
import { chartControls, SettingsStore } from "../charts/settings";
import { afterPaint, fill, h, link } from "../dom";
import { fmt, fmtDuration, fmtGrouped, fmtTime } from "../format";
import { navigate, replaceQuery } from "../router";
import { startHeader } from "../header";
import { firstLimit, listingOf, MIN_LIMIT, OVERSCAN, ROW_H, rowsParams } from "./runs_first";

const MAX_LIMIT = 1000; // the API's most
const MIN_GAP = 120; // ms between window requests while scrolling
const KEEP_ROWS = 4000; // rows kept in memory around the window
const DEFAULT_ATTRS = ["id", "name", "status", "user", "started", "duration"];

interface Column {
  key: string;
  title: string;
  width: number;
  cell: (r: Row) => Node | string;
}

function column(key: string): Column {
  const dot = key.indexOf(".");
  const group = dot > 0 ? key.slice(0, dot) : "";
  const name = dot > 0 ? key.slice(dot + 1) : key;
  switch (group) {
    case "params":
      return { key, title: name, width: 110, cell: (r) => fmt(r.params?.[name]) };
    case "metrics":
      return { key, title: name, width: 110, cell: (r) => fmt(r.metrics?.[name]?.last) };
    case "tags":
      return { key, title: "#" + name, width: 110, cell: (r) => fmt(r.tags?.[name]) };
    case "derived":
      return { key, title: name, width: 120, cell: (r) => fmt(r.derived?.[name]) };
    case "context":
      return { key, title: name, width: 120, cell: (r) => fmt(r.context?.[name]) };
  }
  switch (key) {
    case "id":
      return { key, title: "id", width: 130, cell: (r) => link("/runs/" + encodeURIComponent(r.id), r.id) };
    case "status":
      return { key, title: "status", width: 84, cell: (r) => h("span", { class: "status " + (r.status ?? "") }, r.status ?? "") };
    case "started":
      return { key, title: "started", width: 165, cell: (r) => fmtTime(r.started) };
    case "duration":
      return { key, title: "duration", width: 90, cell: (r) => fmtDuration(r.duration_s) };
    case "parent":
      return { key, title: "parent", width: 120, cell: (r) => (r.parent ? link("/sweeps/" + encodeURIComponent(r.parent), r.parent) : "") };
    default:
      return { key, title: key, width: key === "name" || key === "user" ? 140 : 100, cell: (r) => fmt((r as any)[key]) };
  }
}

// The sort key the server understands for a column (docs/query.md, --sort).
function sortKey(col: string): string {
  return col;
}

function list(v: string | null): string[] {
  return v ? v.split(",").filter((s) => s !== "") : [];
}

export function runsView(root: HTMLElement, _args: string[], params: URLSearchParams) {
  const state = {
    ...listingOf(params),
    cols: list(params.get("cols")),
    sel: new Set(list(params.get("sel"))),
    chart: params.get("chart") ?? "",
  };
  const colsChosen = state.cols.length > 0; // else the defaults, once /keys has answered
  let keys: Keys | null = null;
  let columns: Column[] = [];
  let total = 0;
  let live: Row[] = [];
  // Rows by their index in the listing, as fetched; `stale` holds the rows shown before a refresh
  // until the new ones come. Both are trimmed to the rows near the window (KEEP_ROWS).
  let rows = new Map<number, Row>();
  let stale = new Map<number, Row>();
  // Requests in flight (the first rows, or a window); a result of an older generation is dropped.
  let inflight: Flight[] = [];
  let lastIssued = -Infinity;
  let scheduleTimer = 0;
  // What the first rows were listed from, and a `changed` event that came while they were asked
  // for: the table refetches only when an event names another tip or other live runs.
  let listed: ListingState | null = null;
  let eventWhileListing: ListingState | null = null;
  let started = false; // keys, events and the header asked for (after the first rows)
  let generation = 0;
  let disposed = false;
  let columnsEdited = false;

  const saveUrl = () => {
    const p = new URLSearchParams();
    if (state.where) p.set("where", state.where);
    if (state.sort) p.set("sort", state.sort);
    if (state.desc) p.set("desc", "1");
    if (state.cols.length && (colsChosen || columnsEdited)) p.set("cols", state.cols.join(","));
    if (state.sel.size) p.set("sel", Array.from(state.sel).join(","));
    if (state.group) p.set("group", "parent");
    if (state.chart) p.set("chart", state.chart);
    replaceQuery(p);
  };

  // ---- the query box, with the error shown at its column ----
  const input = h("input", {
    type: "text",
    class: "query mono",
    placeholder: "metrics.val_loss < 0.3 and params.optimizer = 'adam'",
    value: state.where,
    spellcheck: false,
    name: "where",
  });
  const queryError = h("div", { class: "query-error mono", hidden: true });
  const showError = (e: ApiError | null, text: string) => {
    if (!e) {
      queryError.hidden = true;
      input.classList.remove("bad");
      return;
    }
    input.classList.add("bad");
    queryError.hidden = false;
    if (e.column && e.column >= 1) {
      const col = Math.min(e.column, text.length + 1);
      fill(queryError, h("div", { class: "caret-line" }, " ".repeat(col - 1) + "^"), h("div", null, e.message));
      if (document.activeElement === input) input.setSelectionRange(col - 1, col);
    } else fill(queryError, h("div", null, e.message));
  };
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      state.where = input.value.trim();
      reload();
    }
  });
  let checkTimer = 0;
  input.addEventListener("input", () => {
    clearTimeout(checkTimer);
    checkTimer = window.setTimeout(async () => {
      const text = input.value;
      try {
        await getJson("/api/v1/query/check", { where: text });
        showError(null, text);
      } catch (e) {
        if (e instanceof ApiError && e.status === 400) showError(e, text);
      }
    }, 300);
  });

  // ---- toolbar ----
  const countEl = h("span", { class: "count" });
  const chartBtn = h("button", { type: "button", onClick: () => toggleChart() }, "Chart");
  const compareBtn = h("button", {
    type: "button",
    onClick: () => navigate("/compare?ids=" + Array.from(state.sel).map(encodeURIComponent).join(",")),
  }, "Compare");
  const groupBox = h("input", {
    type: "checkbox",
    checked: state.group,
    onChange: () => {
      state.group = groupBox.checked;
      reload();
    },
  });
  const colPanel = h("div", { class: "col-panel", hidden: true });
  const colBtn = h("button", { type: "button", onClick: () => (colPanel.hidden = !colPanel.hidden) }, "Columns");
  const updateButtons = () => {
    const n = state.sel.size;
    chartBtn.disabled = n < 1;
    compareBtn.disabled = n < 2 || n > 50;
    chartBtn.textContent = `Chart (${n})`;
    compareBtn.textContent = `Compare (${n})`;
  };

  // ---- chart panel for the selected runs ----
  const settings = new SettingsStore();
  const chartPanel = h("div", { class: "card chart-panel", hidden: true });
  let chart: MetricChart | null = null;
  let chartGen = 0;
  // The chart code (uPlot) is a chunk of its own: the table does not parse it until a chart is
  // asked for.
  const drawChartPanel = () => {
    chart?.destroy();
    chart = null;
    const gen = ++chartGen;
    if (!state.chart || state.sel.size === 0 || !keys) {
      chartPanel.hidden = true;
      return;
    }
    chartPanel.hidden = false;
    import("../charts/metric_chart").then(({ MetricChart }) => {
      if (gen === chartGen && !disposed && keys) showChart(MetricChart, keys.metrics);
    });
  };
  const showChart = (Chart: typeof MetricChart, metrics: Keys["metrics"]) => {
    const sel = h("select", {
      onChange: () => {
        state.chart = sel.value;
        saveUrl();
        drawChartPanel();
      },
    }, metrics.map((k) => h("option", { value: k.key }, k.key)));
    sel.value = state.chart;
    const runs = Array.from(state.sel).map((id) => ({ id, label: id }));
    chart = new Chart(state.chart, runs, settings);
    fill(chartPanel, h("div", { class: "row" }, h("label", null, "metric ", sel), chartControls(settings)), chart.el);
  };
  const toggleChart = () => {
    if (state.chart) state.chart = "";
    else state.chart = keys?.metrics[0]?.key ?? "";
    saveUrl();
    drawChartPanel();
  };

  // ---- the table ----
  const head = h("div", { class: "thead" });
  const pinned = h("div", { class: "pinned" });
  const body = h("div", { class: "tbody" });
  const scroller = h("div", { class: "scroller" }, head, pinned, body);
  const rowWidth = () => 32 + columns.reduce((a, c) => a + c.width, 0) + (state.group ? 130 : 0);

  const checkbox = (id: string) =>
    h("input", {
      type: "checkbox",
      class: "sel",
      checked: state.sel.has(id),
      title: "select " + id,
      onChange: (ev: Event) => {
        if ((ev.target as HTMLInputElement).checked) state.sel.add(id);
        else state.sel.delete(id);
        saveUrl();
        updateButtons();
        if (state.chart) drawChartPanel();
      },
    });

  const renderRow = (r: Row | undefined, i: number, prev: Row | undefined, isLive = false) => {
    const el = h("div", { class: "tr" + (isLive ? " live" : "") + (i % 2 ? " odd" : ""), dataset: r ? { id: r.id } : {} });
    el.style.width = rowWidth() + "px";
    if (!isLive) el.style.top = i * ROW_H + "px";
    el.append(h("div", { class: "td check" }, r ? checkbox(r.id) : ""));
    if (state.group) {
      const start = r && (!prev || prev.parent !== r.parent);
      const g = h("div", { class: "td group" + (start ? " start" : "") }, start ? (r!.parent ? link("/sweeps/" + encodeURIComponent(r!.parent), r!.parent) : "(no sweep)") : "");
      g.style.width = "130px";
      el.append(g);
      if (start && i > 0) el.classList.add("group-start");
    }
    if (!r) {
      // Not fetched yet: one cell, cheap to build while a fast scroll passes.
      el.append(h("div", { class: "td" }, "…"));
      return el;
    }
    for (const c of columns) {
      const td = h("div", { class: "td" }, c.cell(r));
      td.style.width = c.width + "px";
      td.title = td.textContent ?? "";
      el.append(td);
    }
    return el;
  };

  const renderHead = () => {
    const cells = [h("div", { class: "th check" }, h("input", {
      type: "checkbox",
      title: "clear the selection",
      checked: state.sel.size > 0,
      onChange: () => {
        state.sel.clear();
        saveUrl();
        updateButtons();
        draw(true);
        drawChartPanel();
      },
    }))];
    if (state.group) {
      const g = h("div", { class: "th" }, "sweep");
      g.style.width = "130px";
      cells.push(g);
    }
    for (const c of columns) {
      const active = state.sort === sortKey(c.key);
      const th = h("div", {
        class: "th sortable" + (active ? " sorted" : ""),
        title: "sort by " + c.key,
        dataset: { key: c.key },
        onClick: () => {
          if (state.sort === sortKey(c.key)) state.desc = !state.desc;
          else {
            state.sort = sortKey(c.key);
            state.desc = c.key.startsWith("metrics.") ? false : true;
          }
          reload();
        },
      }, c.title, active ? (state.desc ? " ▼" : " ▲") : "");
      th.style.width = c.width + "px";
      cells.push(th);
    }
    fill(head, ...cells);
    head.style.width = rowWidth() + "px";
  };

  const rowAt = (i: number) => rows.get(i) ?? stale.get(i);

  // The rows the view needs: what is on screen plus OVERSCAN either side. (Reading the scroll
  // position forces a layout: with no rows yet, nothing is read.)
  const visibleWindow = () => {
    if (total === 0) return { first: 0, last: 0 };
    const top = scroller.scrollTop - body.offsetTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + scroller.clientHeight) / ROW_H) + OVERSCAN);
    return { first, last: Math.max(first, last) };
  };

  const setTotal = (n: number) => {
    total = n;
    body.style.height = total * ROW_H + "px";
    body.style.width = rowWidth() + "px";
  };

  // Draws the visible window, keeping the row elements already there: a row is built only when
  // it scrolls in or its data arrives (or everything, with `force`: selection, columns).
  let drawnRows = new Map<number, { el: HTMLElement; row: Row | undefined }>();
  let drawn = { first: -1, last: -1 };
  const draw = (force = false) => {
    const { first, last } = visibleWindow();
    drawn = { first, last };
    if (force) {
      body.replaceChildren();
      drawnRows = new Map();
    }
    for (const [i, d] of drawnRows) {
      if (i < first || i >= last) {
        d.el.remove();
        drawnRows.delete(i);
      }
    }
    const added: HTMLElement[] = [];
    let prevRebuilt = false;
    for (let i = first; i < last; i++) {
      const r = rowAt(i);
      const d = drawnRows.get(i);
      // A sweep's first row depends on the row before it: redrawn when that one is.
      if (d && d.row === r && !(state.group && prevRebuilt && r)) {
        prevRebuilt = false;
        continue;
      }
      const el = renderRow(r, i, i > 0 ? rowAt(i - 1) : undefined);
      if (d) d.el.replaceWith(el);
      else added.push(el);
      drawnRows.set(i, { el, row: r });
      prevRebuilt = true;
    }
    if (added.length) body.append(...added);
    schedule();
  };

  // Fetches the missing rows of the window: at once when the view has been still, else at most
  // every MIN_GAP ms while it scrolls (a drag across 100,000 rows does not ask for every row it
  // passes), and a request for rows that scrolled out of view is cancelled.
  function schedule() {
    if (disposed || scheduleTimer) return;
    const { first, last } = drawn;
    let from = first;
    while (from < last && rows.has(from)) from++;
    let to = last;
    while (to > from && rows.has(to - 1)) to--;
    if (from >= to) return;
    if (inflight.some((f) => f.from <= from && f.to >= to)) return;
    for (const f of inflight) {
      if (f.window && (f.to <= first || f.from >= last)) f.abort.abort();
    }
    inflight = inflight.filter((f) => !f.abort.signal.aborted);
    if (inflight.some((f) => f.window)) return; // one window at a time: the next when it lands
    const wait = lastIssued + MIN_GAP - performance.now();
    if (wait > 0) {
      scheduleTimer = window.setTimeout(() => {
        scheduleTimer = 0;
        schedule();
      }, wait);
      return;
    }
    fetchRows(from, Math.min(MAX_LIMIT, Math.max(to - from, MIN_LIMIT)), true);
  }

  const trimCache = () => {
    if (rows.size + stale.size <= KEEP_ROWS) return;
    const mid = (drawn.first + drawn.last) / 2;
    for (const m of [rows, stale]) for (const i of m.keys()) if (Math.abs(i - mid) > KEEP_ROWS / 4) m.delete(i);
  };

  const showLive = (page: RunsPage) => {
    live = page.live ?? [];
    listed = { tip: page.tip ?? "", live: live.map((r) => r.id) };
    fill(pinned, ...live.map((r, i) => renderRow(r, i, undefined, true)));
    showCount();
  };
  let counted = false;
  const showCount = () => {
    countEl.textContent = (counted ? `${fmtGrouped(total)} runs` : "") + (live.length ? `${counted ? " · " : ""}${live.length} running` : "");
  };

  // The rows [offset, offset + limit). The first rows (offset 0) also bring the live runs and the
  // tip; after them come the count and, the first time, the keys, the event stream and the header.
  function fetchRows(offset: number, limit: number, isWindow: boolean): void {
    const gen = generation;
    const flight: Flight = { from: offset, to: offset + limit, window: isWindow, abort: new AbortController() };
    inflight.push(flight);
    lastIssued = performance.now();
    getJson<RunsPage>("/api/v1/runs", rowsParams(state, offset, limit), flight.abort.signal)
      .then((page) => {
        if (gen !== generation || disposed) return;
        page.runs.forEach((r, k) => {
          rows.set(offset + k, r);
          stale.delete(offset + k);
        });
        const end = offset + page.runs.length;
        if (!page.next_cursor && end < total) setTotal(end); // the listing is shorter than thought
        if (offset === 0) {
          showError(null, state.where);
          if (!counted) setTotal(page.runs.length); // until the count comes
          showLive(page);
          afterPaint(() => fetchCount(gen));
          afterFirstRows();
          const ev = eventWhileListing;
          eventWhileListing = null;
          if (ev && !sameListing(ev, listed)) refreshSoon();
        }
        trimCache();
        draw();
      })
      .catch((e) => {
        if (gen !== generation || disposed || flight.abort.signal.aborted) return;
        if (e instanceof ApiError && e.status === 400) {
          showError(e, state.where);
          setTotal(0);
          counted = false;
          countEl.textContent = "";
          draw(true);
        } else countEl.textContent = String(e.message);
        if (offset === 0) {
          listed = { tip: "", live: [] }; // the next `changed` event tries again
          afterFirstRows();
        }
      })
      .finally(() => {
        inflight = inflight.filter((f) => f !== flight);
        if (gen === generation && !disposed) schedule();
      });
  }

  const fetchCount = (gen: number) => {
    if (gen !== generation || disposed) return;
    getJson<{ total: number }>("/api/v1/runs/count", { where: state.where })
      .then((c) => {
        if (gen !== generation || disposed) return;
        counted = true;
        setTotal(c.total);
        showCount();
        draw();
      })
      .catch(() => {});
  };

  // A new query, sort or column set: forget the rows, start from the top.
  let listedOnce = false;
  function reload() {
    generation++;
    for (const f of inflight) f.abort.abort();
    inflight = [];
    rows = new Map();
    stale = new Map();
    listed = null;
    eventWhileListing = null;
    counted = false;
    saveUrl();
    columns = state.cols.map(column);
    renderHead();
    setTotal(0);
    if (listedOnce) scroller.scrollTop = 0; // (a write that forces a layout: not on the first)
    listedOnce = true;
    fetchRows(0, firstLimit(), false);
    draw(true);
  }

  // Something changed on the branch or among live runs: refetch the first rows (live runs, count)
  // and the window, showing the old rows until the new ones come.
  const refreshVisible = () => {
    generation++;
    for (const f of inflight) f.abort.abort();
    inflight = [];
    for (const [i, r] of rows) stale.set(i, r);
    rows = new Map();
    listed = null;
    eventWhileListing = null;
    fetchRows(0, drawn.first === 0 ? Math.max(MIN_LIMIT, drawn.last) : 1, false);
    draw();
  };
  let refreshTimer = 0;
  const refreshSoon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(refreshVisible, 100);
  };

  scroller.addEventListener("scroll", () => draw());
  const onResize = () => draw();
  window.addEventListener("resize", onResize);
  // "/" jumps to the query box, as in many search UIs.
  const onKey = (ev: KeyboardEvent) => {
    const t = ev.target as HTMLElement;
    if (ev.key === "/" && !(t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement)) {
      ev.preventDefault();
      input.focus();
    }
  };
  document.addEventListener("keydown", onKey);

  let events: EventSource | null = null;
  const onChanged = (ev: Event) => {
    let data: ListingState;
    try {
      const d = JSON.parse((ev as MessageEvent).data);
      data = { tip: String(d.tip ?? ""), live: Array.isArray(d.live) ? d.live.map(String) : [] };
    } catch {
      return refreshSoon();
    }
    if (listed === null) eventWhileListing = data; // the first rows are on their way: compare then
    else if (!sameListing(data, listed)) refreshSoon();
  };

  // ---- column chooser from /keys ----
  const renderColPanel = () => {
    if (!keys) return;
    const k = keys;
    const group = (title: string, prefix: string, items: string[]) =>
      items.length === 0
        ? null
        : h("fieldset", null, h("legend", null, title), items.map((name) => {
            const key = prefix ? prefix + "." + name : name;
            return h("label", { class: "col-choice" }, h("input", {
              type: "checkbox",
              checked: state.cols.includes(key),
              dataset: { key },
              onChange: (ev: Event) => {
                if ((ev.target as HTMLInputElement).checked) state.cols.push(key);
                else state.cols = state.cols.filter((c) => c !== key);
                columnsEdited = true;
                reload();
              },
            }), " " + name);
          }));
    fill(
      colPanel,
      group("attributes", "", k.attributes),
      group("params", "params", k.params.map((x) => x.key)),
      group("metrics (last)", "metrics", k.metrics.map((x) => x.key)),
      group("derived", "derived", k.derived.map((x) => x.key)),
      group("tags", "tags", k.tags.map((x) => x.key)),
      group("context", "context", k.context.map((x) => x.key)),
    );
  };

  fill(
    root,
    h("div", { class: "toolbar" },
      h("div", { class: "query-wrap" }, input, queryError),
      h("button", { type: "button", onClick: () => { state.where = input.value.trim(); reload(); } }, "Filter"),
      colBtn,
      h("label", { title: "group trials under their sweep (sorts by parent)" }, groupBox, " group by sweep"),
      chartBtn,
      compareBtn,
      countEl,
    ),
    colPanel,
    chartPanel,
    scroller,
  );
  updateButtons();

  // The column keys are asked for right after the first rows (they are cached on the server, and
  // the default columns come from them: arriving after the rows they would cost a second render);
  // the event stream and the header once the first rows are painted.
  const fetchKeys = () =>
    getJson<Keys>("/api/v1/keys")
      .then((k) => {
        if (disposed) return;
        keys = k;
        if (!colsChosen && !columnsEdited) {
          state.cols = [
            ...DEFAULT_ATTRS,
            ...k.params.slice(0, 4).map((x) => "params." + x.key),
            ...k.metrics.slice(0, 4).map((x) => "metrics." + x.key),
          ];
          columns = state.cols.map(column);
          renderHead();
          setTotal(total);
          draw(true);
        }
        renderColPanel();
        if (state.chart) drawChartPanel();
      })
      .catch(() => {});

  function afterFirstRows() {
    if (started || disposed) return;
    started = true;
    afterPaint(() => {
      if (disposed) return;
      events = new EventSource("/api/v1/events");
      events.addEventListener("changed", onChanged);
      startHeader();
    });
  }

  if (state.cols.length === 0) state.cols = [...DEFAULT_ATTRS];
  reload();
  fetchKeys();

  return () => {
    disposed = true;
    for (const f of inflight) f.abort.abort();
    events?.close();
    chart?.destroy();
    window.removeEventListener("resize", onResize);
    document.removeEventListener("keydown", onKey);
    clearTimeout(refreshTimer);
    clearTimeout(checkTimer);
    clearTimeout(scheduleTimer);
  };
}

interface Flight {
  from: number;
  to: number;
  window: boolean; // a scrolled-to window (cancelled when it scrolls out of view), not the first rows
  abort: AbortController;
}

interface ListingState {
  tip: string;
  live: string[];
}

function sameListing(a: ListingState, b: ListingState | null): boolean {
  if (!b || a.tip !== b.tip || a.live.length !== b.live.length) return false;
  const ids = new Set(b.live);
  return a.live.every((id) => ids.has(id));
}
