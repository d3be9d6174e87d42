// Client-side routing over the History API. The server answers every non-API path without a dot
// with index.html, so each view's URL (path + query) can be reloaded and shared.

export type Cleanup = () => void;
export interface Route {
  match: RegExp;
  render: (root: HTMLElement, args: string[], params: URLSearchParams) => Cleanup | void;
}

let routes: Route[] = [];
let root: HTMLElement;
let cleanup: Cleanup | void;

export function startRouter(target: HTMLElement, table: Route[]): void {
  root = target;
  routes = table;
  window.addEventListener("popstate", render);
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
