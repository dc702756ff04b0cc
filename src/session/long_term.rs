//! IAM users' long-term access keys in the OS keyring, one entry per profile,
//! filed under their own service (`keyring::LONG_TERM_KEYS`) so nothing that
//! clears sessions (`forget`, `forget --all`) ever sees them.
//!
//! An entry here may be a user's only copy of a key. This module never deletes
//! one unless asked to, never keeps one in a store that forgets (the kernel
//! keyutils keyring empties at logout and reboot), and checks every write by
//! reading it back. It knows nothing of IAM or of the AWS files.

use super::cache::off_thread;
use crate::domain::{AccessKey, AccessKeyId};
use crate::keyring::{LONG_TERM_KEYS, SecretStore, StoreError};
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What a keyring entry holds for one profile. Transient: built and dropped at once.
#[derive(Serialize, Deserialize)]
struct Payload {
    access_key_id: String,
    secret_access_key: String,
    /// The IAM user the key belongs to, as `GetCallerIdentity` named it.
    user_arn: String,
    /// When hats stored this key.
    stored_at: Timestamp,
}

/// A long-term key as the keyring keeps it.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub key: AccessKey,
    /// The IAM user it belongs to.
    pub user_arn: String,
    /// When hats stored it.
    pub stored_at: Timestamp,
}

/// Why a long-term key could not be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum KeyringKeyError {
    /// The keyring failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// The store forgets what it holds.
    #[error(
        "the {store} keyring forgets what it holds at logout and reboot, so it cannot keep a long-term key \
         (it may be your only copy); start a Secret Service (GNOME Keyring, KWallet, KeePassXC) and set \
         HATS_KEYRING=secret-service"
    )]
    Volatile { store: &'static str },
    /// No keyring is open: `HATS_KEYRING=none`, or none opened.
    #[error(
        "profile \"{profile}\" keeps its access key in the OS keyring, and this run has none open \
         (HATS_KEYRING=none, or the keyring did not open): unset HATS_KEYRING or unlock the keyring"
    )]
    NoKeyring { profile: String },
    /// The record says the keyring holds a key, and it does not.
    #[error(
        "profile \"{profile}\" keeps its access key in the OS keyring, but the {store} keyring holds none \
         for it; store it again with: hats keys add {profile}"
    )]
    Missing { profile: String, store: &'static str },
    /// The entry does not read as a key hats wrote.
    #[error(
        "the {store} keyring's entry for profile \"{profile}\" is not a long-term key hats wrote ({why}); \
         replace it: hats keys remove {profile}, then hats keys add {profile}"
    )]
    Corrupt {
        profile: String,
        store: &'static str,
        /// What is wrong, never the content.
        why: String,
    },
    /// A write reported success but did not read back.
    #[error(
        "the {store} keyring accepted the key of profile \"{profile}\" but did not give it back when read; \
         it is not kept there"
    )]
    NotKept { profile: String, store: &'static str },
}

/// The long-term keys in one keyring.
#[derive(Clone)]
pub struct KeyStore {
    store: Arc<dyn SecretStore>,
}

impl KeyStore {
    /// The long-term keys beside the sessions of `sessions` (the same keyring
    /// and connection, another service); refuses a store that forgets.
    pub fn beside(sessions: &Arc<dyn SecretStore>) -> Result<Self, KeyringKeyError> {
        if sessions.name() == "keyutils" {
            return Err(KeyringKeyError::Volatile {
                store: sessions.name(),
            });
        }
        Ok(Self {
            store: sessions.with_service(LONG_TERM_KEYS),
        })
    }

