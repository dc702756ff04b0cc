//! The session index: which sessions are cached and until when, without secrets.
//!
//! `hats ls` reads only this file, so listing never unlocks the keyring.
//! The secrets themselves live in the keyring under the same keys.

use super::fs_private::write_atomic;
use super::lock::lock_key;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One cached session, as recorded on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Target or profile name the session belongs to.
    pub label: String,
    /// `role` or `mfa`.
    pub kind: String,
    /// When the session expires.
    pub expires: Timestamp,
    /// The assumed-role ARN, for role sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
}

/// The whole index.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Index {
    /// Sessions by cache key.
    #[serde(default)]
    pub sessions: BTreeMap<String, IndexEntry>,
}

/// The index file and its lock directory.
#[derive(Debug, Clone)]
pub struct IndexFile {
    path: PathBuf,
    lock_dir: PathBuf,
}

impl IndexFile {
    /// The index in `cache_dir`.
    pub fn in_dir(cache_dir: &Path) -> Self {
        Self {
            path: cache_dir.join("sessions.json"),
            lock_dir: cache_dir.join("locks"),
        }
    }

    /// Reads the index; a missing or unreadable file is an empty index (it holds no secrets and is rebuilt).
    pub fn read(&self) -> Index {
        std::fs::read(&self.path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Changes the index under its lock and writes it back atomically.
    pub fn update<R>(&self, change: impl FnOnce(&mut Index) -> R) -> std::io::Result<R> {
        let _lock = lock_key(&self.lock_dir, "index")?;
        let mut index = self.read();
        let result = change(&mut index);
        let bytes = serde_json::to_vec_pretty(&index).map_err(std::io::Error::other)?;
        write_atomic(&self.path, &bytes)?;
        Ok(result)
    }

    /// Where per-key locks live.
    pub fn lock_dir(&self) -> &Path {
        &self.lock_dir
    }
}
