//! Identity Center inventories in the cache directory: per sso-session, the
//! accounts and roles assigned to the signed-in user (no secrets, no tokens).
//! Written by `org::identity_center::sync`, read here when targets are built.

use super::sso::SsoSession;
use crate::domain::Inventory;
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};

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
