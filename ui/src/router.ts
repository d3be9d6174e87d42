// Client-side routing over the History API. The server answers every non-API path without a dot
// with index.html, so each view's URL (path + query) can be reloaded and shared.

import { forgetEarly } from "./api";

export type Cleanup = () => void;
export type View = (root: HTMLElement, args: string[], params: URLSearchParams) => Cleanup | void;
export interface Route {
  match: RegExp;
  render: View;
}

// A view whose code is a chunk of its own, loaded when its route is first shown (the bundle is
// split so a page parses only what it draws). It renders when the chunk has come, unless the page
// has moved on by then.
export function lazy(load: () => Promise<View>): View {
  return (root, args, params) => {
    let cleanup: Cleanup | void;
    let gone = false;
    load().then(
      (view) => {
        if (!gone) cleanup = view(root, args, params);
      },
      (e: Error) => {
        if (!gone) root.textContent = "This page could not be loaded: " + e.message;
      },
    );
    return () => {
      gone = true;
      if (cleanup) cleanup();
    };
  };
}

let routes: Route[] = [];
let root: HTMLElement;
let cleanup: Cleanup | void;

export function startRouter(target: HTMLElement, table: Route[]): void {
  root = target;
  routes = table;
  window.addEventListener("popstate", () => {
    forgetEarly();
    render();
  });
  document.addEventListener("click", (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element).closest?.("a");
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    ev.preventDefault();
    navigate(url.pathname + url.search);
  });
  render();
}

export function navigate(url: string): void {
  forgetEarly();
  history.pushState(null, "", url);
  render();
}

// Records a view's state in the URL without re-rendering (the view already shows it).
export function replaceQuery(params: URLSearchParams): void {
  const s = params.toString();
  history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
}

function render(): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  root.replaceChildren();
  const path = location.pathname;
  for (const r of routes) {
    const m = r.match.exec(path);
    if (m) {
      cleanup = r.render(root, m.slice(1).map(decodeURIComponent), new URLSearchParams(location.search));
      document.querySelectorAll("nav a").forEach((a) => {
        const href = a.getAttribute("href") ?? "";
        a.classList.toggle("active", href === "/" ? path === "/" || path.startsWith("/runs") : path.startsWith(href));
      });
      return;
    }
  }
  root.textContent = "No such page: " + path;
}
