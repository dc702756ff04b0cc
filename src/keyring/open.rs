//! Chooses and opens the keyring: `HATS_KEYRING`, else the platform's default,
//! with the kernel keyutils keyring as the fallback on headless Linux. Every
//! opening runs on a blocking thread and is waited for within a bound.

use super::in_flight::Call;
use super::store::{KeyringStore, SecretStore, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

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

/// How long connecting to the session bus and opening a session may take. Both
/// are a few round trips with local daemons; a bus that has not answered in 5 s is stuck.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A keyring being opened on a blocking thread.
///
/// Opening the Secret Service is the slowest step of a cached hand-out: a
/// connection to the bus, its authentication and a session are round trips
/// with two daemons. Started as early as the command allows, they overlap the
/// rest of start-up. Nothing is read from the keyring and no secret is sent
/// until the command asks for its session.
pub struct Opening {
    choice: KeyringChoice,
    task: JoinHandle<Result<Opened, StoreError>>,
}

impl Opening {
    /// Starts opening the store `choice` names. Call within the runtime.
    pub fn start(choice: KeyringChoice) -> Self {
        // Counted from here, not from the first byte to the bus: a command that
        // fails before the blocking thread has even begun still lets it end
        // (`main`'s bounded wait) rather than exiting in the middle of it.
        let call = Call::start();
        Self {
            choice,
            task: tokio::task::spawn_blocking(move || {
                let _call = call;
                open(choice)
            }),
        }
    }

    /// Starts opening the store `HATS_KEYRING` names; `None` when caching is
    /// off or the variable is invalid (the command's own opening reports that).
    pub fn start_from_env() -> Option<Self> {
        let choice = KeyringChoice::from_env().ok()?;
        (choice != KeyringChoice::None).then(|| Self::start(choice))
    }

    /// The opened store, waited for at most [`CONNECT_TIMEOUT`]: libdbus waits
    /// without end for a bus that accepts the connection and then says nothing.
    /// A silent bus counts as no Secret Service (so `auto` falls back). The
    /// thread left behind stays blocked on that dead socket; `main` shuts the
    /// runtime down without waiting for it.
    pub async fn finish(self) -> Result<Opened, StoreError> {
        match tokio::time::timeout(CONNECT_TIMEOUT, self.task).await {
            Ok(joined) => joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
            Err(_) => {
                let silent = silent_bus(CONNECT_TIMEOUT);
                match self.choice {
                    KeyringChoice::Auto => fall_back(silent),
                    _ => Err(silent),
                }
            }
        }
    }
}

/// Opens the chosen store. Blocking, and on a silent bus without end: use
/// [`Opening`], which bounds the wait.
fn open(choice: KeyringChoice) -> Result<Opened, StoreError> {
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
pub async fn open_every() -> Vec<Arc<dyn SecretStore>> {
    #[cfg(target_os = "linux")]
    let every = [KeyringChoice::SecretService, KeyringChoice::Keyutils];
    #[cfg(not(target_os = "linux"))]
    let every = [KeyringChoice::Auto];
    let mut stores = Vec::new();
    for choice in every {
        if let Ok(Opened {
            store: Some(store), ..
        }) = Opening::start(choice).finish().await
        {
            stores.push(store);
        }
    }
    stores
}

#[cfg(target_os = "linux")]
fn auto() -> Result<Opened, StoreError> {
    match secret_service() {
        Ok(store) => Ok(Opened {
            store: Some(store),
            fallback_notice: None,
        }),
        Err(e) => fall_back(e),
    }
}

/// `auto` when the Secret Service did not open: the kernel keyutils keyring, with a notice.
#[cfg(target_os = "linux")]
fn fall_back(secret_service: StoreError) -> Result<Opened, StoreError> {
    Ok(Opened {
        store: Some(keyutils()?),
        fallback_notice: Some(format!(
            "no Secret Service answered ({}); caching sessions in the kernel keyutils keyring instead \
             (set HATS_KEYRING to choose a store)",
            secret_service.detail
        )),
    })
}

/// `auto` has no other store to fall back to here.
#[cfg(not(target_os = "linux"))]
fn fall_back(store: StoreError) -> Result<Opened, StoreError> {
    Err(store)
}

#[cfg(target_os = "linux")]
use super::secret_service::silent_bus;

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
    let store: Arc<dyn SecretStore> = Arc::new(KeyringStore::new("macos-keychain", inner));
    // One Keychain item for every entry: an upgrade of hats asks once (keyring::bundle).
    let lock = directories::ProjectDirs::from("", "", "hats")
        .ok_or_else(|| StoreError::unavailable("macos-keychain", "no home directory for its lock file"))?
        .cache_dir()
        .join("keychain.lock");
    Ok(Opened {
        store: Some(Arc::new(super::bundle::Bundle::new(store, lock))),
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

/// The platform's keyring did not answer within `waited`.
#[cfg(not(target_os = "linux"))]
fn silent_bus(waited: Duration) -> StoreError {
    StoreError::unavailable(
        "keyring",
        format!("it did not answer within {} s", waited.as_secs()),
    )
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
