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
/// Changes not yet accepted by the server, by review id.
pub const OUTBOX: &str = "outbox";

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
