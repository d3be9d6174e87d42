// The page header: the logo, the navigation and the project line (/api/v1/project). When the
// first view's paint waits on a slow request (the runs table's filtered first rows), main.ts
// leaves it to the view, which calls startHeader() once its data is on screen, so the project
// line does not queue before it at the server; for the other views main.ts starts it right away.
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
