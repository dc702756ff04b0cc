//! The Freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC) as a
//! hats store, through the maintained `dbus-secret-service` crate: libdbus,
//! blocking, on the calling thread, no threads of its own.
//!
//! The session with the service is a *plain* one: secrets cross the session
//! bus unencrypted, as with 99designs/keyring (aws-vault, Granted). The bus is
//! a socket private to the user; only the same user or root can connect to it
//! or monitor it, and either can read the keyring anyway. What hats must make
//! sure is that the bus *is* the user's own: [`super::bus_owner`] checks that
//! before the first byte goes out. The keyring family's own Secret Service
//! store always opens a Diffie-Hellman session, which cost gnome-keyring ~5 ms
//! of CPU per run.
//!
//! Entries carry the attributes `service = <service>` and `username = <key>`
//! (sessions under `hats`, the same as earlier hats and the keyring family
//! wrote, so existing sessions read and `secret-tool` and Seahorse show them);
//! `keys` (for `forget`) reads the `username` of items of this store's service,
//! nothing else. A locked item or collection is
//! unlocked through the service's own prompt, waited for at most
//! [`UNLOCK_PROMPT_SECONDS`]; a prompt that is dismissed or not answered is a
//! "locked" error, never an empty cache.

use super::in_flight::Call;
use super::store::{SESSIONS, SecretStore, Service, StoreError};
use dbus_secret_service::{EncryptionType, Error, SecretService};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use zeroize::Zeroizing;

const STORE: &str = "secret-service";
const CONTENT_TYPE: &str = "text/plain; charset=utf8";

/// How long hats waits for the user to answer the service's unlock prompt.
pub const UNLOCK_PROMPT_SECONDS: u64 = 60;

/// One connection with the Secret Service, filing entries under one service.
pub struct SecretServiceStore {
    service: Arc<Mutex<SecretService>>,
    filed_under: Service,
}

impl SecretServiceStore {
    /// Checks that the session bus is the user's own, connects, and opens a
    /// plain session with the Secret Service (starting it if the bus can).
    /// Fails when none answers, so the caller may fall back to another store.
    /// Blocks without end on a bus that never answers: callers bound the wait
    /// (`keyring::Opening`).
    pub fn connect() -> Result<Self, StoreError> {
        let address = super::bus_owner::check_session_bus()?;
        let service = connect_unbounded().map_err(|e| match e {
            Error::Dbus(ref inner) if inner.name() == Some("org.freedesktop.DBus.Error.ServiceUnknown") => {
                StoreError::unavailable(
                    STORE,
                    format!("no Secret Service is running on the session bus at \"{address}\""),
                )
            }
            other => failure(&other),
        })?;
        Ok(Self {
            service: Arc::new(Mutex::new(service)),
            filed_under: SESSIONS,
        })
    }

    /// The connection, and the call counted until both are dropped.
    fn service(&self) -> (Call, MutexGuard<'_, SecretService>) {
        // Every call finishes its round trip before returning: a panic elsewhere
        // cannot leave the connection mid-message.
        (
            Call::start(),
            self.service.lock().unwrap_or_else(PoisonError::into_inner),
        )
    }
}

