// Small canvas plots uPlot does not draw: parallel coordinates (params to the objective) and a
// scatter of one value against another. Values are numbers or categories; a category axis
// spaces its distinct values evenly.
import { h } from "../dom";
import { fmt, fmtNumber } from "../format";

export type Value = string | number | boolean | null | undefined;

interface Axis {
  name: string;
  pos: (v: Value) => number | null; // 0..1 along the axis, null: missing
  ticks: { at: number; label: string }[];
}

function makeAxis(name: string, values: Value[]): Axis {
  const nums = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length > 0 && nums.length === present.length) {
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    const positive = lo > 0 && hi / lo > 100;
    const t = (v: number) => (positive ? Math.log10(v) : v);
    let tlo = t(lo);
    let thi = t(hi);
    if (thi === tlo) {
      tlo -= 1;
      thi += 1;
    }
    const pad = (thi - tlo) * 0.04;
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
      const tv = tlo + f * (thi - tlo);
      return { at: (f * (thi - tlo) + pad) / (thi - tlo + 2 * pad), label: fmtNumber(positive ? Math.pow(10, tv) : tv) };
    });
    return {
      name: positive ? name + " (log)" : name,
      pos: (v) => (typeof v === "number" && Number.isFinite(v) ? (t(v) - tlo + pad) / (thi - tlo + 2 * pad) : null),
      ticks,
    };
  }
  const cats = Array.from(new Set(present.map((v) => fmt(v)))).sort();
  const at = (i: number) => (cats.length === 1 ? 0.5 : 0.04 + (0.92 * i) / (cats.length - 1));
  return {
    name,
    pos: (v) => (v === null || v === undefined ? null : at(cats.indexOf(fmt(v)))),
    ticks: cats.slice(0, 30).map((c, i) => ({ at: at(i), label: c })),
  };
}

function setupCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = width + "px";
  canvas.style.height = height + "px";
  const ctx = canvas.getContext("2d")!;
  ctx.scale(dpr, dpr);
  ctx.font = "11px system-ui, sans-serif";
  return ctx;
}

// Blue (good) to red (bad) by the objective's rank.
function ramp(f: number): string {
  const r = Math.round(40 + 200 * f);
  const b = Math.round(220 - 180 * f);
  return `rgb(${r},90,${b})`;
}

export interface ParallelData {
  axes: string[]; // param names, then the objective last
  rows: { values: Value[]; label: string }[];
  goal: "min" | "max";
}

export function parallelCoordinates(data: ParallelData, width = 900, height = 300): HTMLElement {
  const canvas = h("canvas", { class: "plot-canvas parcoords" });
  const wrap = h("div", { class: "canvas-wrap" }, canvas);
  if (data.axes.length < 2 || data.rows.length === 0) {
    return h("p", { class: "muted" }, "Not enough params or runs to draw parallel coordinates.");
  }
  const axes = data.axes.map((name, i) => makeAxis(name, data.rows.map((r) => r.values[i])));
  const ctx = setupCanvas(canvas, width, height);
  const left = 60;
  const right = 80;
  const top = 28;
  const bottom = 20;
  const x = (i: number) => left + (i * (width - left - right)) / Math.max(1, axes.length - 1);
  const y = (p: number) => top + (1 - p) * (height - top - bottom);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  const obj = axes[axes.length - 1];
  ctx.lineWidth = 1.2;
  for (const row of data.rows) {
    const po = obj.pos(row.values[axes.length - 1]);
    const good = po === null ? 0.5 : data.goal === "min" ? po : 1 - po;
    ctx.strokeStyle = po === null ? "rgba(150,150,150,0.5)" : ramp(good);
    ctx.globalAlpha = 0.75;
    ctx.beginPath();
    let started = false;
    axes.forEach((a, i) => {
      const p = a.pos(row.values[i]);
      if (p === null) {
        started = false;
        return;
      }
      if (!started) ctx.moveTo(x(i), y(p));
      else ctx.lineTo(x(i), y(p));
      started = true;
    });
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  axes.forEach((a, i) => {
    ctx.strokeStyle = "#333";
    ctx.beginPath();
    ctx.moveTo(x(i), y(0));
    ctx.lineTo(x(i), y(1));
    ctx.stroke();
    ctx.fillStyle = "#111";
    ctx.textAlign = "center";
    ctx.fillText(a.name, x(i), 14);
    ctx.textAlign = "left";
    ctx.fillStyle = "#555";
    for (const t of a.ticks) ctx.fillText(t.label, x(i) + 4, y(t.at) + 4);
  });
  return wrap;
}

export function scatterPlot(
  xName: string,
  yName: string,
  points: { x: Value; y: Value; label: string }[],
  width = 520,
  height = 320,
): HTMLElement {
  const canvas = h("canvas", { class: "plot-canvas scatter" });
  const ax = makeAxis(xName, points.map((p) => p.x));
  const ay = makeAxis(yName, points.map((p) => p.y));
  const ctx = setupCanvas(canvas, width, height);
  const left = 70;
  const right = 20;
  const top = 12;
  const bottom = 40;
  const px = (p: number) => left + p * (width - left - right);
  const py = (p: number) => top + (1 - p) * (height - top - bottom);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = "#ddd";
  for (const t of ax.ticks) {
    ctx.beginPath();
    ctx.moveTo(px(t.at), py(0));
    ctx.lineTo(px(t.at), py(1));
    ctx.stroke();
  }
  for (const t of ay.ticks) {
    ctx.beginPath();
    ctx.moveTo(px(0), py(t.at));
    ctx.lineTo(px(1), py(t.at));
    ctx.stroke();
  }
  ctx.fillStyle = "#555";
  ctx.textAlign = "center";
  for (const t of ax.ticks) ctx.fillText(t.label, px(t.at), height - bottom + 14);
  ctx.fillText(ax.name, left + (width - left - right) / 2, height - 6);
  ctx.textAlign = "right";
  for (const t of ay.ticks) ctx.fillText(t.label, left - 6, py(t.at) + 4);
  ctx.save();
  ctx.translate(12, top + (height - top - bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(ay.name, 0, 0);
  ctx.restore();
  ctx.fillStyle = "#1f77b4";
  const placed: { x: number; y: number; label: string }[] = [];
  for (const p of points) {
    const fx = ax.pos(p.x);
    const fy = ay.pos(p.y);
    if (fx === null || fy === null) continue;
    ctx.beginPath();
    ctx.arc(px(fx), py(fy), 4, 0, 2 * Math.PI);
    ctx.fill();
    placed.push({ x: px(fx), y: py(fy), label: p.label });
  }
  const tip = h("div", { class: "plot-tip" });
  canvas.addEventListener("mousemove", (ev) => {
    const r = canvas.getBoundingClientRect();
    const mx = ev.clientX - r.left;
    const my = ev.clientY - r.top;
    const near = placed.find((p) => Math.hypot(p.x - mx, p.y - my) < 6);
    tip.textContent = near ? near.label : "";
    tip.style.left = mx + 10 + "px";
    tip.style.top = my + "px";
  });
  return h("div", { class: "canvas-wrap" }, canvas, tip);
}
