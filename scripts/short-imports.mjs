// Short names for what the main wasm part imports from wasm-bindgen's JavaScript glue.
//
// wasm-bindgen names each import after the function it binds plus a hash
// (`__wbg_instanceof_Promise_59148c6049d0e3a0`), and the name is written twice: in the wasm's
// import section and as a key of the glue's import object. Nearly 300 of them cost about 13 KB
// in each file, and the hashes do not compress. Binaryen's `minify-imports` pass only renames
// imports of Emscripten's modules, so this rewrites the import section itself: its format is
// small and fixed (the WebAssembly spec's binary format, section 5.5.5), and everything else in
// the file is copied byte for byte.
//
// Used by scripts/place-parts.mjs.

/** The glue's module name in wasm-bindgen's `--target web` output. */
const GLUE = "./mosaic_bg.js";

/** `a`, `b`, …, `Z`, `aa`, `ab`, …: the `n`th short name, a valid JavaScript identifier. */
const shortName = (n) => {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let name = "";
  do {
    name = letters[n % letters.length] + name;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  return name;
};

const encodeUnsigned = (value) => {
  const bytes = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return Buffer.from(bytes);
};

const encodeName = (name) => {
  const utf8 = Buffer.from(name, "utf8");
  return Buffer.concat([encodeUnsigned(utf8.length), utf8]);
};

/**
 * Renames every import of the glue module in `wasm` (a Buffer) to a short name, and the same
 * key in `js` (the glue's text). Returns `{ wasm, js }`; throws when either is not shaped as
 * expected (a tool changed its output), never writes a half-renamed pair.
 */
export function shortenImports(wasm, js) {
  if (wasm.readUInt32LE(0) !== 0x6d736100 || wasm.readUInt32LE(4) !== 1) {
    throw new Error("short-imports: not a WebAssembly module");
  }
  let at = 8;
  const unsigned = () => {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = wasm[at++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const name = () => {
    const length = unsigned();
    const text = wasm.toString("utf8", at, at + length);
    at += length;
    return text;
  };
  const limits = () => {
    const flags = wasm[at++];
    unsigned();
    if (flags & 1) unsigned();
  };

  const pieces = [wasm.subarray(0, 8)];
  const renamed = new Map();
  while (at < wasm.length) {
    const sectionStart = at;
    const id = wasm[at++];
    const size = unsigned();
    const end = at + size;
    if (id !== 2) {
      pieces.push(wasm.subarray(sectionStart, end));
      at = end;
      continue;
    }
    const entries = [];
    const count = unsigned();
    for (let i = 0; i < count; i++) {
      const module = name();
      let field = name();
      const descStart = at;
      const kind = wasm[at++];
      if (kind === 0) unsigned(); // a function: its type
      else if (kind === 1) {
        at++; // a table: its element type, then its limits
        limits();
      } else if (kind === 2) limits(); // a memory
      else if (kind === 3) at += 2; // a global: its value type and mutability
      else throw new Error(`short-imports: import kind ${kind} not understood`);
      if (module === GLUE) {
        if (!renamed.has(field)) renamed.set(field, shortName(renamed.size));
        field = renamed.get(field);
      }
      entries.push(encodeName(module), encodeName(field), wasm.subarray(descStart, at));
    }
    if (at !== end) throw new Error("short-imports: the import section was not read to its end");
    const body = Buffer.concat([encodeUnsigned(count), ...entries]);
    pieces.push(Buffer.from([2]), encodeUnsigned(body.length), body);
  }

  // In the glue each import is a key of the import object, `name: function(…)`, and nowhere else.
  for (const [long, short] of renamed) {
    const key = new RegExp(`(?<![\\w$])${long.replace(/\$/g, "\\$")}(?=: function\\()`, "g");
    const found = js.match(key)?.length ?? 0;
    if (found !== 1 || js.split(long).length !== 2) {
      throw new Error(`short-imports: the glue's import ${long} not understood`);
    }
    js = js.replace(key, short);
  }
  if (renamed.size === 0) throw new Error(`short-imports: no import of ${GLUE} found`);
  return { wasm: Buffer.concat(pieces), js };
}
