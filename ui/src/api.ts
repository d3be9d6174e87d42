// The REST API of `trail ui` (docs/api.md): every page is a view over /api/v1, nothing is
// computed only in the browser.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly column: number | null,
  ) {
    super(message);
  }
}

// The write token the server puts into index.html; POSTs send it as X-Trail-Token (a custom
// header that a cross-site form cannot send).
export function writeToken(): string {
  const meta = document.querySelector('meta[name="trail-token"]');
  return meta?.getAttribute("content") ?? "";
}

export type Params = Record<string, string | number | boolean | null | undefined>;

export function query(params: Params): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    out.set(k, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  const s = out.toString();
  return s ? "?" + s : "";
}

export function runPath(id: string, ...rest: string[]): string {
  return ["/api/v1/runs", encodeURIComponent(id), ...rest].join("/");
}

async function check(resp: Response): Promise<Response> {
  if (resp.ok) return resp;
  let message = `${resp.status} ${resp.statusText}`;
  let code = "internal";
  let column: number | null = null;
  try {
    const body = await resp.json();
    if (body && body.error) {
      message = String(body.error.message ?? message);
      code = String(body.error.code ?? code);
      if (typeof body.error.column === "number") column = body.error.column;
    }
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(message, resp.status, code, column);
}

// Requests the first view needs, sent by main.ts from the URL before that view's code has loaded
// (the run page's record and its charts' series, the runs table's first rows and column keys).
// getJson hands each out once, to the first caller asking for the same path and params; a
// navigation forgets those not taken, so a later view asks afresh.
const early = new Map<string, Promise<unknown>>();

export function requestEarly<T>(path: string, params: Params = {}): Promise<T> {
  const url = path + query(params);
  let sent = early.get(url);
  if (!sent) {
    sent = fetchJson(url);
    sent.catch(() => {}); // a failure is reported to whoever takes it
    early.set(url, sent);
  }
  return sent as Promise<T>;
}

export function forgetEarly(): void {
  early.clear();
}

async function fetchJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const resp = await fetch(url, { headers: { Accept: "application/json" }, signal });
  return (await check(resp)).json() as Promise<T>;
}

// A request sent early is not cancelled by `signal`: its answer is simply not used.
export function getJson<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  const url = path + query(params);
  const sent = early.get(url);
  if (sent) {
    early.delete(url);
    return sent as Promise<T>;
  }
  return fetchJson<T>(url, signal);
}

// The series request of a metric chart (charts/metric_chart.ts): main.ts sends a run page's
// first ones with the same parameters, before the chart code has loaded. A chart not yet laid
// out counts as FIRST_CHART_WIDTH pixels wide.
export const FIRST_CHART_WIDTH = 600;
export function seriesPoints(width: number): number {
  return Math.max(4, Math.min(20000, width - 60));
}
export function seriesPath(id: string, metric: string): string {
  return runPath(id, "metrics", encodeURIComponent(metric));
}

export async function getText(path: string, params: Params = {}): Promise<{ text: string; truncated: boolean }> {
  const resp = await check(await fetch(path + query(params)));
  return { text: await resp.text(), truncated: resp.headers.get("X-Trail-Truncated") === "1" };
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const resp = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Trail-Token": writeToken() },
    body: JSON.stringify(body),
  });
  return (await check(resp)).json() as Promise<T>;
}

// ---- shapes of the responses (api-contract) ----
export type Scalar = string | number | boolean | null;
export interface MetricSummary {
  last?: number | null;
  min?: number | null;
  max?: number | null;
  count?: number;
}
export interface Row {
  id: string;
  number: number;
  name: string | null;
  status: string | null;
  user: string | null;
  started: string | null;
  duration_s: number | null;
  exit_code: number | null;
  parent: string | null;
  archived: boolean;
  params: Record<string, Scalar>;
  metrics: Record<string, MetricSummary>;
  tags: Record<string, string>;
  derived: Record<string, Scalar>;
  context: Record<string, Scalar>;
}
export interface RunsPage {
  runs: Row[];
  offset: number;
  next_cursor: string | null;
  total: number | null;
  live?: Row[];
  tip?: string; // the runs branch's commit the first page (offset 0) lists
}
export interface KeyCount {
  key: string;
  runs: number;
}
export interface Keys {
  params: KeyCount[];
  metrics: KeyCount[];
  tags: KeyCount[];
  derived: KeyCount[];
  context: KeyCount[];
  attributes: string[];
}
export type Json = any;
export interface RunResponse {
  id: string;
  live: boolean;
  record: Json;
  dir?: string;
  tip?: string;
}
export interface SeriesResponse {
  metric: string;
  x: string;
  total: number;
  in_range: number;
  downsampled: boolean;
  points: { x: number[]; y: (number | null)[] };
  min: { x: number; y: number } | null;
  max: { x: number; y: number } | null;
  x_min: number;
  x_max: number;
}
export interface CompareResponse {
  runs: { id: string; record: Json }[];
  fields: Record<string, Scalar[]>;
  differing: string[];
}
export interface Trial {
  id: string;
  number: number;
  status: string;
  value: number | null;
  params: Record<string, Scalar>;
  pruned: string | null;
  best_so_far: number | null;
}
export interface SweepResponse {
  sweep: Json;
  trials: Trial[];
  objective: { metric: string; goal: "min" | "max" } | null;
}
