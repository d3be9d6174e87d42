// The page header: the logo, the navigation and the project line (/api/v1/project). A view whose
// first paint waits on a slow request (the runs table's filtered first rows) calls holdHeader()
// while it renders and startHeader() once its data is on screen, so the project line does not
// queue before it at the server; for the other views main.ts starts it right away.
import { getJson } from "./api";
import { h } from "./dom";

interface Project {
  name: string;
  runs: number;
  live: number;
  trail_version: string;
  branch: string;
}

const project = h("span", { class: "project" });
let held = false;
let started = false;

export function header(): HTMLElement {
  return h(
    "header",
    { class: "top" },
    h("a", { href: "/", class: "logo" }, "trail"),
    h("nav", null, h("a", { href: "/" }, "Runs"), h("a", { href: "/sweeps" }, "Sweeps")),
    project,
  );
}

export function holdHeader(): void {
  held = true;
}

// Whether a view has asked to start the project line itself.
export function headerHeld(): boolean {
  return held;
}

// Fetches the project line, once.
export function startHeader(): void {
  if (started) return;
  started = true;
  getJson<Project>("/api/v1/project")
    .then((p) => {
      project.textContent = `${p.name} · ${p.runs} runs${p.live ? ` · ${p.live} running` : ""} · branch ${p.branch}`;
      document.title = `${p.name} · trail`;
    })
    .catch((e) => (project.textContent = String(e.message)));
}
