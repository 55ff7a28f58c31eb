// IndexedDB for src/storage.rs, which says what is stored where: this file only turns
// IndexedDB's requests into promises. Every function returns a promise; a failure rejects it
// with words a person can read (the request's error message), never throws.
//
// Why JavaScript: these few requests as Rust (through a Rust IndexedDB crate or web-sys) were
// about 24 KB of WebAssembly that every page downloaded; as JavaScript they are well under 1 KB.

/** The open connection, kept between requests; `undefined` until the first or after it closed. */
let connection;

/** Opens the database `name` at `version`, creating each object store of `stores` it lacks. */
export function open(name, version, stores) {
  connection ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    // Set once this request was given up as blocked: it may still open later, and is closed then.
    let abandoned = false;
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const store of stores) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
    };
    request.onsuccess = () => {
      const db = request.result;
      if (abandoned) {
        db.close();
        return;
      }
      // Another tab opening a newer version waits for this connection to close: let it, and
      // open again at the next request.
      db.onversionchange = () => {
        db.close();
        connection = undefined;
      };
      db.onclose = () => (connection = undefined);
      resolve(db);
    };
    request.onerror = () => {
      connection = undefined;
      reject(message(request.error));
    };
    request.onblocked = () => {
      abandoned = true;
      connection = undefined;
      reject("another tab of this app keeps an older version of its storage open; close it and reload");
    };
  });
  return connection;
}

const message = (error) => String(error?.message ?? error ?? "unknown error");

/** What `request` (made by `make`, inside a transaction) succeeds with. */
const answer = (make) =>
  new Promise((resolve, reject) => {
    const request = make();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(message(request.error));
  }).catch((e) => Promise.reject(message(e)));

/** The value under `key` in `store`, `undefined` when there is none. */
export const get = (db, store, key) => answer(() => db.transaction(store).objectStore(store).get(key));

/** Every value of `store`, or only those whose keys lie between `lower` and `upper` when given. */
export const getAll = (db, store, lower, upper) =>
  answer(() =>
    db.transaction(store).objectStore(store).getAll(lower === undefined ? undefined : IDBKeyRange.bound(lower, upper)),
  );

/** How many values `store` holds. */
export const count = (db, store) => answer(() => db.transaction(store).objectStore(store).count());

/** Writes `writes`, a list of [store, key, value] (no value: delete the key), in one transaction:
 *  resolves once all of it landed, rejects if any of it did not (then none did). */
export function write(db, writes) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction([...new Set(writes.map(([store]) => store))], "readwrite");
    for (const [store, key, value] of writes) {
      if (value === undefined) tx.objectStore(store).delete(key);
      else tx.objectStore(store).put(value, key);
    }
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(message(tx.error ?? "the write was cancelled"));
  }).catch((e) => Promise.reject(message(e)));
}
