// The chart settings a page shares among its charts (smoothing, log axes, what x is), with
// controls to change them. Each chart subscribes and redraws or re-queries on a change.
import { h } from "../dom";

export type XMode = "step" | "time" | "relative";

export interface ChartSettings {
  smoothing: number; // EMA weight 0..0.99; 0 = raw
  logX: boolean;
  logY: boolean;
  x: XMode;
}

export class SettingsStore {
  value: ChartSettings = { smoothing: 0, logX: false, logY: false, x: "step" };
  private listeners = new Set<(what: keyof ChartSettings) => void>();

  set<K extends keyof ChartSettings>(key: K, v: ChartSettings[K]): void {
    this.value = { ...this.value, [key]: v };
    for (const fn of this.listeners) fn(key);
  }
  subscribe(fn: (what: keyof ChartSettings) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

export function chartControls(store: SettingsStore): HTMLElement {
  const s = store.value;
  const smoothLabel = h("span", { class: "mono" }, s.smoothing.toFixed(2));
  const slider = h("input", {
    type: "range",
    min: "0",
    max: "0.99",
    step: "0.01",
    value: String(s.smoothing),
    title: "EMA smoothing",
    class: "smoothing",
    onInput: (ev: Event) => {
      const v = Number((ev.target as HTMLInputElement).value);
      smoothLabel.textContent = v.toFixed(2);
      store.set("smoothing", v);
    },
  });
  const check = (label: string, key: "logX" | "logY") =>
    h(
      "label",
      null,
      h("input", {
        type: "checkbox",
        checked: s[key],
        onChange: (ev: Event) => store.set(key, (ev.target as HTMLInputElement).checked),
      }),
      " " + label,
    );
  const xSel = h(
    "select",
    { title: "x axis", onChange: (ev: Event) => store.set("x", (ev.target as HTMLSelectElement).value as XMode) },
    h("option", { value: "step" }, "step"),
    h("option", { value: "time" }, "wall time"),
    h("option", { value: "relative" }, "relative time"),
  );
  xSel.value = s.x;
  return h(
    "div",
    { class: "chart-controls" },
    h("label", null, "smoothing ", slider, " ", smoothLabel),
    check("log x", "logX"),
    check("log y", "logY"),
    h("label", null, "x: ", xSel),
    h("span", { class: "hint" }, "drag to zoom, double-click to reset"),
  );
}

// Exponential moving average with TensorBoard's debiasing, so the start is not pulled to 0.
// Nulls (non-finite points) stay gaps and do not reset the average.
export function ema(ys: (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return ys;
  const out: (number | null)[] = new Array(ys.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      out[i] = null;
      continue;
    }
    last = last * weight + (1 - weight) * y;
    n++;
    out[i] = last / (1 - Math.pow(weight, n));
  }
  return out;
}

export const PALETTE = [
  "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
  "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22",
];
export function color(i: number): string {
  return PALETTE[i % PALETTE.length];
}
