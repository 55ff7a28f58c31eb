// Puts the split app (scripts/build.sh) into dist/: every file named with a hash of its content
// (the server caches the app's files for a year), the loader in index.html, and one stylesheet.
//
// Usage: node scripts/place-parts.mjs PARTS_DIR DIST_DIR ESBUILD
//   PARTS_DIR holds what wasm-split-cli, wasm-bindgen and wasm-opt made: mosaic.js and
//   mosaic_bg.wasm (the main part), __wasm_split.js (which downloads the other parts) and
//   split_*.wasm / chunk_*.wasm (a page's own part, and parts several pages share).
//   ESBUILD is npm's esbuild package (its folder), which minifies the two JavaScript files.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { shortenImports } from "./short-imports.mjs";

const [parts, dist, esbuildDir] = process.argv.slice(2);
if (!esbuildDir) throw new Error("usage: place-parts.mjs PARTS_DIR DIST_DIR ESBUILD");
const { buildSync, transformSync } = createRequire(import.meta.url)(esbuildDir);
/** The ES module `code`, minified (wasm-bindgen's glue with short imports: 67 KB to 30 KB raw,
 *  6.6 KB to 5.2 KB brotli). */
const minify = (code) => transformSync(code, { format: "esm", minify: true }).code;
/** The first 10 hex digits (40 bits) of the SHA-256 of `contents`: a file's new version gets a new
 *  name, and every name appears in the loaders and packs a first visit downloads (16 digits
 *  cost 0.3 KB more there, and do not compress). */
