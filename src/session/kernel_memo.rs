//! A short-lived copy of Secret Service entries in the Linux kernel's user
//! keyring, so a cached hand-out does not pay for a Secret Service session.
//!
//! Opening an encrypted session with GNOME Keyring costs ~5 ms of its CPU
//! (a 1024-bit Diffie-Hellman exchange) on every run; reading a kernel key
//! costs two system calls. `Memoized` answers reads from the kernel copy while
//! it lives and falls through to the Secret Service otherwise. The copy:
//! - lives in kernel memory (never swapped, never on disk), readable only by
//!   processes of the same user that possess the user keyring;
//! - expires by itself `MEMO_SECONDS` after it was written, so locking the
//!   Secret Service is honoured again within that time;
//! - is dropped before every write or delete of the real entry and written
//!   only after the real entry, so a process killed in between leaves no copy
//!   newer or older than the Secret Service's;
//! - is namespaced by the session bus address, so two Secret Services (two
//!   logins, or the test suite's private ones) never see each other's copies.
//!
//! Every failure here (no keyutils, quota full) only means a slower read: it
//! is never reported and never stops the real store from working.

use super::store::{SecretStore, StoreError};
use linux_keyutils::{KeyRing, KeyRingIdentifier};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use zeroize::Zeroizing;

/// How long a copy lives after it is written.
pub const MEMO_SECONDS: usize = 300;

/// Sessions are ~1.5 KiB of JSON; larger entries are read in a second try.
const FIRST_READ: usize = 4096;

/// A store whose reads are answered from the kernel copy when there is one.
pub struct Memoized {
    memo: Option<KernelMemo>,
    inner: Arc<dyn SecretStore>,
}

impl Memoized {
    /// Puts a kernel copy in front of `inner`, in the namespace `scope`
    /// (an identity of the store, such as its bus address).
    pub fn wrap(inner: Arc<dyn SecretStore>, scope: &str) -> Self {
        Self {
            memo: KernelMemo::open(scope),
            inner,
        }
    }
}

impl SecretStore for Memoized {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        if let Some(copy) = self.memo.as_ref().and_then(|memo| memo.get(key)) {
            return Ok(Some(copy));
        }
        let found = self.inner.get(key)?;
        if let (Some(memo), Some(secret)) = (&self.memo, &found) {
            memo.put(key, secret);
        }
        Ok(found)
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        if let Some(memo) = &self.memo {
            memo.forget(key);
        }
        self.inner.set(key, value)?;
        if let Some(memo) = &self.memo {
            memo.put(key, value);
        }
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        if let Some(memo) = &self.memo {
            memo.forget(key);
        }
        self.inner.delete(key)
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        self.inner.keys()
    }
}

/// The kernel user keyring, and the prefix of hats' descriptions in it.
struct KernelMemo {
    keyring: KeyRing,
    prefix: String,
}

impl KernelMemo {
    fn open(scope: &str) -> Option<Self> {
        let keyring = KeyRing::from_special_id(KeyRingIdentifier::User, false).ok()?;
        let digest = Sha256::digest(scope.as_bytes());
        let tag: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Some(Self {
            keyring,
            prefix: format!("hats-memo:{tag}:"),
        })
    }

    fn description(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn get(&self, key: &str) -> Option<SecretString> {
        let found = self.keyring.search(&self.description(key)).ok()?;
        let mut buffer = Zeroizing::new(vec![0u8; FIRST_READ]);
        let mut len = found.read(&mut *buffer).ok()?;
        if len > buffer.len() {
            buffer = Zeroizing::new(vec![0u8; len]);
            len = found.read(&mut *buffer).ok()?;
        }
        // Copy into a string of exactly the right size: converting a larger
        // buffer would reallocate and leave a copy behind unzeroed.
        let text = std::str::from_utf8(buffer.get(..len)?).ok()?;
        Some(SecretString::from(text.to_owned()))
    }

    fn put(&self, key: &str, value: &SecretString) {
        if let Ok(stored) = self
            .keyring
            .add_key(&self.description(key), value.expose_secret().as_bytes())
        {
            // A copy without a timeout would outlive the Secret Service's lock.
            if stored.set_timeout(MEMO_SECONDS).is_err() {
                let _ = stored.invalidate();
            }
        }
    }

    fn forget(&self, key: &str) {
        if let Ok(found) = self.keyring.search(&self.description(key)) {
            let _ = found.invalidate();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::MemoryStore;

    fn unique_scope() -> String {
        format!("test-{}-{:?}", std::process::id(), std::thread::current().id())
    }

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn reads_come_from_the_kernel_copy_until_the_entry_changes() {
        let inner = Arc::new(MemoryStore::default());
        let store = Memoized::wrap(inner.clone(), &unique_scope());
        assert!(
            store.memo.is_some(),
            "the kernel user keyring is not available here"
        );
        store.set("k", &secret("first")).unwrap();
        // Changed behind hats' back: the kernel copy still answers.
        inner.set("k", &secret("behind")).unwrap();
        assert_eq!(store.get("k").unwrap().unwrap().expose_secret(), "first");
        // Written through hats: both change.
        store.set("k", &secret("second")).unwrap();
        assert_eq!(store.get("k").unwrap().unwrap().expose_secret(), "second");
        store.delete("k").unwrap();
        assert!(store.get("k").unwrap().is_none());
        assert!(inner.get("k").unwrap().is_none());
    }

    #[test]
    fn a_miss_is_filled_from_the_real_store_and_scopes_do_not_mix() {
        let inner = Arc::new(MemoryStore::default());
        inner.set("k", &secret("real")).unwrap();
        let scope = unique_scope();
        let store = Memoized::wrap(inner.clone(), &scope);
        assert_eq!(store.get("k").unwrap().unwrap().expose_secret(), "real");
        let other = Memoized::wrap(Arc::new(MemoryStore::default()), &format!("{scope}-other"));
        assert!(other.get("k").unwrap().is_none());
        let big = "x".repeat(FIRST_READ * 2);
        store.set("big", &secret(&big)).unwrap();
        inner.delete("big").unwrap();
        assert_eq!(store.get("big").unwrap().unwrap().expose_secret(), big);
        store.delete("k").unwrap();
        store.delete("big").unwrap();
    }
}
