// One run, in the order of the paper's Table 3: context, code, functions, params and the searched
// space, metric charts, derived metrics, data, artifacts, output, then tags and notes (editable).
// A running run's charts grow from /runs/{id}/events; when it finishes the page reloads it.
import { getJson, getText, Json, postJson, RunResponse, runPath } from "../api";
import { MetricChart } from "../charts/metric_chart";
import { chartControls, SettingsStore } from "../charts/settings";
import { afterPaint, fill, h, link, section } from "../dom";
import { startHeader } from "../header";
import { fmt, fmtBytes, fmtDuration, fmtTime } from "../format";
import { diffView, errorBox, flatten, isObject, kvTable, statusBadge, table } from "./common";

interface CodeFiles {
  commit: string;
  base: string | null;
  truncated: boolean;
  files: { path: string; type: string; size: number; executable: boolean }[];
}
interface DataHead {
  header: string[] | null;
  rows: unknown[][];
  truncated: boolean;
}

export function runView(root: HTMLElement, args: string[]) {
  const id = args[0];
  const charts = new Map<string, MetricChart>();
  const settings = new SettingsStore();
  let events: EventSource | null = null;
  let disposed = false;
  let outputTimer = 0;
  fill(root, h("p", { class: "muted" }, "loading " + id + " …"));

  const load = async () => {
    let run: RunResponse;
    try {
      run = await getJson<RunResponse>(runPath(id));
    } catch (e) {
      fill(root, errorBox(e));
      return;
    }
    if (disposed) return;
    for (const c of charts.values()) c.destroy();
    charts.clear();
    clearInterval(outputTimer);
    render(run);
    if (run.live) watch(run.id);
  };

  const watch = (runId: string) => {
    events?.close();
    events = new EventSource(runPath(runId, "events"));
    events.addEventListener("points", (ev) => {
      const data = JSON.parse((ev as MessageEvent).data) as { metrics?: Record<string, unknown> };
      for (const name of Object.keys(data.metrics ?? {})) {
        const chart = charts.get(name);
        if (chart) chart.refreshSoon();
        else addChart(runId, name);
      }
    });
    events.addEventListener("status", (ev) => {
      const data = JSON.parse((ev as MessageEvent).data) as { status?: string };
      const badge = root.querySelector(".run-head .status");
      if (badge && data.status) {
        badge.textContent = data.status;
        badge.className = "status " + data.status;
      }
    });
    events.addEventListener("finished", () => {
      events?.close();
      events = null;
      // The record is on the branch now (or about to be): show the final one.
      window.setTimeout(() => !disposed && load(), 300);
    });
  };

  let chartGrid: HTMLElement = h("div");
  const addChart = (runId: string, name: string) => {
    if (charts.has(name)) return;
    const c = new MetricChart(name, [{ id: runId, label: runId }], settings);
    charts.set(name, c);
    chartGrid.append(c.el);
    chartGrid.closest("section")?.querySelector(".muted.no-metrics")?.remove();
  };

  const render = (run: RunResponse) => {
    const r: Json = run.record ?? {};
    const runId: string = r.id ?? run.id;
    const parts: HTMLElement[] = [];

    // The charts' series are the first requests after the record, sent before the rest of the
    // page is built (each chart asks as it is made; it draws once the page holds it).
    const summary = isObject(r.metrics?.summary) ? r.metrics.summary : {};
    const names = Object.keys(summary);
    chartGrid = h("div", { class: "chart-grid" });
    for (const n of names) addChart(runId, n);

    // ---- header: identity, status, time, links ----
    const links: (HTMLElement | string)[] = [];
    if (r.parent) links.push("trial of sweep ", link("/sweeps/" + encodeURIComponent(r.parent), String(r.parent)));
    if (r.reproduces) links.push(" · reproduces ", link("/runs/" + encodeURIComponent(r.reproduces), String(r.reproduces)));
    const user = isObject(r.user) ? `${r.user.name ?? ""}${r.user.email ? ` <${r.user.email}>` : ""}` : fmt(r.user);
    parts.push(
      h("div", { class: "run-head" },
        h("h1", null, runId, r.name ? h("span", { class: "run-name" }, " " + r.name) : null, " ", statusBadge(run.live ? "running" : r.status), run.live ? h("span", { class: "live-dot", title: "live" }) : null),
        h("div", { class: "meta" },
          h("span", null, "started " + fmtTime(r.started)),
          r.ended ? h("span", null, "ended " + fmtTime(r.ended)) : null,
          r.duration_s !== undefined ? h("span", null, fmtDuration(r.duration_s)) : null,
          user ? h("span", null, user) : null,
          r.host ? h("span", null, "on " + r.host) : null,
          r.exit_code !== undefined ? h("span", null, "exit " + r.exit_code) : null,
          r.pruned ? h("span", null, "pruned: " + r.pruned) : null,
        ),
        Array.isArray(r.command) ? h("pre", { class: "command" }, r.command.map(String).join(" ")) : null,
        links.length ? h("div", { class: "links" }, ...links) : null,
        h("div", { class: "muted small" }, r.uid ? "uid " + fmt(r.uid) : "", run.dir ? " · " + run.dir : "", " · ", h("a", { href: runPath(runId), target: "_blank" }, "JSON")),
      ),
    );

    // ---- context: processors, versions, packages ----
    const env = isObject(r.environment) ? { ...r.environment } : {};
    const packages = env.packages;
    delete env.packages;
    parts.push(
      section("Context",
        h("div", { class: "cols2" },
          h("div", null, h("h3", null, "Environment"), kvTable(env)),
          h("div", null,
            h("h3", null, "Packages"),
            isObject(packages) && Object.keys(packages).length
              ? table(["package", "version"], Object.entries(packages).map(([k, v]) => [k, isObject(v) ? fmt(v.version ?? JSON.stringify(v)) : v]))
              : Array.isArray(packages) && packages.length
                ? table(["package", "version"], packages.map((p: Json) => (isObject(p) ? [p.name ?? "", p.version ?? ""] : [p, ""])))
                : h("p", { class: "muted" }, "none recorded"),
            r.context ? [h("h3", null, "Custom context"), kvTable(r.context)] : null,
          ),
        ),
      ),
    );

    // ---- code ----
    const code = isObject(r.code) ? r.code : null;
    const codeBody = h("div");
    const codeSection = section("Code", code ? kvTable(code) : h("p", { class: "muted" }, "no code recorded"), codeBody);
    if (code && code.snapshot && !run.live) {
      const filesBtn = h("button", { type: "button", onClick: () => showFiles() }, "Browse files");
      const diffBtn = h("button", { type: "button", onClick: () => showDiff() }, "Diff against " + String(code.commit ?? "start").slice(0, 10));
      const out = h("div", { class: "code-out" });
      fill(codeBody, h("div", { class: "row" }, filesBtn, diffBtn), out);
      const showFiles = async () => {
        try {
          const files = await getJson<CodeFiles>(runPath(runId, "code", "files"));
          const viewer = h("div", { class: "file-view" });
          const listEl = h("ul", { class: "file-list" }, files.files.filter((f) => f.type !== "tree").map((f) =>
            h("li", null, h("a", {
              href: "#",
              onClick: async (ev: Event) => {
                ev.preventDefault();
                try {
                  const t = await getText(runPath(runId, "code", "file"), { path: f.path });
                  fill(viewer, h("div", { class: "file-name" }, f.path, t.truncated ? " (truncated)" : ""), h("pre", { class: "file-text" }, t.text));
                } catch (e) {
                  fill(viewer, errorBox(e));
                }
              },
            }, f.path), h("span", { class: "muted" }, " " + fmtBytes(f.size)))));
          fill(out, h("div", { class: "files" }, listEl, viewer), files.truncated ? h("p", { class: "muted" }, "list truncated") : null);
        } catch (e) {
          fill(out, errorBox(e));
        }
      };
      const showDiff = async () => {
        try {
          const d = await getJson<{ stat: string; patch: string }>(runPath(runId, "code", "diff"));
          fill(out, h("pre", { class: "stat" }, d.stat || "no changes against the start commit"), d.patch ? diffView(d.patch) : null);
        } catch (e) {
          fill(out, errorBox(e));
        }
      };
    }
    parts.push(codeSection);

    // ---- Table 1 functions ----
    if (Array.isArray(r.functions) && r.functions.length)
      parts.push(section("Functions (Table 1)", table(["category", "name", "found", "at"], r.functions.map((f: Json) => [f.category, f.name, f.found, f.at]))));

    // ---- params and the searched space ----
    parts.push(
      section("Params",
        h("div", { class: "cols2" },
          h("div", null, kvTable(r.params, "no params")),
          r.hyperparameters ? h("div", null, h("h3", null, "Searched space"), kvTable(r.hyperparameters)) : null,
        ),
        r.seed !== undefined ? h("p", null, "seed " + fmt(r.seed)) : null,
        Array.isArray(r.seeds) && r.seeds.length ? table(["seed call", "value", "at"], r.seeds.map((s: Json) => [s.call, s.value, s.at])) : null,
      ),
    );

    // ---- metrics: charts, summary, derived ----
    const picker = h("input", {
      type: "search",
      placeholder: "filter charts",
      class: "chart-filter",
      onInput: () => {
        const q = picker.value.toLowerCase();
        chartGrid.querySelectorAll<HTMLElement>(".chart").forEach((c) => (c.hidden = !(c.dataset.metric ?? "").toLowerCase().includes(q)));
      },
    });
    parts.push(
      section("Metrics",
        h("div", { class: "row" }, chartControls(settings), names.length > 4 ? picker : null),
        chartGrid,
        names.length === 0 && !run.live ? h("p", { class: "muted no-metrics" }, "no metrics logged") : null,
        names.length ? table(["metric", "last", "min", "max", "count"], names.map((n) => [n, summary[n].last, summary[n].min, summary[n].max, summary[n].count])) : null,
        r.metrics?.derived ? [h("h3", null, "Derived"), kvTable(r.metrics.derived)] : null,
      ),
    );

    // ---- data inputs ----
    if (Array.isArray(r.data) && r.data.length) {
      parts.push(
        section("Data",
          r.data.map((d: Json) => {
            const head = h("div", { class: "data-head" });
            const snap = isObject(d.snapshot) ? d.snapshot : null;
            return h("div", { class: "data-input" },
              h("h3", null, `${d.role ?? "input"}: `, d.source ? String(d.source) : ""),
              kvTable(d),
              h("button", {
                type: "button",
                onClick: async () => {
                  try {
                    const hd = await getJson<DataHead>(runPath(runId, "data", encodeURIComponent(String(d.role)), "head"), { rows: 20 });
                    fill(head, hd.header || hd.rows.length ? table(hd.header ?? hd.rows[0].map((_, i) => "col " + (i + 1)), hd.rows, "grid data") : h("p", { class: "muted" }, "no rows"), hd.truncated ? h("p", { class: "muted" }, "first rows only") : null);
                  } catch (e) {
                    fill(head, errorBox(e));
                  }
                },
              }, snap ? "First rows of the snapshot" : "First rows"),
              head,
            );
          }),
        ),
      );
    }

    // ---- artifacts ----
    if (Array.isArray(r.artifacts) && r.artifacts.length) {
      parts.push(
        section("Artifacts",
          table(["path", "role", "size", ""], r.artifacts.map((a: Json) => [
            a.path,
            a.role,
            fmtBytes(a.size),
            a.oid ? (a.type === "folder" ? folderLink(runId, a.oid) : h("a", { href: runPath(runId, "files", String(a.oid)), download: "" }, "download")) : "",
          ])),
        ),
      );
    }

    // ---- output ----
    const outPre = h("pre", { class: "output" });
    const outSection = section("Output", outPre);
    const loadOutput = () =>
      getText(runPath(runId, "output"))
        .then((t) => {
          const atEnd = outPre.scrollTop + outPre.clientHeight >= outPre.scrollHeight - 4;
          outPre.textContent = t.text || "(empty)";
          if (atEnd) outPre.scrollTop = outPre.scrollHeight;
        })
        .catch(() => (outPre.textContent = "(no output captured)"));
    const outputWanted = Boolean(r.output || run.live);
    if (!outputWanted) outPre.textContent = "(no output captured)";
    // A running run's output grows: follow it every 2 s while the page shows it.
    if (run.live) outputTimer = window.setInterval(loadOutput, 2000);
    parts.push(outSection);

    // ---- tags and notes ----
    parts.push(tagsAndNotes(runId, r, run.live));

    // ---- everything else ----
    const known = new Set(["trail", "id", "number", "uid", "name", "parent", "reproduces", "status", "pruned", "exit_code", "user", "started", "ended", "duration_s", "command", "host", "code", "params", "hyperparameters", "seed", "seeds", "metrics", "functions", "data", "artifacts", "context", "output", "environment", "tags", "notes"]);
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (!known.has(k)) rest[k] = v;
    if (flatten(rest).length) parts.push(section("More", kvTable(rest)));

    fill(root, h("div", { class: "run-page" }, parts));
    // The output and the header's project line are asked for once the charts are drawn (or
    // after a second), so they do not compete with the series at the server.
    const drawn = Promise.all(Array.from(charts.values(), (c) => c.ready));
    Promise.race([drawn, new Promise((done) => setTimeout(done, 1000))]).then(() =>
      afterPaint(() => {
        if (disposed) return;
        startHeader();
        if (outputWanted) loadOutput();
      }),
    );
  };

  load();
  return () => {
    disposed = true;
    clearInterval(outputTimer);
    events?.close();
    for (const c of charts.values()) c.destroy();
  };
}

