//! The session cache: secrets in the keyring, expiry in the index, one lock per key.
//!
//! All keyring and file work runs on blocking threads, off the async runtime.

use super::index::{IndexEntry, IndexFile};
use super::lock::{KeyLock, lock_key};
use super::store::{SecretStore, StoreError};
use super::{Session, SessionError};
use crate::domain::Credentials;
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What is stored in the keyring for one session. Transient: built and dropped at once.
#[derive(Serialize, Deserialize)]
struct Payload {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiration: Timestamp,
    assumed_arn: Option<String>,
}

/// Cached sessions.
#[derive(Clone)]
pub struct Cache {
    store: Arc<dyn SecretStore>,
    index: IndexFile,
}

impl Cache {
    /// A cache keeping secrets in `store` and its index in `index`.
    pub fn new(store: Arc<dyn SecretStore>, index: IndexFile) -> Self {
        Self { store, index }
    }

    /// The store's name.
    pub fn store_name(&self) -> &'static str {
        self.store.name()
    }

    /// The session stored under `key`; a corrupt entry is deleted and reported as absent.
    pub async fn get(&self, key: &str) -> Result<Option<Session>, SessionError> {
        let (store, key) = (self.store.clone(), key.to_owned());
        blocking(move || {
            let Some(secret) = store.get(&key)? else {
                return Ok(None);
            };
            match serde_json::from_str::<Payload>(secret.expose_secret()) {
                Ok(p) => Ok(Some(Session {
                    credentials: Credentials {
                        access_key_id: p.access_key_id,
                        secret_access_key: p.secret_access_key.into(),
                        session_token: p.session_token.map(Into::into),
                        expiration: Some(p.expiration),
                    },
                    expiration: p.expiration,
                    assumed_arn: p.assumed_arn,
                    from_cache: true,
                })),
                Err(_) => {
                    store.delete(&key)?;
                    Ok(None)
                }
            }
        })
        .await
    }

    /// Stores `session` under `key` and records it in the index; prunes expired entries.
    pub async fn put(
        &self,
        key: &str,
        entry: IndexEntry,
        session: &Session,
        now: Timestamp,
    ) -> Result<(), SessionError> {
        let payload = Payload {
            access_key_id: session.credentials.access_key_id.clone(),
            secret_access_key: session.credentials.secret_access_key().to_owned(),
            session_token: session.credentials.session_token().map(str::to_owned),
            expiration: session.expiration,
            assumed_arn: session.assumed_arn.clone(),
        };
        let secret = SecretString::from(serde_json::to_string(&payload).expect("plain data serializes"));
        drop(payload);
        let (store, index, key) = (self.store.clone(), self.index.clone(), key.to_owned());
        blocking(move || {
            store.set(&key, &secret)?;
            let expired = index
                .update(|idx| {
                    idx.sessions.insert(key, entry);
                    let expired: Vec<String> = idx
                        .sessions
                        .iter()
                        .filter(|(_, e)| e.expires <= now)
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in &expired {
                        idx.sessions.remove(k);
                    }
                    expired
                })
                .map_err(|e| SessionError::cache_io(&e))?;
            for k in expired {
                store.delete(&k)?;
            }
            Ok(())
        })
        .await
    }

    /// Removes the given keys from keyring and index; returns how many were in the index.
    pub async fn remove(&self, keys: Vec<String>) -> Result<usize, SessionError> {
        let (store, index) = (self.store.clone(), self.index.clone());
        blocking(move || {
            for key in &keys {
                store.delete(key)?;
            }
            index
                .update(|idx| keys.iter().filter(|k| idx.sessions.remove(*k).is_some()).count())
                .map_err(|e| SessionError::cache_io(&e))
        })
        .await
    }

    /// Waits for the cross-process lock of `key`.
    pub async fn lock(&self, key: &str) -> Result<KeyLock, SessionError> {
        let (dir, key) = (self.index.lock_dir().to_owned(), key.to_owned());
        blocking(move || lock_key(&dir, &key).map_err(|e| SessionError::cache_io(&e))).await
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SessionError> + Send + 'static,
) -> Result<T, SessionError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        SessionError::Store(e)
    }
}
