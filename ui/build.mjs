// Builds the page `trail ui` serves: `node ui/build.mjs --outdir DIR [--no-check]` type-checks
// (tsc --noEmit, strict), bundles src/main.ts with esbuild (minified, one ES module) and writes
// DIR/index.html plus the files it references as /assets/<name>, content-hashed so they can be
// cached forever. index.html keeps <meta name="trail-token" content="__TRAIL_TOKEN__"> for the
// server to fill in. Nothing is fetched from the network.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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

const result = await esbuild.build({
  entryPoints: [join(here, "src", "main.ts")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  write: false,
  legalComments: "none",
  metafile: false,
  logLevel: "warning",
});
const js = result.outputFiles[0].contents;
// uPlot's own stylesheet, then ours.
const css = readFileSync(join(here, "node_modules", "uplot", "dist", "uPlot.min.css"), "utf8") + "\n" + readFileSync(join(here, "src", "app.css"), "utf8");

const hashed = (base, ext, bytes) => `${base}-${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}.${ext}`;
const jsName = hashed("app", "js", js);
const cssName = hashed("app", "css", css);

mkdirSync(outdir, { recursive: true });
for (const f of readdirSync(outdir)) if (/^app-[0-9a-f]{12}\.(js|css)$/.test(f)) rmSync(join(outdir, f));
writeFileSync(join(outdir, jsName), js);
writeFileSync(join(outdir, cssName), css);
const html = readFileSync(join(here, "src", "index.html"), "utf8").replace("__JS__", jsName).replace("__CSS__", cssName);
writeFileSync(join(outdir, "index.html"), html);
console.log(`ui: ${outdir}/index.html, ${jsName} (${js.length} bytes), ${cssName} (${css.length} bytes)`);
