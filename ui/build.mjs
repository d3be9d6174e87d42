// Builds the page `trail ui` serves: `node ui/build.mjs --outdir DIR [--no-check]` type-checks
// (tsc --noEmit, strict), bundles src/main.ts with esbuild (minified ES modules, split: the entry
// holds the router and what every page shares, each page is a chunk loaded when its route is
// first shown) and writes DIR/index.html plus the files it references as /assets/<name>,
// content-hashed so they can be cached forever, each beside a gzipped copy (<name>.gz) for the
// server to send to clients that accept it. index.html keeps <meta name="trail-token"
// content="__TRAIL_TOKEN__"> for the server to fill in. Nothing is fetched from the network.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf("--outdir");
if (at < 0 || !args[at + 1]) {
  console.error("usage: node build.mjs --outdir DIR [--no-check]");
  process.exit(2);
}
const outdir = resolve(args[at + 1]);

if (!args.includes("--no-check")) {
  execFileSync(join(here, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", here], { stdio: "inherit" });
}

// uPlot builds an Intl.NumberFormat and an Intl.DateTimeFormat when its module is evaluated.
// The first Intl object of a page loads ICU's locale data: measured 100 to 600 ms in a fresh
// Chromium tab on a loaded 2-core machine, the largest single cost before the first chart. Our
// charts format their own axis and legend values (charts/metric_chart.ts), so uPlot's formatters
// are made lazy here: built on first use, which our charts never make. The text replaced is that
// of the uPlot version package-lock.json pins; a different version fails the build here, so
// whoever upgrades it looks at this again.
const LAZY_INTL = [
  [
    "const numFormatter = new Intl.NumberFormat(domEnv ? nav.language : 'en-US');\nconst fmtNum = val => numFormatter.format(val);",
    "let numFormatter = null;\nconst fmtNum = val => (numFormatter ??= new Intl.NumberFormat(domEnv ? nav.language : 'en-US')).format(val);",
  ],
  [
    "const localTz = new Intl.DateTimeFormat().resolvedOptions().timeZone;",
    "let localTzName = null;\nconst localTz = () => (localTzName ??= new Intl.DateTimeFormat().resolvedOptions().timeZone);",
  ],
  ["else if (tz == localTz)", "else if (tz == localTz())"],
];
const lazyIntl = {
  name: "uplot-lazy-intl",
  setup(build) {
    build.onLoad({ filter: /[\\/]uplot[\\/]dist[\\/]uPlot\.esm\.js$/ }, (file) => {
      let text = readFileSync(file.path, "utf8").replace(/\r\n/g, "\n");
      for (const [from, to] of LAZY_INTL) {
        const n = text.split(from).length - 1;
        if (n !== 1) throw new Error(`${file.path}: expected "${from.split("\n")[0]}" once, found it ${n} times (a new uPlot version? see LAZY_INTL in ui/build.mjs)`);
        text = text.replace(from, to);
      }
      return { contents: text, loader: "js" };
    });
  },
};

const result = await esbuild.build({
  entryPoints: { app: join(here, "src", "main.ts") },
  bundle: true,
  splitting: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outdir,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  write: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  plugins: [lazyIntl],
});
// uPlot's own stylesheet, then ours.
const css = readFileSync(join(here, "node_modules", "uplot", "dist", "uPlot.min.css"), "utf8") + "\n" + readFileSync(join(here, "src", "app.css"), "utf8");
const cssName = `app-${createHash("sha256").update(css).digest("hex").slice(0, 12)}.css`;

mkdirSync(outdir, { recursive: true });
for (const f of readdirSync(outdir)) if (/^(app|chunk|[a-z_]+)-[0-9A-Za-z]{8,}\.(js|css)(\.gz)?$/.test(f)) rmSync(join(outdir, f));
const write = (name, bytes) => {
  writeFileSync(join(outdir, name), bytes);
  writeFileSync(join(outdir, name + ".gz"), gzipSync(bytes, { level: 9 }));
};
let entry = null;
let total = 0;
for (const f of result.outputFiles) {
  write(basename(f.path), f.contents);
  total += f.contents.length;
}
write(cssName, css);
// The entry, and the chunks it imports statically: preloaded from the HTML, so they are fetched
// beside the entry instead of after it has been parsed.
const preload = [];
for (const [path, out] of Object.entries(result.metafile.outputs)) {
  if (out.entryPoint === undefined || !path.endsWith(".js") || !basename(path).startsWith("app-")) continue;
  entry = basename(path);
  for (const imp of out.imports) if (imp.kind === "import-statement") preload.push(basename(imp.path));
}
if (!entry) throw new Error("esbuild wrote no entry module");
const html = readFileSync(join(here, "src", "index.html"), "utf8")
  .replace("__JS__", entry)
  .replace("__CSS__", cssName)
  .replace("__MODULEPRELOAD__", preload.map((p) => `<link rel="modulepreload" href="/assets/${p}">`).join("\n"));
writeFileSync(join(outdir, "index.html"), html);
console.log(`ui: ${outdir}/index.html, ${entry} and ${result.outputFiles.length - 1} chunks (${total} bytes of JavaScript), ${cssName} (${css.length} bytes)`);
