//! The browser's IndexedDB: every review this browser knows is kept here first, so the app works
//! with no server and nothing typed is lost on reload.
//!
//! Values are stored as JSON text under explicit keys: the stored form is exactly the domain's
//! serde form, the same as on the wire, with no second mapping to keep in step.

use serde::{Serialize, de::DeserializeOwned};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;

const DB_NAME: &str = "mosaic";
/// 2 added [`CREDENTIALS`], 3 [`SYNC`]; opening at a newer version creates the stores that are
/// missing.
const DB_VERSION: u32 = 3;
/// Review documents by review id.
pub const REVIEWS: &str = "reviews";
/// Participants' accounts, by [`account_key`].
pub const ACCOUNTS: &str = "accounts";
/// This browser's credential for each server review, by review id.
pub const CREDENTIALS: &str = "credentials";
/// Reviews created here and not yet accepted by the server, by review id.
pub const OUTBOX: &str = "outbox";
/// Each server review's sync state (`sync::SyncState`: the last server copy, the changes not
/// yet sent, conflicts waiting for a person), by review id.
pub const SYNC: &str = "sync";
/// Every store, created when missing as the database opens.
const STORES: [&str; 5] = [REVIEWS, ACCOUNTS, OUTBOX, CREDENTIALS, SYNC];

/// The key of one participant's account in [`ACCOUNTS`]. Review and participant ids hold no
/// `/`, so the key is unambiguous and every account of a review shares the prefix `{review}/`.
pub fn account_key(review: &str, participant: &str) -> String {
    format!("{review}/{participant}")
}

/// A storage failure, in words a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageError(pub String);

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "This browser's storage failed: {}", self.0)
    }
}

impl std::error::Error for StorageError {}

impl StorageError {
    /// A stored value that does not read back as what was stored. JSON's own account of where
    /// (serde_json's error text) is left out: a person can do nothing with it, and its
    /// formatting code (about 4 KB, a float formatter with it) was part of every first load.
    pub fn damaged(_: serde_json::Error) -> Self {
        Self("a stored value is damaged".into())
    }

    /// A value that could not be written as JSON (a map whose keys are not text).
    fn unwritable(_: serde_json::Error) -> Self {
        Self("a value could not be written as JSON".into())
    }
}

// IndexedDB's requests as promises (src/storage.js). Each rejects with the browser's words.
#[wasm_bindgen(module = "/src/storage.js")]
extern "C" {
    #[wasm_bindgen(js_name = open)]
    fn idb_open(name: &str, version: u32, stores: js_sys::Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = get)]
    fn idb_get(db: &JsValue, store: &str, key: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = getAll)]
    fn idb_get_all(
        db: &JsValue,
        store: &str,
        lower: Option<&str>,
        upper: Option<&str>,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = count)]
    fn idb_count(db: &JsValue, store: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = write)]
    fn idb_write(db: &JsValue, writes: js_sys::Array) -> js_sys::Promise;
}

/// What `promise` resolves to; its rejection as a [`StorageError`].
async fn settled(promise: js_sys::Promise) -> Result<JsValue, StorageError> {
    JsFuture::from(promise)
        .await
        .map_err(|e| StorageError(e.as_string().unwrap_or_else(|| "unknown error".into())))
}

/// The database's connection, opened (and its stores created) on first use.
async fn open() -> Result<JsValue, StorageError> {
    let stores = STORES.iter().map(|s| JsValue::from_str(s)).collect();
    settled(idb_open(DB_NAME, DB_VERSION, stores)).await
}

/// Writes one value, replacing any under the same key; resolves once the transaction commits.
pub async fn put<T: Serialize>(store: &str, key: &str, value: &T) -> Result<(), StorageError> {
    let json = serde_json::to_string(value).map_err(StorageError::unwritable)?;
    write(&[(store, key, Some(&json))]).await
}

/// Writes (`Some` value) and deletes (`None`) in one transaction: all or none land. The
/// IndexedDB requests (here, [`get_value`], [`all_values`]) are not generic: the public reads
/// and writes are generic only where a value is (de)serialised.
async fn write(writes: &[(&str, &str, Option<&str>)]) -> Result<(), StorageError> {
    // A transaction needs at least one store: nothing to write is done at once (a queued
    // document that no longer exists is left out of its batch).
    if writes.is_empty() {
        return Ok(());
    }
    let list: js_sys::Array = writes
        .iter()
        .map(|(store, key, value)| {
            let value = value.map_or(JsValue::UNDEFINED, JsValue::from_str);
            JsValue::from(js_sys::Array::of3(
                &JsValue::from_str(store),
                &JsValue::from_str(key),
                &value,
            ))
        })
        .collect();
    let db = open().await?;
    settled(idb_write(&db, list)).await.map(drop)
}

