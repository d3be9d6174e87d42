// Entry point: the header and the routes (docs/ui.md lists the URL scheme).
import { header, headerHeld, startHeader } from "./header";
import { h } from "./dom";
import { compareView } from "./pages/compare";
import { runView } from "./pages/run";
import { runsView } from "./pages/runs";
import { sweepView, sweepsView } from "./pages/sweeps";
import { startRouter } from "./router";

const main = h("main", { id: "main" });
document.body.append(header(), main);
startRouter(main, [
  { match: /^\/(?:runs\/?)?$/, render: runsView },
  { match: /^\/runs\/([^/]+)\/?$/, render: runView },
  { match: /^\/compare\/?$/, render: compareView },
  { match: /^\/sweeps\/?$/, render: sweepsView },
  { match: /^\/sweeps\/([^/]+)\/?$/, render: sweepView },
]);
// The first view's requests are out; the header's goes after them, or after its data came
// (headerHeld: the view starts it), and in any case within a few seconds.
if (!headerHeld()) startHeader();
else window.setTimeout(startHeader, 3000);