    /// The store's name, as `HATS_KEYRING` spells it.
    pub fn name(&self) -> &'static str {
        self.store.name()
    }

    /// The key of `profile`, or `None` when the keyring holds none.
    pub async fn get(&self, profile: &str) -> Result<Option<StoredKey>, KeyringKeyError> {
        let (store, owned) = (Arc::clone(&self.store), profile.to_owned());
        let Some(secret) = off_thread(move || store.get(&owned)).await? else {
            return Ok(None);
        };
        decode(&secret).map(Some).map_err(|why| KeyringKeyError::Corrupt {
            profile: profile.to_owned(),
            store: self.name(),
            why,
        })
    }

    /// The key of `profile`; its absence is an error that says how to add it.
    pub async fn require(&self, profile: &str) -> Result<StoredKey, KeyringKeyError> {
        self.get(profile).await?.ok_or_else(|| KeyringKeyError::Missing {
            profile: profile.to_owned(),
            store: self.name(),
        })
    }

    /// Stores `key` for `profile`, replacing what was there, and reads it back:
    /// only a key the keyring gives back counts as kept.
    pub async fn put(&self, profile: &str, key: &StoredKey) -> Result<(), KeyringKeyError> {
        let secret = encode(key);
        let (store, owned) = (Arc::clone(&self.store), profile.to_owned());
        off_thread(move || store.set(&owned, &secret)).await?;
        let kept = self.get(profile).await?;
        let same = kept.is_some_and(|k| {
            k.key.id == key.key.id && k.key.secret().expose_secret() == key.key.secret().expose_secret()
        });
        if same {
            Ok(())
        } else {
            Err(KeyringKeyError::NotKept {
                profile: profile.to_owned(),
                store: self.name(),
            })
        }
    }

    /// Removes the key of `profile`, if any.
    pub async fn delete(&self, profile: &str) -> Result<(), KeyringKeyError> {
        let (store, owned) = (Arc::clone(&self.store), profile.to_owned());
        Ok(off_thread(move || store.delete(&owned)).await?)
    }
}

fn encode(key: &StoredKey) -> SecretString {
    let payload = Payload {
        access_key_id: key.key.id.as_str().to_owned(),
        secret_access_key: key.key.secret().expose_secret().to_owned(),
        user_arn: key.user_arn.clone(),
        stored_at: key.stored_at,
    };
    SecretString::from(serde_json::to_string(&payload).expect("plain data serializes"))
}

/// The key an entry holds; the error says what is wrong by kind only (serde's
/// messages would quote the secret).
fn decode(secret: &SecretString) -> Result<StoredKey, String> {
    let payload: Payload =
        serde_json::from_str(secret.expose_secret()).map_err(|_| "not the JSON hats writes".to_owned())?;
    let id = AccessKeyId::parse(&payload.access_key_id).map_err(|_| "no valid access key id".to_owned())?;
    let key = AccessKey::new(id, SecretString::from(payload.secret_access_key))
        .map_err(|_| "no valid secret".to_owned())?;
    Ok(StoredKey {
        key,
        user_arn: payload.user_arn,
        stored_at: payload.stored_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyring::MemoryStore;

    fn stored(id: &str) -> StoredKey {
        StoredKey {
            key: AccessKey::new(
                AccessKeyId::parse(id).unwrap(),
                SecretString::from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            )
            .unwrap(),
            user_arn: "arn:aws:iam::111111111111:user/alice".into(),
            stored_at: Timestamp::from_second(1_700_000_000).unwrap(),
        }
    }

    #[tokio::test]
    async fn keys_live_apart_from_sessions_and_survive_clearing_them() {
        let sessions: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        sessions
            .set("mfa/alice/x", &SecretString::from("session"))
            .unwrap();
        let keys = KeyStore::beside(&sessions).unwrap();
        keys.put("alice", &stored("AKIAIOSFODNN7EXAMPLE")).await.unwrap();
        assert_eq!(
            sessions.keys().unwrap(),
            ["mfa/alice/x"],
            "forget lists sessions only"
        );
        for key in sessions.keys().unwrap() {
            sessions.delete(&key).unwrap();
        }
        sessions.delete("alice").unwrap();
        let kept = keys.require("alice").await.unwrap();
        assert_eq!(kept.key.id.as_str(), "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(kept.user_arn, "arn:aws:iam::111111111111:user/alice");
    }

    #[tokio::test]
    async fn a_damaged_entry_is_an_error_that_never_quotes_it_and_is_not_deleted() {
        let sessions: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let keys = KeyStore::beside(&sessions).unwrap();
        let raw = sessions.with_service(LONG_TERM_KEYS);
        raw.set(
            "alice",
            &SecretString::from("{\"secret_access_key\":\"TOPSECRET\""),
        )
        .unwrap();
        let err = keys.get("alice").await.unwrap_err().to_string();
        assert!(
            err.contains("is not a long-term key hats wrote") && !err.contains("TOPSECRET"),
            "{err}"
        );
        assert!(raw.get("alice").unwrap().is_some(), "kept for the user to decide");
        let missing = keys.require("bob").await.unwrap_err().to_string();
        assert!(missing.contains("hats keys add bob"), "{missing}");
    }
}
