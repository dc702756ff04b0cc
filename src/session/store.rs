//! Secret storage: the OS keyring through the `keyring-core` family, or memory for unit tests.
//!
//! Every call is blocking; callers run them on `spawn_blocking` threads.
//! Lookups go straight to one entry; only `forget` lists a store's hats
//! entries ([`SecretStore::keys`]), by hats' service name, never anything else.

use keyring_core::CredentialStore;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The keyring service name every hats entry is filed under.
const SERVICE: &str = "hats";

/// A keyring that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error(
    "the {store} keyring is unavailable or locked ({detail}); unlock it, or set HATS_KEYRING={alternatives}"
)]
pub struct StoreError {
    /// Which store.
    pub store: &'static str,
    /// What went wrong.
    pub detail: String,
    /// What to try instead.
    pub alternatives: &'static str,
}

/// Where secrets go.
pub trait SecretStore: Send + Sync {
    /// The store's name, as `HATS_KEYRING` spells it.
    fn name(&self) -> &'static str;
    /// The secret under `key`, or `None` when there is none.
    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError>;
    /// Stores `value` under `key`, replacing what was there.
    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError>;
    /// Removes `key`; removing a missing key is fine.
    fn delete(&self, key: &str) -> Result<(), StoreError>;
    /// The key of every hats entry the store holds (filed under hats' service
    /// name), for `forget`: whatever the index says, and whoever wrote them.
    fn keys(&self) -> Result<Vec<String>, StoreError>;
}

/// A store from the keyring-core family.
pub struct KeyringStore {
    name: &'static str,
    inner: Arc<CredentialStore>,
}

impl KeyringStore {
    /// Wraps a keyring-core store.
    pub fn new(name: &'static str, inner: Arc<CredentialStore>) -> Self {
        Self { name, inner }
    }

    fn error(&self, e: &keyring_core::Error) -> StoreError {
        let mut detail = crate::error_text::describe(e);
        // keyutils keeps sessions in the session keyring; processes started
        // outside a login session (cron, some containers) have none they may use.
        if self.name == "keyutils" && matches!(e, keyring_core::Error::NoStorageAccess(_)) {
            detail.push_str("; this process has no usable session keyring: run hats under `keyctl session`");
        }
        StoreError {
            store: self.name,
            detail,
            alternatives: alternatives(self.name),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring_core::Entry, StoreError> {
        self.inner.build(SERVICE, key, None).map_err(|e| self.error(&e))
    }
}

/// Suggests the other stores when one fails.
pub fn alternatives(failed: &str) -> &'static str {
    match failed {
        "secret-service" => "keyutils or HATS_KEYRING=none",
        "keyutils" => "secret-service or HATS_KEYRING=none",
        _ => "none to run without a cache",
    }
}

impl SecretStore for KeyringStore {
    fn name(&self) -> &'static str {
        self.name
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(value.into())),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            // Bytes that are not UTF-8 are a corrupt entry: the caller replaces it.
            Err(keyring_core::Error::BadEncoding(_)) => Ok(Some(SecretString::from(String::new()))),
            Err(e) => Err(self.error(&e)),
        }
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        self.entry(key)?
            .set_password(value.expose_secret())
            .map_err(|e| self.error(&e))
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.error(&e)),
        }
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        // The keyutils store of the keyring family cannot search: hats reads the keyrings itself.
        #[cfg(target_os = "linux")]
        if self.name == "keyutils" {
            return super::keyutils_keys::keys(SERVICE).map_err(|detail| StoreError {
                store: self.name,
                detail,
                alternatives: alternatives(self.name),
            });
        }
        let spec = HashMap::from([("service", SERVICE)]);
        let found = self.inner.search(&spec).map_err(|e| self.error(&e))?;
        Ok(found
            .iter()
            .filter_map(keyring_core::Entry::get_specifiers)
            .filter(|(service, _)| service == SERVICE)
            .map(|(_, user)| user)
            .collect())
    }
}

/// An in-process store for unit tests of the engine's logic.
#[derive(Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, SecretString>>,
}

impl SecretStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        Ok(self.lock().get(key).cloned())
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        self.lock().insert(key.to_owned(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.lock().remove(key);
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.lock().keys().cloned().collect())
    }
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SecretString>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
