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

let loader = readFileSync(join(parts, "__wasm_split.js"), "utf8");
const written = [];
// The parts the loader downloads: named by their own content, then named so in the loader.
for (const name of readdirSync(parts).sort()) {
  if (!/^(split|chunk)_.*\.wasm$/.test(name)) continue;
  const bytes = readFileSync(join(parts, name));
  const hashed = name.replace(/\.wasm$/, `-${hash(bytes)}.wasm`);
  loader = replaceAll(loader, `"./${name}"`, `"./${hashed}"`, "__wasm_split.js");
  writeFileSync(join(dist, hashed), bytes);
  written.push(hashed);
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

// The loader in index.html: start the main part's downloads at once, then run it.
const index = join(dist, "index.html");
const html = readFileSync(index, "utf8");
const head =
  `<link rel="modulepreload" href="/${names.js}">` +
  `<link rel="modulepreload" href="/${names.loader}">` +
  `<link rel="preload" href="/${names.wasm}" as="fetch" type="application/wasm" crossorigin>` +
  `<script type="module">import init from "/${names.js}";init({module_or_path:"/${names.wasm}"});</script>`;
writeFileSync(index, replaceAll(html, "</head>", `${head}</head>`, "index.html"));
console.log(written.join("\n"));
