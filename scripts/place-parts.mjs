// Puts the split app (scripts/build.sh) into dist/: every file named with a hash of its content
// (the server caches the app's files for a year), and the loader in index.html.
//
// Usage: node scripts/place-parts.mjs PARTS_DIR DIST_DIR
//   PARTS_DIR holds what wasm-split-cli, wasm-bindgen and wasm-opt made: mosaic.js and
//   mosaic_bg.wasm (the main part), __wasm_split.js (which downloads the other parts) and
//   split_*.wasm / chunk_*.wasm (a page's own part, and parts several pages share).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [parts, dist] = process.argv.slice(2);
const hash = (...contents) => {
  const h = createHash("sha256");
  for (const c of contents) h.update(c);
  return h.digest("hex").slice(0, 16);
};
/** Replaces every `from` in `text`, failing loudly when one is missing (a tool changed its output). */
const replaceAll = (text, from, to, what) => {
  if (!text.includes(from)) throw new Error(`${what}: "${from}" not found`);
  return text.split(from).join(to);
};

// Which part each route of src/lib.rs shows (src/pages/lazy.rs names the parts). Only used to
// start a page's downloads early; a route missing here still works, a moment later. The parts a
// page downloads later (the review's phases, src/pages/review.rs) are left out on purpose: each
// starts as soon as the page knows it is needed, and preloading them all with the route would
// bring back the download they were split out of.
const ROUTES = [
  ["^/$", "reviews_page"],
  ["^/reviews/[^/]+$", "review_page"],
  ["^/join/[^/]+$", "join_page"],
  ["^/actions$", "actions_page"],
  ["^/feed$", "feed_page"],
  ["^/feed/[^/]+$", "finding_page"],
  ["^/settings$", "settings_page"],
];

let loader = readFileSync(join(parts, "__wasm_split.js"), "utf8");
const written = [];
const renamed = new Map();

// What each page's part needs: its own file and the shared parts the loader waits for.
const chunkFile = new Map(
  [...loader.matchAll(/const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"/g)].map((m) => [m[1], m[2]]),
);
const needs = new Map();
for (const m of loader.matchAll(
  /export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"[\s\S]*?, \[([^\]]*)\]\)\)/g,
)) {
  const deps = m[3].split(",").map((d) => d.trim()).filter(Boolean);
  needs.set(m[1], [m[2], ...deps.map((d) => chunkFile.get(d))]);
}
for (const [, part] of ROUTES) {
  if (!needs.has(part) || needs.get(part).includes(undefined)) throw new Error(`__wasm_split.js: part ${part} not understood`);
}
// The parts the loader downloads: named by their own content, then named so in the loader.
for (const name of readdirSync(parts).sort()) {
  if (!/^(split|chunk)_.*\.wasm$/.test(name)) continue;
  const bytes = readFileSync(join(parts, name));
  const hashed = name.replace(/\.wasm$/, `-${hash(bytes)}.wasm`);
  loader = replaceAll(loader, `"./${name}"`, `"./${hashed}"`, "__wasm_split.js");
  writeFileSync(join(dist, hashed), bytes);
  written.push(hashed);
  renamed.set(name, hashed);
}

// The main part's JS and the loader import each other, so they share one name: a hash of both
// and of the main wasm.
let main = readFileSync(join(parts, "mosaic.js"), "utf8");
const wasm = readFileSync(join(parts, "mosaic_bg.wasm"));
const id = hash(main, wasm, loader);
const names = { js: `mosaic-${id}.js`, wasm: `mosaic-${id}_bg.wasm`, loader: `mosaic-${id}-parts.js` };
loader = replaceAll(loader, `"./mosaic.js"`, `"./${names.js}"`, "__wasm_split.js");
// Only the import statement's specifier: the wasm's import module keeps its name.
const specifier = /(from\s*)(['"])\.\/__wasm_split\.js\2/g;
if (!specifier.test(main)) throw new Error("mosaic.js does not import ./__wasm_split.js");
main = main.replace(specifier, `$1$2./${names.loader}$2`);
writeFileSync(join(dist, names.js), main);
writeFileSync(join(dist, names.wasm), wasm);
writeFileSync(join(dist, names.loader), loader);
written.push(names.js, names.wasm, names.loader);

// The loader in index.html: start the main part's downloads at once, and the parts of the page
// being opened (a classic script, so it runs while the HTML is parsed), then run the app.
const routeParts = Object.fromEntries(ROUTES.map(([re, part]) => [re, needs.get(part).map((f) => renamed.get(f))]));
const preload =
  `<script>for(const[r,f]of Object.entries(${JSON.stringify(routeParts)}))` +
  `if(new RegExp(r).test(location.pathname)){for(const h of f){const l=document.createElement("link");` +
  `l.rel="preload";l.as="fetch";l.crossOrigin="anonymous";l.href="/"+h;document.head.append(l)}break}</script>`;
const index = join(dist, "index.html");
const html = readFileSync(index, "utf8");
const head =
  `<link rel="modulepreload" href="/${names.js}">` +
  `<link rel="modulepreload" href="/${names.loader}">` +
  `<link rel="preload" href="/${names.wasm}" as="fetch" type="application/wasm" crossorigin>` +
  preload +
  `<script type="module">import init from "/${names.js}";init({module_or_path:"/${names.wasm}"});</script>`;
writeFileSync(index, replaceAll(html, "</head>", `${head}</head>`, "index.html"));
console.log(written.join("\n"));
