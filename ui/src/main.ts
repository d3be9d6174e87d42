// Entry point: the header and the routes (docs/ui.md lists the URL scheme).
import { getJson } from "./api";
import { h } from "./dom";
import { compareView } from "./pages/compare";
import { runView } from "./pages/run";
import { runsView } from "./pages/runs";
import { sweepView, sweepsView } from "./pages/sweeps";
import { startRouter } from "./router";

interface Project {
  name: string;
  runs: number;
  live: number;
  trail_version: string;
  branch: string;
}

function header(): HTMLElement {
  const project = h("span", { class: "project" });
  getJson<Project>("/api/v1/project")
    .then((p) => {
      project.textContent = `${p.name} · ${p.runs} runs${p.live ? ` · ${p.live} running` : ""} · branch ${p.branch}`;
      document.title = `${p.name} · trail`;
    })
    .catch((e) => (project.textContent = String(e.message)));
  return h(
    "header",
    { class: "top" },
    h("a", { href: "/", class: "logo" }, "trail"),
    h("nav", null, h("a", { href: "/" }, "Runs"), h("a", { href: "/sweeps" }, "Sweeps")),
    project,
  );
}

const main = h("main", { id: "main" });
document.body.append(header(), main);
startRouter(main, [
  { match: /^\/(?:runs\/?)?$/, render: runsView },
  { match: /^\/runs\/([^/]+)\/?$/, render: runView },
  { match: /^\/compare\/?$/, render: compareView },
  { match: /^\/sweeps\/?$/, render: sweepsView },
  { match: /^\/sweeps\/([^/]+)\/?$/, render: sweepView },
]);
