//! The switcher's memory across runs: favourite and recently used targets,
//! in `prefs.json` in the data directory. Names only, never a secret.

use crate::fs_private::write_atomic;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How many recently used targets are remembered.
pub const RECENT_MAX: usize = 10;

/// What is remembered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    /// Pinned target names.
    #[serde(default)]
    pub favourites: Vec<String>,
    /// Recently used target names, most recent first.
    #[serde(default)]
    pub recent: Vec<String>,
    /// Regions picked per target.
    #[serde(default)]
    pub regions: std::collections::BTreeMap<String, String>,
}

/// `prefs.json` in `data_dir`.
pub fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("prefs.json")
}

/// Reads the file; a missing or damaged one is empty (it is only a convenience).
pub fn load(path: &Path) -> Prefs {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Writes the file atomically, readable by the owner only.
pub fn save(path: &Path, prefs: &Prefs) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(prefs).map_err(std::io::Error::other)?;
    write_atomic(path, &bytes)
}
