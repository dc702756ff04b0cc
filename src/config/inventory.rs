//! The organization inventory file in the cache directory: discovered accounts,
//! no secrets. Written by `org::sync`, read here when targets are built.

use super::OrganizationEntry;
use crate::domain::{Inventory, SessionDuration};
use jiff::Timestamp;
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
