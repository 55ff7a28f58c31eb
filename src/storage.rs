//! The browser's IndexedDB: every review this browser knows is kept here first, so the app works
//! with no server and nothing typed is lost on reload.
//!
//! Values are stored as JSON text under explicit keys: the stored form is exactly the domain's
//! serde form, the same as on the wire, with no second mapping to keep in step.

use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Serialize, de::DeserializeOwned};
use wasm_bindgen::JsValue;

const DB_NAME: &str = "mosaic";
const DB_VERSION: u32 = 1;
/// Review documents by review id.
pub const REVIEWS: &str = "reviews";
/// Participants' accounts, by [`account_key`].
pub const ACCOUNTS: &str = "accounts";
/// Changes not yet accepted by the server, by review id.
pub const OUTBOX: &str = "outbox";

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

impl From<rexie::Error> for StorageError {
    fn from(e: rexie::Error) -> Self {
        Self(e.to_string())
    }
}

async fn open() -> Result<Rexie, StorageError> {
    Ok(Rexie::builder(DB_NAME)
        .version(DB_VERSION)
        .add_object_store(ObjectStore::new(REVIEWS))
        .add_object_store(ObjectStore::new(ACCOUNTS))
        .add_object_store(ObjectStore::new(OUTBOX))
        .build()
        .await?)
}

/// Writes one value, replacing any under the same key; resolves once the transaction commits.
pub async fn put<T: Serialize>(store: &str, key: &str, value: &T) -> Result<(), StorageError> {
    let json = serde_json::to_string(value).map_err(|e| StorageError(e.to_string()))?;
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
    tx.store(store)?
        .put(&JsValue::from_str(&json), Some(&JsValue::from_str(key)))
        .await?;
    tx.done().await?;
    Ok(())
}

/// Reads one value; `None` when absent.
pub async fn get<T: DeserializeOwned>(store: &str, key: &str) -> Result<Option<T>, StorageError> {
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let value = tx.store(store)?.get(JsValue::from_str(key)).await?;
    value.map(decode).transpose()
}

/// Reads every value of a store.
pub async fn all<T: DeserializeOwned>(store: &str) -> Result<Vec<T>, StorageError> {
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let values = tx.store(store)?.get_all(None, None).await?;
    values.into_iter().map(decode).collect()
}

/// Reads every value whose key starts with `prefix`.
pub async fn with_prefix<T: DeserializeOwned>(
    store: &str,
    prefix: &str,
) -> Result<Vec<T>, StorageError> {
    // Keys are strings; every key with the prefix sorts between it and the prefix + U+FFFF.
    let range = rexie::KeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&format!("{prefix}\u{ffff}")),
        None,
        None,
    )
    .map_err(|e| StorageError(e.to_string()))?;
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
    let values = tx.store(store)?.get_all(Some(range), None).await?;
    values.into_iter().map(decode).collect()
}

/// Deletes one value; absent keys are not an error.
pub async fn delete(store: &str, key: &str) -> Result<(), StorageError> {
    let db = open().await?;
    let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
    tx.store(store)?.delete(JsValue::from_str(key)).await?;
    tx.done().await?;
    Ok(())
}

fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    let text = value
        .as_string()
        .ok_or_else(|| StorageError("a stored value is not text".into()))?;
    serde_json::from_str(&text).map_err(|e| StorageError(format!("a stored value is damaged: {e}")))
}

/// Saves the newest value of one document, in order: a save that is asked for while another is
/// under way waits for it, and only the newest waiting value is written. So rapid edits (one per
/// keystroke) can never land out of order and leave an older text stored.
pub struct Saver<T: Serialize + 'static> {
    store: &'static str,
    key: String,
    state: std::rc::Rc<std::cell::RefCell<SaverState<T>>>,
    on_error: std::rc::Rc<dyn Fn(StorageError)>,
}

// Not derived: a derive would demand `T: Clone`, which sharing the state does not need.
impl<T: Serialize + 'static> Clone for Saver<T> {
    fn clone(&self) -> Self {
        Self {
            store: self.store,
            key: self.key.clone(),
            state: self.state.clone(),
            on_error: self.on_error.clone(),
        }
    }
}

struct SaverState<T> {
    busy: bool,
    waiting: Option<T>,
}

impl<T: Serialize + 'static> Saver<T> {
    pub fn new(
        store: &'static str,
        key: String,
        on_error: impl Fn(StorageError) + 'static,
    ) -> Self {
        Self {
            store,
            key,
            state: std::rc::Rc::new(std::cell::RefCell::new(SaverState {
                busy: false,
                waiting: None,
            })),
            on_error: std::rc::Rc::new(on_error),
        }
    }

    pub fn save(&self, value: T) {
        {
            let mut state = self.state.borrow_mut();
            state.waiting = Some(value);
            if state.busy {
                return;
            }
            state.busy = true;
        }
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                let next = this.state.borrow_mut().waiting.take();
                let Some(value) = next else { break };
                if let Err(e) = put(this.store, &this.key, &value).await {
                    (this.on_error)(e);
                }
            }
            this.state.borrow_mut().busy = false;
        });
    }
}
