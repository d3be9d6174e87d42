// Pieces several pages share: key/value tables, status badges, simple tables, a diff view.
import { h } from "../dom";
import { fmt } from "../format";

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Every scalar leaf of `value` as "a.b.c" -> value (lists as [i]).
export function flatten(value: unknown, prefix = "", out: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(value)) {
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) out.push([prefix, value.map(fmt).join(", ")]);
    else value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix, value]);
  return out;
}

export function kvTable(value: unknown, empty = "none"): HTMLElement {
  const rows = flatten(value);
  if (rows.length === 0) return h("p", { class: "muted" }, empty);
  return h("table", { class: "kv" }, h("tbody", null, rows.map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, fmt(v))))));
}

export function table(headers: string[], rows: unknown[][], cls = "grid"): HTMLElement {
  return h(
    "table",
    { class: cls },
    h("thead", null, h("tr", null, headers.map((t) => h("th", null, t)))),
    h("tbody", null, rows.map((r) => h("tr", null, r.map((c) => h("td", null, c instanceof Node ? c : fmt(c)))))),
  );
}

export function statusBadge(status: string | null | undefined): HTMLElement {
  return h("span", { class: "status " + (status ?? "") }, status ?? "");
}

// A unified diff with added/removed lines coloured (as text, line by line).
export function diffView(patch: string): HTMLElement {
  const pre = h("pre", { class: "diff" });
  const lines = patch.split("\n");
  for (const line of lines.slice(0, 20000)) {
    let cls = "";
    if (line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff ")) cls = "meta";
    else if (line.startsWith("@@")) cls = "hunk";
    else if (line.startsWith("+")) cls = "add";
    else if (line.startsWith("-")) cls = "del";
    pre.append(h("span", { class: cls }, line + "\n"));
  }
  if (lines.length > 20000) pre.append(h("span", { class: "meta" }, `... ${lines.length - 20000} more lines`));
  return pre;
}

export function errorBox(e: unknown): HTMLElement {
  return h("div", { class: "error" }, String((e as Error)?.message ?? e));
}
