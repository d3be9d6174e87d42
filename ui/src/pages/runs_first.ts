// What the runs table asks for first, from the URL alone: its first rows, then the column keys.
// main.ts sends these before the table's code has loaded (pages/runs.ts asks for the same and
// is handed them), so loading that code and listing the rows overlap.
import { Params, requestEarly } from "../api";

export const ROW_H = 28;
export const OVERSCAN = 10;
export const MIN_LIMIT = 50; // rows asked for at least (a little beyond a short window)

// The listing a table URL names (the rest of the view's state is runs.ts's).
export interface Listing {
  where: string;
  sort: string;
  desc: boolean;
  group: boolean; // group by sweep: sorted by parent
}

export function listingOf(params: URLSearchParams): Listing {
  return {
    where: params.get("where") ?? "",
    sort: params.get("sort") ?? "",
    desc: params.get("desc") === "1",
    group: params.get("group") === "parent",
  };
}

export function rowsParams(l: Listing, offset: number, limit: number): Params {
  return {
    where: l.where,
    sort: l.group ? "parent" : l.sort,
    desc: l.group ? false : l.sort ? l.desc : undefined,
    offset,
    limit,
  };
}

// The first rows fill the window's height (the table's is less), without waiting for a layout.
export function firstLimit(): number {
  return Math.max(MIN_LIMIT, Math.ceil(window.innerHeight / ROW_H) + OVERSCAN);
}

export function requestTableEarly(params: URLSearchParams): void {
  requestEarly("/api/v1/runs", rowsParams(listingOf(params), 0, firstLimit()));
  requestEarly("/api/v1/keys");
}