/// Writes several values in one transaction: all or none land.
pub async fn put_many<T: Serialize>(
    writes: &[(&'static str, &str, &T)],
) -> Result<(), StorageError> {
    let batch = writes
        .iter()
        .map(|(store, key, value)| {
            serde_json::to_string(value).map(|json| ((*store, (*key).to_owned()), json))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(StorageError::unwritable)?;
    write_batch(&batch).await
}

/// Reads one value; `None` when absent.
pub async fn get<T: DeserializeOwned>(store: &str, key: &str) -> Result<Option<T>, StorageError> {
    get_value(store, key).await?.map(decode).transpose()
}

async fn get_value(store: &str, key: &str) -> Result<Option<JsValue>, StorageError> {
    let db = open().await?;
    let value = settled(idb_get(&db, store, key)).await?;
    Ok((!value.is_undefined()).then_some(value))
}

/// Reads every value of a store.
pub async fn all<T: DeserializeOwned>(store: &str) -> Result<Vec<T>, StorageError> {
    let values = all_values(store, None).await?;
    values.into_iter().map(decode).collect()
}

/// Every value of `store`, or of its keys from `range.0` to `range.1`.
async fn all_values(
    store: &str,
    range: Option<(&str, &str)>,
) -> Result<Vec<JsValue>, StorageError> {
    let db = open().await?;
    let (lower, upper) = range.unzip();
    let values = settled(idb_get_all(&db, store, lower, upper)).await?;
    Ok(js_sys::Array::from(&values).to_vec())
}

/// How many values a store holds, without reading them.
pub async fn count(store: &str) -> Result<u32, StorageError> {
    let db = open().await?;
    let n = settled(idb_count(&db, store)).await?;
    Ok(n.as_f64().unwrap_or_default() as u32)
}

/// Reads every value whose key starts with `prefix`.
pub async fn with_prefix<T: DeserializeOwned>(
    store: &str,
    prefix: &str,
) -> Result<Vec<T>, StorageError> {
    // Keys are strings; every key with the prefix sorts between it and the prefix + U+FFFF.
    let upper = format!("{prefix}\u{ffff}");
    let values = all_values(store, Some((prefix, &upper))).await?;
    values.into_iter().map(decode).collect()
}

/// Deletes one value; absent keys are not an error.
pub async fn delete(store: &str, key: &str) -> Result<(), StorageError> {
    write(&[(store, key, None)]).await
}

fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    let text = value
        .as_string()
        .ok_or_else(|| StorageError("a stored value is not text".into()))?;
    mosaic_domain::json::from_str(&text).map_err(StorageError::damaged)
}

/// A document waiting in the write queue: its JSON, or how to make it when the write goes out.
pub enum Pending {
    /// Already serialised (a small document, or one borrowed from the caller).
    Json(String),
    /// Serialised when the transaction is built, after the next paint: the newest state of a
    /// large document (an account of thousands of entries) costs one serialisation per write
    /// that lands, however many keystrokes were coalesced into it, and none inside the input
    /// handler. `None` when the document no longer exists (nothing is written then).
    Later(Box<dyn FnOnce() -> Option<Result<String, String>>>),
}

/// Writes queued by [`queue_write`], waiting for the transaction under way to finish.
struct WriteQueue {
    busy: bool,
    /// The newest document per (store, key): an older value still waiting is simply replaced.
    waiting: Vec<((&'static str, String), Pending)>,
    on_error: Vec<Rc<dyn Fn(StorageError)>>,
}

/// Told `true` when queued writes start and `false` when all have landed.
type ActivityListener = Rc<dyn Fn(bool)>;

thread_local! {
    static BUSY_LISTENER: RefCell<Option<ActivityListener>> = const { RefCell::new(None) };
    static QUEUE: RefCell<WriteQueue> = const {
        RefCell::new(WriteQueue { busy: false, waiting: Vec::new(), on_error: Vec::new() })
    };
}

/// Registers the one function told when queued writes start (`true`) and when all have
/// landed (`false`): the app shows "Saving…" meanwhile, so a person knows when a reload is safe.
///
/// `false` comes [`SETTLED_MS`] after the last write landed, and only if nothing was queued
/// since: while a person types, each keystroke's write lands before the next keystroke, and
/// telling each one would flip the badge twice per keystroke, a repaint of the top bar in the
/// frame of every keystroke. It says "Saving…" a little longer instead, never less.
pub fn on_write_activity(listener: impl Fn(bool) + 'static) {
    BUSY_LISTENER.with_borrow_mut(|l| *l = Some(Rc::new(listener)));
}

/// How long the writes stay "Saving…" after the last one landed: longer than the pause between
/// two keystrokes of someone typing.
const SETTLED_MS: i32 = 500;

thread_local! {
    /// What the listener was last told.
    static TOLD_BUSY: Cell<bool> = const { Cell::new(false) };
    /// Counts the times the queue went idle, so a late "settled" timer knows it is stale.
    static IDLE_SINCE: Cell<u64> = const { Cell::new(0) };
}

fn tell_busy(busy: bool) {
    if TOLD_BUSY.replace(busy) == busy {
        return;
    }
    if let Some(listener) = BUSY_LISTENER.with_borrow(Clone::clone) {
        listener(busy);
    }
}

/// The queue went idle: says so once it has stayed idle for [`SETTLED_MS`].
fn tell_idle_when_settled() {
    let idle = IDLE_SINCE.with(|n| {
        n.set(n.get() + 1);
        n.get()
    });
    let settled = Closure::once_into_js(move || {
        let still_idle = QUEUE.with_borrow(|q| !q.busy) && IDLE_SINCE.get() == idle;
        if still_idle {
            tell_busy(false);
        }
    });
    match web_sys::window() {
        Some(window) => {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                settled.unchecked_ref(),
                SETTLED_MS,
            );
        }
        None => tell_busy(false),
    }
}

/// Queues documents to be written, in order, without waiting. Everything queued while the
/// previous write is under way goes out together in the next single transaction, so:
/// - rapid edits (one per keystroke) can never land out of order and leave an older text stored;
/// - documents queued in the same turn of the event loop (a sealed account and the review that
///   records its commitment) are written atomically: both or neither survive a reload or crash.
pub fn queue_write<T: Serialize>(
    writes: &[(&'static str, &str, &T)],
    on_error: impl Fn(StorageError) + 'static,
) {
    let encoded: Result<Vec<_>, _> = writes
        .iter()
        .map(|(store, key, value)| {
            serde_json::to_string(value)
                .map(|json| ((*store, (*key).to_owned()), Pending::Json(json)))
        })
        .collect();
    match encoded {
        Ok(encoded) => queue(encoded, on_error),
        Err(e) => on_error(StorageError::unwritable(e)),
    }
}

/// Like [`queue_write`], with documents that may be serialised only when the write goes out
/// ([`Pending::Later`]).
pub fn queue(
    writes: Vec<((&'static str, String), Pending)>,
    on_error: impl Fn(StorageError) + 'static,
) {
    let start = QUEUE.with_borrow_mut(|q| {
        for (slot, doc) in writes {
            match q.waiting.iter_mut().find(|(s, _)| *s == slot) {
                Some(existing) => existing.1 = doc,
                None => q.waiting.push((slot, doc)),
            }
        }
        q.on_error.push(Rc::new(on_error));
        !std::mem::replace(&mut q.busy, true)
    });
    if start {
        tell_busy(true);
        wasm_bindgen_futures::spawn_local(drain_queue());
    }
}

/// Resolves after the browser painted the frame the current change belongs to (the next
/// animation frame, then a task), or after 100 ms if no frame comes (a hidden tab paints
/// nothing, and its writes must still land).
async fn after_paint() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let on_frame = {
            let (window, resolve) = (window.clone(), resolve.clone());
            Closure::once_into_js(move || {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    resolve.unchecked_ref(),
                    0,
                );
            })
        };
        let _ = window.request_animation_frame(on_frame.unchecked_ref());
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 100);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

async fn drain_queue() {
    loop {
        // Typing goes on while a write is under way: let the keystroke that queued this paint
        // first, and let what comes meanwhile join the same write.
        after_paint().await;
        let (waiting, handlers) = QUEUE.with_borrow_mut(|q| {
            if q.waiting.is_empty() {
                q.busy = false;
            }
            (
                std::mem::take(&mut q.waiting),
                std::mem::take(&mut q.on_error),
            )
        });
        if waiting.is_empty() {
            tell_idle_when_settled();
            return;
        }
        let mut batch = Vec::with_capacity(waiting.len());
        let mut failed = None;
        for (slot, doc) in waiting {
            match doc {
                Pending::Json(json) => batch.push((slot, json)),
                Pending::Later(encode) => match encode() {
                    Some(Ok(json)) => batch.push((slot, json)),
                    Some(Err(e)) => failed = Some(StorageError(e)),
                    None => {}
                },
            }
        }
        let result = match failed {
            Some(e) => Err(e),
            None => write_batch(&batch).await,
        };
        if let Err(e) = result {
            for handler in &handlers {
                handler(e.clone());
            }
        }
    }
}

async fn write_batch(batch: &[((&'static str, String), String)]) -> Result<(), StorageError> {
    let writes: Vec<_> = batch
        .iter()
        .map(|((store, key), json)| (*store, key.as_str(), Some(json.as_str())))
        .collect();
    write(&writes).await
}