impl SecretStore for SecretServiceStore {
    fn name(&self) -> &'static str {
        STORE
    }

    fn get(&self, key: &str) -> Result<Option<SecretString>, StoreError> {
        let (_call, service) = self.service();
        let found = service
            .search_items(self.attributes(key))
            .map_err(|e| failure(&e))?;
        let item = match (found.unlocked.first(), found.locked.first()) {
            (Some(item), _) => item,
            (None, Some(item)) => {
                item.unlock().map_err(|e| failure(&e))?;
                item
            }
            (None, None) => return Ok(None),
        };
        let bytes = Zeroizing::new(item.get_secret().map_err(|e| failure(&e))?);
        // Bytes that are not UTF-8 cannot be a hats session: a corrupt entry,
        // which the caller discards and replaces. Transport errors never get here.
        let text = std::str::from_utf8(&bytes).unwrap_or_default();
        Ok(Some(SecretString::from(text.to_owned())))
    }

    fn set(&self, key: &str, value: &SecretString) -> Result<(), StoreError> {
        let (_call, service) = self.service();
        let collection = service.get_default_collection().map_err(|e| match e {
            Error::NoResult => StoreError::unavailable(
                STORE,
                "it has no default collection (create a login keyring, e.g. in Seahorse)",
            ),
            other => failure(&other),
        })?;
        let label = format!("{} {key}", self.filed_under.label);
        let create = || {
            collection.create_item(
                &label,
                self.attributes(key),
                value.expose_secret().as_bytes(),
                true,
                CONTENT_TYPE,
            )
        };
        match create() {
            Ok(_) => Ok(()),
            Err(e) if is_locked(&e) => {
                collection.unlock().map_err(|e| failure(&e))?;
                create().map(drop).map_err(|e| failure(&e))
            }
            Err(e) => Err(failure(&e)),
        }
    }

    fn keys(&self) -> Result<Vec<String>, StoreError> {
        let (_call, service) = self.service();
        let found = service
            .search_items(HashMap::from([("service", self.filed_under.name)]))
            .map_err(|e| failure(&e))?;
        let mut keys = Vec::new();
        // Attributes are readable without unlocking: no prompt, no secret.
        for item in found.unlocked.iter().chain(&found.locked) {
            let mut attributes = item.get_attributes().map_err(|e| failure(&e))?;
            keys.extend(attributes.remove("username"));
        }
        Ok(keys)
    }

    fn delete(&self, key: &str) -> Result<(), StoreError> {
        let (_call, service) = self.service();
        let found = service
            .search_items(self.attributes(key))
            .map_err(|e| failure(&e))?;
        if !found.locked.is_empty() {
            let locked: Vec<_> = found.locked.iter().collect();
            service.unlock_all(&locked).map_err(|e| failure(&e))?;
        }
        for item in found.unlocked.iter().chain(&found.locked) {
            item.delete().map_err(|e| failure(&e))?;
        }
        Ok(())
    }

    fn with_service(&self, service: Service) -> Arc<dyn SecretStore> {
        Arc::new(Self {
            service: Arc::clone(&self.service),
            filed_under: service,
        })
    }
}

impl SecretServiceStore {
    /// The attributes that identify this store's entry for `key`.
    fn attributes<'k>(&self, key: &'k str) -> HashMap<&'k str, &'k str> {
        HashMap::from([("service", self.filed_under.name), ("username", key)])
    }
}

/// Connects to the session bus and opens a plain session: libdbus blocks,
/// on a bus that accepts the connection and then says nothing without end.
fn connect_unbounded() -> Result<SecretService, Error> {
    SecretService::connect_with_max_prompt_timeout(EncryptionType::Plain, UNLOCK_PROMPT_SECONDS)
}

/// The error for a session bus that did not answer within `waited`, naming
/// the address it was reached at.
pub fn silent_bus(waited: Duration) -> StoreError {
    // The same address the connection used (the check passed before it hung).
    let address = super::bus_owner::check_session_bus()
        .unwrap_or_else(|_| std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default());
    StoreError::unavailable(
        STORE,
        format!(
            "the session bus at \"{address}\" did not answer within {} s",
            waited.as_secs()
        ),
    )
}

fn is_locked(e: &Error) -> bool {
    match e {
        Error::Locked => true,
        Error::Dbus(inner) => inner.name() == Some("org.freedesktop.Secret.Error.IsLocked"),
        _ => false,
    }
}

/// The store error for a failed call: "locked" when the keyring is locked and
/// was not unlocked, "unavailable" otherwise.
fn failure(e: &Error) -> StoreError {
    match e {
        Error::Prompt => StoreError::locked(
            STORE,
            format!("its unlock prompt was dismissed or not answered within {UNLOCK_PROMPT_SECONDS} s"),
        ),
        e if is_locked(e) => StoreError::locked(STORE, "the collection is locked"),
        Error::Dbus(inner) => {
            let name = inner.name().unwrap_or("D-Bus error");
            let message = inner.message().unwrap_or("");
            StoreError::unavailable(STORE, format!("{name}: {message}"))
        }
        other => StoreError::unavailable(STORE, other.to_string()),
    }
}
