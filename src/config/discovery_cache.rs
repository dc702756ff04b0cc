//! The inventories discovery leaves in the cache directory (no secrets, no
//! tokens): `organization.json`, written by `org::sync`, and per sso-session
//! `identity-center-<sha1 of the key>.json`, written by `org::identity_center::sync`.
//! Read here, before targets are built: the inventory stage itself reads no file.

use super::OrganizationEntry;
use super::sso::SsoSession;
use crate::domain::{Inventory, SessionDuration};
use jiff::Timestamp;
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};

/// Default freshness of the inventory.
pub const DEFAULT_TTL: SessionDuration = SessionDuration::from_secs(24 * 3600);

/// `organization.json` in the cache directory.
pub fn inventory_path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("organization.json")
}

/// The cached inventory; `None` when there is none or it cannot be read.
pub fn load_inventory(cache_dir: &Path) -> Option<Inventory> {
    let bytes = std::fs::read(inventory_path(cache_dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether `inventory` is older than the configured TTL at `now`.
pub fn is_stale(inventory: Option<&Inventory>, org: &OrganizationEntry, now: Timestamp) -> bool {
    let ttl = i64::from(org.ttl.unwrap_or(DEFAULT_TTL).as_secs());
    inventory.is_none_or(|inv| now.as_second() - inv.fetched_at.as_second() >= ttl)
}

/// `identity-center-<sha1 of the session key>.json` in the cache directory: one
/// file per sign-in, named by a hash because a legacy key is a URL.
pub fn sso_inventory_path(cache_dir: &Path, session: &SsoSession) -> PathBuf {
    let digest = Sha1::digest(session.key().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    cache_dir.join(format!("identity-center-{hex}.json"))
}

/// The cached inventory of `session`; `None` when there is none or it cannot be read.
pub fn load_sso_inventory(cache_dir: &Path, session: &SsoSession) -> Option<Inventory> {
    let bytes = std::fs::read(sso_inventory_path(cache_dir, session)).ok()?;
    serde_json::from_slice(&bytes).ok()
}
