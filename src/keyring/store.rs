//! Secret storage: the OS keyring through the `keyring-core` family, or memory for unit tests.
//!
//! Every call is blocking; callers run them on `spawn_blocking` threads.
//! Lookups go straight to one entry; only `forget` lists a store's hats
//! entries ([`SecretStore::keys`]), by hats' service name, never anything else.

use keyring_core::CredentialStore;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What a store files entries under: the Secret Service's `service` attribute,
/// the keychain's service, Credential Manager's target. Sessions and long-term
/// keys are filed apart, so clearing one (`hats forget --all`, or `secret-tool
/// clear service hats`) can never touch the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The service name entries are filed under.
    pub name: &'static str,
    /// How an entry's label starts, where the store shows labels (Seahorse).
    pub label: &'static str,
}

/// Cached sessions, MFA sessions and Identity Center tokens: all renewable.
pub const SESSIONS: Service = Service {
    name: "hats",
    label: "hats session",
};

/// IAM users' long-term access keys (`hats keys`): a user's only copy.
pub const LONG_TERM_KEYS: Service = Service {
    name: "hats-long-term-keys",
    label: "hats long-term access key of profile",
};

/// A keyring that cannot be used, or cannot be used right now.
#[derive(Debug, thiserror::Error)]
#[error(
    "the {store} keyring is {state} ({detail}); {hint}set HATS_KEYRING={alternatives}",
    state = if *.locked { "locked" } else { "unavailable" },
    hint = if *.locked { "unlock it or " } else { "" }
)]
pub struct StoreError {
    /// Which store.
    pub store: &'static str,
    /// What went wrong.
    pub detail: String,
    /// What to try instead.
    pub alternatives: &'static str,
    /// The store is there but locked (unlocking it is the way out).
    pub locked: bool,
}

impl StoreError {
    /// The store `store` failed for the reason `detail`.
    pub fn unavailable(store: &'static str, detail: impl Into<String>) -> Self {
        Self {
            store,
            detail: detail.into(),
            alternatives: alternatives(store),
            locked: false,
        }
    }

    /// The store `store` is locked and was not unlocked (`detail` says why).
    pub fn locked(store: &'static str, detail: impl Into<String>) -> Self {
        Self {
            locked: true,
            ..Self::unavailable(store, detail)
        }
    }
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
    /// The key of every hats entry the store holds (filed under this store's
    /// service), for `forget`: whatever the index says, and whoever wrote them.
    fn keys(&self) -> Result<Vec<String>, StoreError>;
    /// The same store (and connection) filing entries under `service` instead.
    fn with_service(&self, service: Service) -> Arc<dyn SecretStore>;
}

/// A store from the keyring-core family.
pub struct KeyringStore {
    name: &'static str,
    inner: Arc<CredentialStore>,
    utf8_bytes: bool,
    service: Service,
}

impl KeyringStore {
    /// Wraps a keyring-core store.
    pub fn new(name: &'static str, inner: Arc<CredentialStore>) -> Self {
        Self {
            name,
            inner,
            utf8_bytes: false,
            service: SESSIONS,
        }
    }

    /// Stores values as UTF-8 bytes rather than as the store's own text: Windows
    /// keeps passwords as UTF-16, twice the bytes of hats' ASCII entries under
    /// Credential Manager's 2,560-byte limit. Entries earlier hats wrote as
    /// UTF-16 still read.
    #[must_use]
    #[cfg_attr(not(target_os = "windows"), allow(dead_code))]
    pub fn storing_utf8_bytes(mut self) -> Self {
        self.utf8_bytes = true;
        self
    }

    fn error(&self, e: &keyring_core::Error) -> StoreError {
        let mut detail = crate::error_text::describe(e);
        // keyutils keeps sessions in the session keyring; processes started
        // outside a login session (cron, some containers) have none they may use.
        if self.name == "keyutils" && matches!(e, keyring_core::Error::NoStorageAccess(_)) {
            detail.push_str("; this process has no usable session keyring: run hats under `keyctl session`");
        }
        StoreError::unavailable(self.name, detail)
    }

