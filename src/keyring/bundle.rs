//! Every hats entry kept inside one entry of the store, for the macOS Keychain.
//!
//! The Keychain grants access per item, to the program that created it: after
//! hats is upgraded (a new binary is a new program to the Keychain) the first
//! read of each item asks the user. With one item per cached session that is
//! one dialog per session after every upgrade, the behaviour users of other
//! AWS credential tools complain about most. So all entries live in a single
//! item, `hats` / `sessions`, as a JSON object of key to value: an upgrade asks
//! once, whatever the number of cached sessions.
//!
//! A change is read-modify-write of the whole item, so changes from several hats
//! processes are serialised by an exclusive lock on a file next to hats' cache
//! (`keychain.lock`, no content). Reads take no lock: the Keychain replaces an
//! item's data in one step. The values are secrets: they are held in zeroizing
//! memory and never printed; a bundle that does not parse is treated as empty
//! (its sessions are asked for again), never shown.

use super::store::{SecretStore, Service, StoreError};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The key of the one entry the bundle is kept under.
pub const ITEM: &str = "sessions";

type Entries = BTreeMap<String, Zeroizing<String>>;

/// A store that keeps all entries in one entry of `inner`.
pub struct Bundle {
    inner: Arc<dyn SecretStore>,
    lock: PathBuf,
}

impl Bundle {
    /// Wraps `inner`; `lock` is the file that serialises changes between processes.
    pub fn new(inner: Arc<dyn SecretStore>, lock: PathBuf) -> Self {
        Self { inner, lock }
    }

    fn read(&self) -> Result<Entries, StoreError> {
        let Some(stored) = self.inner.get(ITEM)? else {
            return Ok(Entries::new());
        };
        let parsed: Result<BTreeMap<String, String>, _> = serde_json::from_str(stored.expose_secret());
        Ok(parsed
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(v)))
            .collect())
    }

    /// Applies `change` to the entries under the lock, and stores the result.
    fn update(&self, change: impl FnOnce(&mut Entries)) -> Result<(), StoreError> {
        let _held = self.hold_lock()?;
        let mut entries = self.read()?;
        change(&mut entries);
        if entries.is_empty() {
            return self.inner.delete(ITEM);
        }
        let plain: BTreeMap<&str, &str> = entries.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let text = Zeroizing::new(serde_json::to_string(&plain).unwrap_or_default());
        self.inner.set(ITEM, &SecretString::from(text.as_str()))
    }

    fn hold_lock(&self) -> Result<std::fs::File, StoreError> {
        let fail = |e: std::io::Error| {
            StoreError::unavailable(
                self.inner.name(),
                format!("cannot lock \"{}\": {e}", self.lock.display()),
            )
        };
        if let Some(dir) = self.lock.parent() {
            crate::fs_private::create_dir(dir).map_err(fail)?;
        }
        let file = crate::fs_private::open_rw(&self.lock).map_err(fail)?;
        // Released when the file is closed, whatever happens in between.
        file.lock().map_err(fail)?;
        Ok(file)
    }
}

impl SecretStore for Bundle {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    /// The bundle of another service: its own Keychain item, behind the same
    /// lock file (changes to either are rare; one lock keeps it simple).
    fn with_service(&self, service: Service) -> Arc<dyn SecretStore> {
        Arc::new(Self {
            inner: self.inner.with_service(service),
            lock: self.lock.clone(),
        })
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        Ok(self
            .read()?
            .remove(key)
            .map(|value| SecretString::from(value.as_str())))
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        self.update(|entries| {
            entries.insert(key.to_owned(), Zeroizing::new(value.expose_secret().to_owned()));
        })
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.update(|entries| {
            entries.remove(key);
        })
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.read()?.into_keys().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::MemoryStore;

    fn bundle(inner: &Arc<MemoryStore>, dir: &tempfile::TempDir) -> Bundle {
        let inner: Arc<dyn SecretStore> = inner.clone();
        Bundle::new(inner, dir.path().join("cache/keychain.lock"))
    }

    #[test]
    fn every_entry_lives_in_the_one_item() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Arc::new(MemoryStore::default());
        let store = bundle(&inner, &dir);
        store.set("role/a", &SecretString::from("one")).unwrap();
        store.set("mfa/b", &SecretString::from("two")).unwrap();
        assert_eq!(inner.keys().unwrap(), [ITEM], "one item in the underlying store");
        assert_eq!(store.get("role/a").unwrap().unwrap().expose_secret(), "one");
        let mut keys = store.keys().unwrap();
        keys.sort();
        assert_eq!(keys, ["mfa/b", "role/a"]);
        store.delete("role/a").unwrap();
        assert!(store.get("role/a").unwrap().is_none());
        store.delete("mfa/b").unwrap();
        assert!(
            inner.keys().unwrap().is_empty(),
            "the item goes with its last entry"
        );
    }

    #[test]
    fn changes_from_many_writers_at_once_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Arc::new(MemoryStore::default());
        std::thread::scope(|scope| {
            for i in 0..8 {
                // One Bundle per thread, as separate processes would have.
                let store = bundle(&inner, &dir);
                scope.spawn(move || store.set(&format!("role/{i}"), &SecretString::from("s")).unwrap());
            }
        });
        assert_eq!(bundle(&inner, &dir).keys().unwrap().len(), 8);
    }

    #[test]
    fn a_bundle_that_does_not_parse_reads_as_empty_and_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let inner = Arc::new(MemoryStore::default());
        inner.set(ITEM, &SecretString::from("not json")).unwrap();
        let store = bundle(&inner, &dir);
        assert!(store.get("role/a").unwrap().is_none());
        store.set("role/a", &SecretString::from("one")).unwrap();
        assert_eq!(store.get("role/a").unwrap().unwrap().expose_secret(), "one");
    }
}
