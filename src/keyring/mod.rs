//! Where secrets are kept: the OS keyring behind one [`SecretStore`] trait.
//!
//! Knows stores, not sessions: it takes and gives opaque secret strings under
//! keys. `session::Cache` decides what goes in them. Linux: the Secret Service
//! (`secret_service.rs`, after `bus_owner.rs` has checked the bus is the
//! user's own) or the kernel keyutils keyring; macOS and Windows: the keyring
//! family's native stores (macOS through `bundle.rs`, Windows through `split.rs`). Every call blocks:
//! callers run them on `spawn_blocking` threads.

#[cfg_attr(not(target_os = "macos"), allow(dead_code))]
mod bundle;
#[cfg(target_os = "linux")]
mod bus_owner;
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
mod in_flight;
#[cfg(target_os = "linux")]
mod keyutils_keys;
mod open;
#[cfg(target_os = "linux")]
mod secret_service;
#[cfg_attr(not(target_os = "windows"), allow(dead_code))]
mod split;
mod store;

pub use in_flight::wait_for_calls;
pub use open::{KeyringChoice, Opened, Opening, open_every};
pub use store::{LONG_TERM_KEYS, MemoryStore, SESSIONS, SecretStore, Service, StoreError};