    fn entry(&self, key: &str) -> Result<keyring_core::Entry, StoreError> {
        self.inner
            .build(self.service.name, key, None)
            .map_err(|e| self.error(&e))
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
        if self.utf8_bytes {
            return match self.entry(key)?.get_secret() {
                Ok(bytes) => Ok(Some(text_of(&zeroize::Zeroizing::new(bytes)))),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(e) => Err(self.error(&e)),
            };
        }
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(value.into())),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            // Bytes that are not UTF-8 are a corrupt entry: the caller replaces it.
            Err(keyring_core::Error::BadEncoding(_)) => Ok(Some(SecretString::from(String::new()))),
            Err(e) => Err(self.error(&e)),
        }
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        let entry = self.entry(key)?;
        if self.utf8_bytes {
            entry.set_secret(value.expose_secret().as_bytes())
        } else {
            entry.set_password(value.expose_secret())
        }
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
            return super::keyutils_keys::keys(self.service.name)
                .map_err(|detail| StoreError::unavailable(self.name, detail));
        }
        let spec = HashMap::from([("service", self.service.name)]);
        let found = self.inner.search(&spec).map_err(|e| self.error(&e))?;
        Ok(found
            .iter()
            .filter_map(keyring_core::Entry::get_specifiers)
            .filter(|(service, _)| service == self.service.name)
            .map(|(_, user)| user)
            .collect())
    }

    fn with_service(&self, service: Service) -> Arc<dyn SecretStore> {
        Arc::new(Self {
            name: self.name,
            inner: Arc::clone(&self.inner),
            utf8_bytes: self.utf8_bytes,
            service,
        })
    }
}

/// The text of stored bytes: UTF-8, or UTF-16LE as earlier hats wrote on
/// Windows (hats' JSON has no NUL byte, UTF-16 of it has one in every pair).
/// Anything else is a corrupt entry, handed up empty for the caller to replace.
fn text_of(bytes: &[u8]) -> SecretString {
    let utf16 = !bytes.is_empty()
        && bytes.len().is_multiple_of(2)
        && bytes.iter().skip(1).step_by(2).all(|b| *b == 0);
    let text = if utf16 {
        let units: zeroize::Zeroizing<Vec<u16>> = zeroize::Zeroizing::new(
            bytes
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect(),
        );
        String::from_utf16(&units).ok()
    } else {
        std::str::from_utf8(bytes).ok().map(str::to_owned)
    };
    SecretString::from(text.unwrap_or_default())
}

/// An in-process store for unit tests of the engine's logic.
pub struct MemoryStore {
    entries: Arc<Mutex<HashMap<(&'static str, String), SecretString>>>,
    service: Service,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self {
            entries: Arc::default(),
            service: SESSIONS,
        }
    }
}

impl SecretStore for MemoryStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        Ok(self.lock().get(&self.slot(key)).cloned())
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        self.lock().insert(self.slot(key), value.clone());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.lock().remove(&self.slot(key));
        Ok(())
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .lock()
            .keys()
            .filter(|(service, _)| *service == self.service.name)
            .map(|(_, key)| key.clone())
            .collect())
    }

    fn with_service(&self, service: Service) -> Arc<dyn SecretStore> {
        Arc::new(Self {
            entries: Arc::clone(&self.entries),
            service,
        })
    }
}

impl MemoryStore {
    fn slot(&self, key: &str) -> (&'static str, String) {
        (self.service.name, key.to_owned())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(&'static str, String), SecretString>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_bytes_read_as_utf8_or_as_the_utf16_earlier_hats_wrote() {
        assert_eq!(text_of(br#"{"a":1}"#).expose_secret(), r#"{"a":1}"#);
        let utf16: Vec<u8> = r#"{"a":1}"#.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(text_of(&utf16).expose_secret(), r#"{"a":1}"#);
        assert_eq!(text_of(b"\xff\xfe\xfd").expose_secret(), "", "corrupt");
    }
}