const hash = (...contents) => {
  const h = createHash("sha256");
  for (const c of contents) h.update(c);
  return h.digest("hex").slice(0, 10);
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
// Its imports from the glue get short names (scripts/short-imports.mjs).
let { wasm, js: main } = shortenImports(
  readFileSync(join(parts, "mosaic_bg.wasm")),
  readFileSync(join(parts, "mosaic.js"), "utf8"),
);
// wasm-bindgen's classes for wasm-streams, whose exports scripts/optimise-parts.mjs dropped from
// the main part: defined, never used (about 0.3 KB of every first load).
const streams =
  /^export class IntoUnderlying\w+ \{[\s\S]*?\n\}\n|^if \(Symbol\.dispose\) IntoUnderlying.*\n|^const IntoUnderlying\w+Finalization = [\s\S]*?;\n/gm;
if (!streams.test(main)) throw new Error("mosaic.js: wasm-streams' classes not found; has wasm-bindgen's output changed?");
main = main.replace(streams, "");
if (main.includes("IntoUnderlying")) throw new Error("mosaic.js: wasm-streams' classes not all removed");
// The JavaScript the app brings (`#[wasm_bindgen(module = …)]`, which wasm-bindgen copies into
// snippets/) goes into the glue's file: one file to download and cache instead of one more.
if (main.includes("./snippets/")) {
  main = buildSync({
    stdin: { contents: main, resolveDir: parts, sourcefile: "mosaic.js" },
    bundle: true,
    format: "esm",
    external: ["./__wasm_split.js"],
    write: false,
    logLevel: "error",
  }).outputFiles[0].text;
  // (The wasm's import object still names the snippet: as a key, which is only a name.)
  if (/from\s*["']\.\/snippets\//.test(main)) throw new Error("mosaic.js: a snippet was not bundled");
}
const id = hash(main, wasm, loader);
const names = { js: `mosaic-${id}.js`, wasm: `mosaic-${id}_bg.wasm`, loader: `mosaic-${id}-parts.js` };
loader = replaceAll(loader, `"./mosaic.js"`, `"./${names.js}"`, "__wasm_split.js");
// Only the import statement's specifier: the wasm's import module keeps its name.
const specifier = /(from\s*)(['"])\.\/__wasm_split\.js\2/g;
if (!specifier.test(main)) throw new Error("mosaic.js does not import ./__wasm_split.js");
main = main.replace(specifier, `$1$2./${names.loader}$2`);
writeFileSync(join(dist, names.js), minify(main));
writeFileSync(join(dist, names.wasm), wasm);
written.push(names.js, names.wasm, names.loader);

// A first visit downloads the main part and the opened page's parts as one file, a pack:
// brotli then compresses them together, and they share a lot (the same crates' code, the same
// names): 11 to 15 % less than the files one by one over the pages bench/browser/download.mjs
// measures, and one request instead of dozens. A pack is a little-endian u32 (the length of a
// JSON list of [file name, size]), the list, then the files' bytes in its order. The loader
// below hands its files to the app's loaders (wasm-bindgen's init, and the part loader patched
// just below) and to the offline app shell (through the cache `mosaic-first-load`, which
// public/sw.js reads by the same name), which keeps them instead of downloading them again. A later visit, with the shell in control, loads each file from it;
// a pack that fails to download falls back to the files one by one.
/** Writes the pack of `files` (in dist/) as `${prefix}-${hash}.pack`; returns its name. */
const writePack = (prefix, files) => {
  const bodies = files.map((f) => readFileSync(join(dist, f)));
  const list = Buffer.from(JSON.stringify(files.map((f, i) => [f, bodies[i].length])));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(list.length);
  const pack = Buffer.concat([length, list, ...bodies]);
  const name = `${prefix}-${hash(pack)}.pack`;
  writeFileSync(join(dist, name), pack);
  written.push(name);
  return name;
};
// The parts a page downloads next, once it knows which (the review's phases, src/pages/review.rs):
// after that page's pack, each comes as a pack too, of what the page's pack did not hold.
const NEXT = { review_page: ["setup_part", "account_part", "group_part"] };
const packs = {};
const nextPacks = {};
for (const [re, part] of ROUTES) {
  // The shared parts, then the page's own, then the main part: brotli compresses the pack
  // smaller so (about 1 KB less than with the main part first, 0.4 KB less than with the
  // page's own part first).
  const [own, ...shared] = needs.get(part).map((f) => renamed.get(f));
  const files = [...shared, own, names.wasm];
  packs[re] = writePack(part, files);
  for (const next of NEXT[part] ?? []) {
    if (!needs.has(next)) throw new Error(`__wasm_split.js: part ${next} not understood`);
    const rest = needs.get(next).map((f) => renamed.get(f)).filter((f) => !files.includes(f));
    if (rest.length > 0) nextPacks[re] = { ...nextPacks[re], [next]: writePack(next, rest) };
  }
}
// The parts' loader takes a file from the pack when it holds it. Each part's download is
// written once, as a function of the file's name, instead of once per part.
const fetches = loader.match(/makeLoad\(\(\) => \{/g)?.length ?? 0;
loader = loader.replace(
  /makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)", import\.meta\.url\)\);\s*src\.catch\(\(\) => \{\}\);\s*return async \(imports\) => \(WebAssembly\.instantiateStreaming\(src, imports\)\);\s*\}\s*,/g,
  (_, file) => `makeLoad(part(${JSON.stringify(file)}),`,
);
if (fetches === 0 || loader.split("makeLoad(part(").length - 1 !== fetches) {
  throw new Error("__wasm_split.js: a part's download is not understood");
}
loader = replaceAll(
  loader,
  "function makeLoad(",
  `const part = (file) => () => {
    const src = globalThis.__mosaicPacked?.(file) ?? fetch(new URL("./" + file, import.meta.url));
    src.catch(() => {});
    return async (imports) => WebAssembly.instantiateStreaming(src, imports);
};
function makeLoad(`,
  "__wasm_split.js",
);
// Before a part's own downloads start, its pack, where the page has one for it.
loader = replaceAll(loader, "function wrapAsyncCb(callee) {", "function wrapAsyncCb(part, callee) {", "__wasm_split.js");
loader = replaceAll(loader, "await callee();", "await globalThis.__mosaicNext?.(part);\n            await callee();", "__wasm_split.js");
const entries = loader.match(/export const __wasm_split_load_\w+ = /g)?.length ?? 0;
loader = loader.replace(/(export const __wasm_split_load_(\w+) = wrapAsyncCb)\(/g, '$1.bind(null, "$2")(');
// Every entry must name its part now, or wrapAsyncCb would take its work for the name.
if (entries === 0 || loader.split('wrapAsyncCb.bind(null, "').length - 1 !== entries) {
  throw new Error("__wasm_split.js: a part's entry is not understood");
}
writeFileSync(join(dist, names.loader), minify(loader));

const index = join(dist, "index.html");
let html = readFileSync(index, "utf8");

// Two stylesheets instead of Trunk's four (style/*.css, in index.html's order, so the cascade
// is the same): style/main.css (the shell, the shared pieces and the reviews list) on every
// page, and the other sheets joined (the review, the feed), which the reviews list, the first
// page of most visits, does without (5.3 to 2.1 KB on its first load). The loader below adds
// the second where the page opened needs it, and the app before it shows any other page
// (src/pages/lazy.rs). Joined, brotli compresses the sheets together and a page makes one
// request instead of several.
const sheets = [...html.matchAll(/<link href=\/([\w-]+\.css) [^>]*rel=stylesheet>/g)];
if (sheets.length < 2 || !/^main-/.test(sheets[0][1])) throw new Error("index.html: style/main.css and the page sheets not found");
/** Writes `css` as a hashed file; returns its name and Subresource Integrity value. */
const writeSheet = (prefix, css) => {
  const name = `${prefix}-${hash(css)}.css`;
  writeFileSync(join(dist, name), css);
  written.push(name);
  return { name, integrity: `sha384-${createHash("sha384").update(css).digest("base64")}` };
};
const read = ([, file]) => readFileSync(join(dist, file), "utf8");
const shell = writeSheet("style", read(sheets[0]));
const pages = writeSheet("style-pages", sheets.slice(1).map(read).join("\n"));
html = html.replace(sheets[0][0], `<link rel="stylesheet" href="/${shell.name}" integrity="${shell.integrity}">`);
for (const [link] of sheets.slice(1)) html = replaceAll(html, link, "", "index.html");
for (const [, file] of sheets) unlinkSync(join(dist, file));

// The loader in index.html. A classic script (it runs while the HTML is parsed) starts the
// downloads at once: the page sheet unless the page is the reviews list (`__mosaicStyles()`
// adds it once, and says when it is there), and the pack of the page being opened on a first
// visit; on a later one (the shell in control), the main part, from the shell (the page's parts
// follow from it as soon as the app asks). A module script then runs the app.
const HOME = "^/$";
if (!packs[HOME]) throw new Error(`no pack for ${HOME}`);
const preload = `<script>(()=>{
let styled;
self.__mosaicStyles=()=>styled??=new Promise((done)=>{const l=document.createElement("link");l.rel="stylesheet";l.href=${JSON.stringify(`/${pages.name}`)};l.integrity=${JSON.stringify(pages.integrity)};l.onload=l.onerror=()=>done();document.head.append(l)});
const packs=${JSON.stringify(packs)};
const route=Object.keys(packs).find((r)=>new RegExp(r).test(location.pathname));
if(route!==${JSON.stringify(HOME)})self.__mosaicStyles();
if(!route||navigator.serviceWorker?.controller){const l=document.createElement("link");l.rel="preload";l.as="fetch";l.crossOrigin="anonymous";l.href=${JSON.stringify(`/${names.wasm}`)};document.head.append(l);return}
const unpack=(b)=>{const n=new DataView(b).getUint32(0,true),got=[];let at=4+n;
for(const[f,size]of JSON.parse(new TextDecoder().decode(new Uint8Array(b,4,n)))){got.push([f,new Uint8Array(b,at,size)]);at+=size}
return got};
const download=(pack)=>fetch("/"+pack).then((r)=>r.ok?r.arrayBuffer():Promise.reject(r.status)).then(unpack);
const wasm=(bytes)=>new Response(bytes,{headers:{"Content-Type":"application/wasm"}});
self.__mosaicPack=download(packs[route]).then((got)=>{
const files=new Map(got),next={...${JSON.stringify(nextPacks)}[route]};
self.__mosaicKept=self.caches?.open("mosaic-first-load").then((c)=>Promise.all(got.map(([f,bytes])=>c.put("/"+f,wasm(bytes))))).catch(()=>{});
self.__mosaicPacked=(f)=>{const bytes=files.get(f);files.delete(f);return bytes&&Promise.resolve(wasm(bytes))};
self.__mosaicNext=(part)=>{const pack=next[part];if(!pack)return;delete next[part];
return download(pack).then((more)=>more.forEach(([f,bytes])=>files.set(f,bytes))).catch(()=>{})};
}).catch(()=>{});
})()</script>`;
const head =
  `<link rel="modulepreload" href="/${names.js}">` +
  `<link rel="modulepreload" href="/${names.loader}">` +
  preload +
  `<script type="module">import init from "/${names.js}";await self.__mosaicPack;` +
  `init({module_or_path:self.__mosaicPacked?.(${JSON.stringify(names.wasm)})??"/${names.wasm}"});</script>`;
writeFileSync(index, replaceAll(html, "</head>", `${head}</head>`, "index.html"));
console.log(written.join("\n"));
