// Runs binaryen's `wasm-opt -Oz` on every WebAssembly part in a folder, in place.
// Usage: node scripts/optimise-parts.mjs <binaryen's index.js> <dir> [--names]
//
// The same optimisation as the `wasm-opt` command of npm's binaryen, through its library:
// that command is a JavaScript build which spends about a second starting each time, and a
// build has dozens of parts, so one worker per core loads binaryen once and takes the parts
// largest first. `--names` keeps the functions' names (wasm-opt -g), for profiling.
//
// Before optimising the main part (mosaic_bg.wasm) it drops exports no code calls: the
// JavaScript classes of the crate wasm-streams (`IntoUnderlyingSource`, `…ByteSource`,
// `…Sink`), which Leptos's server functions bring for streaming responses. A client-side app
// never makes one (wasm-bindgen's glue only defines their classes), but an export is a root, so
// their code and what it calls (about 10 KB) stayed in every page's download. The build fails
// if they are missing or if anything imports them, so a new version that uses them is noticed.
import { availableParallelism } from "node:os";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

if (isMainThread) {
  const [binaryen, dir, flag] = process.argv.slice(2);
  if (!dir) throw new Error("usage: optimise-parts.mjs <binaryen's index.js> <dir> [--names]");
  const queue = readdirSync(dir)
    .filter((name) => name.endsWith(".wasm"))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const workers = Math.min(availableParallelism(), queue.length);
  let failed = false;
  await Promise.all(
    Array.from({ length: workers }, () => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { binaryen: pathToFileURL(resolve(binaryen)).href, names: flag === "--names" },
      });
      const next = () => (queue.length ? worker.postMessage(queue.shift()) : worker.terminate());
      worker.on("message", next);
      worker.on("error", (e) => {
        failed = true;
        console.error(e);
      });
      next();
      return new Promise((done) => worker.on("exit", done));
    }),
  );
  if (failed || queue.length) process.exit(1);
} else {
  const { default: binaryen } = await import(workerData.binaryen);
  const F = binaryen.Features;
  // What the build's Rust target emits; as `wasm-opt --enable-…` would be told.
  const features =
    F.BulkMemory | F.BulkMemoryOpt | F.ReferenceTypes | F.CallIndirectOverlong |
    F.NontrappingFPToInt | F.SignExt | F.MutableGlobals | F.Multivalue;
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(2);
  // As the command does when it optimises: the last size pass works on the stack form.
  binaryen.setGenerateStackIR(true);
  binaryen.setOptimizeStackIR(true);
  binaryen.setDebugInfo(workerData.names);
  parentPort.on("message", (file) => {
    const bytes = readFileSync(file);
    const module = binaryen.readBinary(bytes);
    module.setFeatures(features);
    if (basename(file) === "mosaic_bg.wasm") dropUnusedExports(binaryen, module);
    else if (WebAssembly.Module.imports(new WebAssembly.Module(bytes)).some((i) => UNUSED.test(i.name))) {
      throw new Error(`${file} imports a wasm-streams export this script drops from the main part`);
    }
    module.optimize();
    // The producers and target features sections are for tools, not browsers.
    module.runPasses(["strip-producers", "strip-target-features"]);
    writeFileSync(file, module.emitBinary());
    module.dispose();
    parentPort.postMessage(file);
  });
}

/** The main part's exports of wasm-streams' classes (see the top of this file). */
const UNUSED = /^(__wbg_)?intounderlying(bytesource|sink|source)_/;

/** Removes the exports `UNUSED` matches from `module` (binaryen's). */
function dropUnusedExports(binaryen, module) {
  const names = [];
  for (let i = 0; i < module.getNumExports(); i++) {
    const { name } = binaryen.getExportInfo(module.getExportByIndex(i));
    if (UNUSED.test(name)) names.push(name);
  }
  if (names.length === 0) throw new Error("mosaic_bg.wasm: no wasm-streams exports to drop; has wasm-bindgen's output changed?");
  for (const name of names) module.removeExport(name);
}
