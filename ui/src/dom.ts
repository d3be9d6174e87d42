// The one way views make DOM: h(tag, attrs, ...children). Every string child becomes a text
// node, so a value from a run record (a param "<img src=x onerror=alert(1)>") shows as those
// characters and is never parsed as HTML. Nothing in the UI uses innerHTML.

export type Child = Node | string | number | boolean | null | undefined | Child[];

type Handler = (ev: any) => void;
export interface Attrs {
  class?: string;
  style?: Partial<Record<string, string>>;
  dataset?: Record<string, string>;
  [key: string]: unknown;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") el.className = String(value);
      else if (key === "style") Object.assign(el.style, value);
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key.startsWith("on") && typeof value === "function")
        el.addEventListener(key.slice(2).toLowerCase(), value as Handler);
      else if (key in el && typeof value !== "string") (el as any)[key] = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false || c === true) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

// Replaces everything inside `parent` with `children`.
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

// A link that the router handles (same-origin, no reload).
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href }, ...children);
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, h("h2", null, title), ...children);
}

// Runs `fn` after the next frame is painted: work that can wait (secondary requests and what their
// answers redraw) then does not delay the paint of what just arrived.
// (A hidden tab paints no frames: then after 200 ms.)
export function afterPaint(fn: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    fn();
  };
  const timer = setTimeout(run, 200);
  requestAnimationFrame(() => setTimeout(run, 0));
}