function folderLink(runId: string, oid: string): HTMLElement {
  const box = h("span");
  const btn = h("a", {
    href: "#",
    onClick: async (ev: Event) => {
      ev.preventDefault();
      try {
        const l = await getJson<{ files: { path: string; size: number; oid: string }[] }>(runPath(runId, "files", oid, "list"));
        fill(box, h("ul", { class: "file-list" }, l.files.map((f) => h("li", null, h("a", { href: runPath(runId, "files", f.oid), download: "" }, f.path), " " + fmtBytes(f.size)))));
      } catch (e) {
        fill(box, errorBox(e));
      }
    },
  }, "list files");
  box.append(btn);
  return box;
}

function tagsAndNotes(runId: string, r: Json, live: boolean): HTMLElement {
  const tagsEl = h("div", { class: "tags" });
  const msg = h("div", { class: "form-msg" });
  const drawTags = (tags: Record<string, string>) =>
    fill(tagsEl, Object.keys(tags).length === 0 ? h("span", { class: "muted" }, "no tags") : Object.entries(tags).map(([k, v]) =>
      h("span", { class: "tag" }, `${k}=${v}`, live ? null : h("button", {
        type: "button",
        class: "x",
        title: "remove tag " + k,
        onClick: () => edit({ remove: [k] }),
      }, "×"))));
  const edit = async (body: { set?: Record<string, string>; remove?: string[] }) => {
    try {
      const res = await postJson<{ tags: Record<string, string> }>(runPath(runId, "tags"), { set: body.set ?? {}, remove: body.remove ?? [] });
      drawTags(res.tags ?? {});
      msg.textContent = "";
    } catch (e) {
      msg.textContent = String((e as Error).message);
    }
  };
  drawTags(isObject(r.tags) ? (r.tags as Record<string, string>) : {});
  const tagInput = h("input", { type: "text", placeholder: "key=value", class: "tag-input" });
  const addTag = () => {
    const t = tagInput.value.trim();
    const eq = t.indexOf("=");
    if (eq <= 0) {
      msg.textContent = "a tag is key=value";
      return;
    }
    edit({ set: { [t.slice(0, eq)]: t.slice(eq + 1) } });
    tagInput.value = "";
  };
  tagInput.addEventListener("keydown", (ev) => ev.key === "Enter" && addTag());

  const notesEl = h("div", { class: "notes" });
  const drawNotes = (notes: Json[]) =>
    fill(notesEl, notes.length === 0 ? h("p", { class: "muted" }, "no notes") : notes.map((n) =>
      h("div", { class: "note" }, h("div", { class: "note-meta" }, `${fmtTime(n.time)} · ${isObject(n.user) ? n.user.name : fmt(n.user)}`), h("div", { class: "note-text" }, fmt(n.text)))));
  drawNotes(Array.isArray(r.notes) ? r.notes : []);
  const noteText = h("textarea", { class: "note-input", rows: 3, placeholder: "add a note" });
  const addNote = async () => {
    const text = noteText.value.trim();
    if (!text) return;
    try {
      const res = await postJson<{ notes: Json[] }>(runPath(runId, "notes"), { text });
      drawNotes(res.notes ?? []);
      noteText.value = "";
      msg.textContent = "";
    } catch (e) {
      msg.textContent = String((e as Error).message);
    }
  };
  return section("Tags and notes",
    tagsEl,
    live ? h("p", { class: "muted" }, "tags and notes can be edited once the run has finished") : [
      h("div", { class: "row" }, tagInput, h("button", { type: "button", onClick: addTag }, "Add tag")),
      notesEl,
      h("div", { class: "row" }, noteText, h("button", { type: "button", class: "add-note", onClick: addNote }, "Add note")),
    ],
    live ? notesEl : null,
    msg,
  );
}
