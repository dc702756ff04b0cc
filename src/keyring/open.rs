//! Chooses and opens the keyring: `HATS_KEYRING`, else the platform's default,
//! with the kernel keyutils keyring as the fallback on headless Linux.

use super::store::{KeyringStore, SecretStore, StoreError};
use std::sync::Arc;

/// Which store the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringChoice {
    /// The platform default (Secret Service, then keyutils, on Linux).
    Auto,
    /// Freedesktop Secret Service (GNOME Keyring, KWallet).
    SecretService,
    /// The Linux kernel's keyutils keyring.
    Keyutils,
    /// No cache at all.
    None,
}

impl KeyringChoice {
    /// Reads `HATS_KEYRING`.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var("HATS_KEYRING").unwrap_or_default().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "secret-service" => Ok(Self::SecretService),
            "keyutils" => Ok(Self::Keyutils),
            "none" => Ok(Self::None),
            other => Err(format!(
                "HATS_KEYRING \"{other}\" is not one of secret-service, keyutils, none, auto"
            )),
        }
    }
}

/// What opening produced: a store (or none), and a notice for the user if hats fell back.
pub struct Opened {
    /// The store, `None` when caching is off.
    pub store: Option<Arc<dyn SecretStore>>,
    /// Set when the preferred store was not available and another was used.
    pub fallback_notice: Option<String>,
}

/// Opens the chosen store. Blocking: call from `spawn_blocking`.
pub fn open(choice: KeyringChoice) -> Result<Opened, StoreError> {
    let plain = |store| Opened {
        store: Some(store),
        fallback_notice: None,
    };
    match choice {
        KeyringChoice::None => Ok(Opened {
            store: None,
            fallback_notice: None,
        }),
        KeyringChoice::SecretService => secret_service().map(plain),
        KeyringChoice::Keyutils => keyutils().map(plain),
        KeyringChoice::Auto => auto(),
    }
}

/// Every store this platform has that opens, for `forget`: sessions may have
/// been written under another `HATS_KEYRING` (or by the automatic fallback).
/// Blocking: call from `spawn_blocking`.
pub fn open_every() -> Vec<Arc<dyn SecretStore>> {
    #[cfg(target_os = "linux")]
    let every = [secret_service(), keyutils()];
    #[cfg(not(target_os = "linux"))]
    let every = [auto().map(|opened| opened.store)]
        .into_iter()
        .filter_map(Result::transpose);
    every.into_iter().filter_map(Result::ok).collect()
}

#[cfg(target_os = "linux")]
fn auto() -> Result<Opened, StoreError> {
    match secret_service() {
        Ok(store) => Ok(Opened {
            store: Some(store),
            fallback_notice: None,
        }),
        Err(e) => Ok(Opened {
            store: Some(keyutils()?),
            fallback_notice: Some(format!(
                "no Secret Service answered ({}); caching sessions in the kernel keyutils keyring instead \
                 (set HATS_KEYRING to choose a store)",
                e.detail
            )),
        }),
    }
}

#[cfg(target_os = "linux")]
fn secret_service() -> Result<Arc<dyn SecretStore>, StoreError> {
    Ok(Arc::new(super::secret_service::SecretServiceStore::connect()?))
}

#[cfg(target_os = "linux")]
fn keyutils() -> Result<Arc<dyn SecretStore>, StoreError> {
    let inner = linux_keyutils_keyring_store::Store::new().map_err(|e| failed("keyutils", &e))?;
    Ok(Arc::new(KeyringStore::new("keyutils", inner)))
}

#[cfg(target_os = "macos")]
fn auto() -> Result<Opened, StoreError> {
    let inner =
        apple_native_keyring_store::keychain::Store::new().map_err(|e| failed("macos-keychain", &e))?;
    Ok(Opened {
        store: Some(Arc::new(KeyringStore::new("macos-keychain", inner))),
        fallback_notice: None,
    })
}

#[cfg(target_os = "windows")]
fn auto() -> Result<Opened, StoreError> {
    let inner =
        windows_native_keyring_store::Store::new().map_err(|e| failed("windows-credential-manager", &e))?;
    let store = KeyringStore::new("windows-credential-manager", inner).storing_utf8_bytes();
    Ok(Opened {
        // Credential Manager holds at most 2,560 bytes per credential (keyring::split).
        store: Some(Arc::new(super::split::Split::new(Arc::new(store), 2560))),
        fallback_notice: None,
    })
}

#[cfg(not(target_os = "linux"))]
fn secret_service() -> Result<Arc<dyn SecretStore>, StoreError> {
    Err(unsupported("secret-service"))
}

#[cfg(not(target_os = "linux"))]
fn keyutils() -> Result<Arc<dyn SecretStore>, StoreError> {
    Err(unsupported("keyutils"))
}

#[cfg(not(target_os = "linux"))]
fn unsupported(store: &'static str) -> StoreError {
    StoreError {
        alternatives: "auto",
        ..StoreError::unavailable(store, "only available on Linux")
    }
}

fn failed(store: &'static str, e: &keyring_core::Error) -> StoreError {
    StoreError::unavailable(store, crate::error_text::describe(e))
}
