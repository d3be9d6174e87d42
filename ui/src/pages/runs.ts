// The runs table: a virtualised list over GET /api/v1/runs (fixed row height, only the visible
// rows in the DOM, pages fetched by offset as they scroll into view, the total from count=1),
// sorted and filtered on the server with the `--where` language, running runs pinned on top and
// refreshed from /api/v1/events. The whole view lives in the URL: where, sort, desc, cols, sel,
// group, chart.
import { ApiError, getJson, Keys, Row, RunsPage } from "../api";
import { MetricChart } from "../charts/metric_chart";
import { chartControls, SettingsStore } from "../charts/settings";
import { fill, h, link } from "../dom";
import { fmt, fmtDuration, fmtTime } from "../format";
import { navigate, replaceQuery } from "../router";

const ROW_H = 28;
const PAGE = 100;
const OVERSCAN = 10;
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
    where: params.get("where") ?? "",
    sort: params.get("sort") ?? "",
    desc: params.get("desc") === "1",
    cols: list(params.get("cols")),
    sel: new Set(list(params.get("sel"))),
    group: params.get("group") === "parent",
    chart: params.get("chart") ?? "",
  };
  const colsChosen = state.cols.length > 0; // else the defaults, once /keys has answered
  let keys: Keys | null = null;
  let columns: Column[] = [];
  let total = 0;
  let live: Row[] = [];
  let pages = new Map<number, Row[]>();
  const pending = new Map<number, Promise<void>>();
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
  const drawChartPanel = () => {
    chart?.destroy();
    chart = null;
    if (!state.chart || state.sel.size === 0 || !keys) {
      chartPanel.hidden = true;
      return;
    }
    chartPanel.hidden = false;
    const sel = h("select", {
      onChange: () => {
        state.chart = sel.value;
        saveUrl();
        drawChartPanel();
      },
    }, keys.metrics.map((k) => h("option", { value: k.key }, k.key)));
    sel.value = state.chart;
    const runs = Array.from(state.sel).map((id) => ({ id, label: id }));
    chart = new MetricChart(state.chart, runs, settings);
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
    for (const c of columns) {
      const td = h("div", { class: "td" }, r ? c.cell(r) : i === 0 ? "" : "…");
      td.style.width = c.width + "px";
      if (r) td.title = td.textContent ?? "";
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

  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  // Draws the visible window; `force` redraws rows already there (selection, new data).
  let drawn = { first: -1, last: -1 };
  const draw = (force = false) => {
    body.style.height = total * ROW_H + "px";
    body.style.width = rowWidth() + "px";
    const top = scroller.scrollTop - body.offsetTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(total, Math.ceil((top + scroller.clientHeight) / ROW_H) + OVERSCAN);
    if (!force && first === drawn.first && last === drawn.last) return;
    drawn = { first, last };
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) rows.push(renderRow(rowAt(i), i, i > 0 ? rowAt(i - 1) : undefined));
    body.replaceChildren(...rows);
    // Pages are fetched once the view rests for a moment, so dragging the scroll bar across
    // 100,000 rows does not ask for every page it passes.
    clearTimeout(fetchTimer);
    fetchTimer = window.setTimeout(() => {
      for (let p = Math.floor(drawn.first / PAGE); p <= Math.floor(Math.max(drawn.first, drawn.last - 1) / PAGE); p++) fetchPage(p);
    }, 30);
  };
  let fetchTimer = 0;

  const fetchPage = (p: number): Promise<void> => {
    if (pages.has(p) && !pending.has(p)) return Promise.resolve();
    const inFlight = pending.get(p);
    if (inFlight) return inFlight;
    const gen = generation;
    const promise = getJson<RunsPage>("/api/v1/runs", {
      where: state.where,
      sort: state.group ? "parent" : state.sort,
      desc: state.group ? false : state.sort ? state.desc : undefined,
      offset: p * PAGE,
      limit: PAGE,
      count: p === 0 ? 1 : undefined,
    })
      .then((page) => {
        if (gen !== generation || disposed) return;
        pages.set(p, page.runs);
        if (p === 0) {
          if (typeof page.total === "number") total = page.total;
          live = page.live ?? [];
          showError(null, state.where);
          countEl.textContent = `${total.toLocaleString()} runs` + (live.length ? ` · ${live.length} running` : "");
          fill(pinned, ...live.map((r, i) => renderRow(r, i, undefined, true)));
        }
        draw(true);
      })
      .catch((e) => {
        if (gen !== generation || disposed) return;
        if (e instanceof ApiError && e.status === 400) {
          showError(e, state.where);
          total = 0;
          countEl.textContent = "";
          draw(true);
        } else countEl.textContent = String(e.message);
      })
      .finally(() => {
        if (gen === generation) pending.delete(p);
      });
    pending.set(p, promise);
    return promise;
  };

  // A new query, sort or column set: forget the pages, start from the top.
  function reload() {
    generation++;
    pages = new Map();
    pending.clear();
    total = 0;
    saveUrl();
    columns = state.cols.map(column);
    renderHead();
    scroller.scrollTop = 0;
    drawn = { first: -1, last: -1 };
    fetchPage(0);
    draw(true);
  }

  // Something changed on the branch or among live runs: refetch what is on screen, keep the rest.
  const refreshVisible = () => {
    const keep = new Set<number>();
    for (let p = Math.floor(drawn.first / PAGE); p <= Math.floor(Math.max(drawn.first, drawn.last - 1) / PAGE); p++) keep.add(p);
    keep.add(0);
    generation++;
    pending.clear();
    const old = pages;
    pages = new Map();
    for (const p of keep) {
      const rows = old.get(p);
      if (rows) pages.set(p, rows);
    }
    for (const p of keep) {
      pages.delete(p);
      const rows = old.get(p);
      fetchPage(p);
      if (rows && !pages.has(p)) pages.set(p, rows); // show the old rows until the new ones come
    }
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

  const events = new EventSource("/api/v1/events");
  let refreshTimer = 0;
  events.addEventListener("changed", () => {
    clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(refreshVisible, 100);
  });

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

  getJson<Keys>("/api/v1/keys")
    .then((k) => {
      keys = k;
      if (!colsChosen) {
        state.cols = [
          ...DEFAULT_ATTRS,
          ...k.params.slice(0, 4).map((x) => "params." + x.key),
          ...k.metrics.slice(0, 4).map((x) => "metrics." + x.key),
        ];
        columns = state.cols.map(column);
        renderHead();
        draw(true);
      }
      renderColPanel();
      if (state.chart) drawChartPanel();
    })
    .catch(() => {});

  if (state.cols.length === 0) state.cols = [...DEFAULT_ATTRS];
  columns = state.cols.map(column);
  renderHead();
  fetchPage(0);
  draw(true);

  return () => {
    disposed = true;
    events.close();
    chart?.destroy();
    window.removeEventListener("resize", onResize);
    document.removeEventListener("keydown", onKey);
    clearTimeout(refreshTimer);
    clearTimeout(checkTimer);
    clearTimeout(fetchTimer);
  };
}
