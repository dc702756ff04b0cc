//! The session index: which sessions are cached and until when, without secrets.
//!
//! `hats ls` reads only this file, so listing never unlocks the keyring.
//! The secrets themselves live in the keyring under the same keys.
//! A damaged file (garbage, a bad entry) costs only the entries that do not
//! parse: reading never fails and never panics, and the next write rebuilds it.
//! Writes are atomic (temp file + rename) under a lock, so a killed hats leaves
//! the old file or the new one; its stray temp file is removed by the next write.

use super::lock::lock_key;
use crate::fs_private::write_temp;
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

    /// Reads the index; a missing or unreadable file is an empty index and a bad
    /// entry is left out (the file holds no secrets and is rebuilt).
    pub fn read(&self) -> Index {
        self.read_checked().0
    }

    /// What is wrong with the file, if anything: `None` for a good or missing file.
    pub fn problem(&self) -> Option<String> {
        self.read_checked().1
    }

    /// The index file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read_checked(&self) -> (Index, Option<String>) {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Index::default(), None),
            Err(e) => return (Index::default(), Some(e.to_string())),
        };
        // Entry by entry, so one bad entry does not hide the others.
        #[derive(Deserialize)]
        struct Loose {
            #[serde(default)]
            sessions: BTreeMap<String, serde_json::Value>,
        }
        let Ok(loose) = serde_json::from_slice::<Loose>(&bytes) else {
            return (Index::default(), Some("not a JSON session index".into()));
        };
        let total = loose.sessions.len();
        let sessions: BTreeMap<String, IndexEntry> = loose
            .sessions
            .into_iter()
            .filter_map(|(key, value)| Some((key, serde_json::from_value(value).ok()?)))
            .collect();
        let bad = total - sessions.len();
        let problem = (bad > 0).then(|| format!("{bad} unreadable entries"));
        (Index { sessions }, problem)
    }

    /// Changes the index under its lock and writes it back atomically.
    pub fn update<R>(&self, change: impl FnOnce(&mut Index) -> R) -> std::io::Result<R> {
        let _lock = lock_key(&self.lock_dir, "index")?;
        remove_stray_temp_files(&self.path);
        let mut index = self.read();
        let result = change(&mut index);
        let bytes = serde_json::to_vec_pretty(&index).map_err(std::io::Error::other)?;
        let written = write_temp(&self.path, &bytes)?;
        crate::test_hooks::abort_point(crate::test_hooks::INDEX_RENAME);
        written.replace()?;
        Ok(result)
    }

    /// Where per-key locks live.
    pub fn lock_dir(&self) -> &Path {
        &self.lock_dir
    }
}

/// Removes temp files of writers killed mid-write. Only called under the index
/// lock: every writer of the index holds it, so any temp file now is a dead one's.
fn remove_stray_temp_files(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_index_keeps_its_good_entries_and_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let file = IndexFile::in_dir(dir.path());
        std::fs::write(
            file.path(),
            r#"{"sessions":{"good":{"label":"a","kind":"role","expires":"2030-01-01T00:00:00Z"},"bad":{"label":1}}}"#,
        )
        .unwrap();
        assert_eq!(file.read().sessions.len(), 1);
        assert_eq!(file.problem().as_deref(), Some("1 unreadable entries"));
        std::fs::write(dir.path().join(".sessions.json.999999.tmp"), "half").unwrap();
        file.update(|_| ()).unwrap();
        assert_eq!(file.problem(), None);
        assert!(!dir.path().join(".sessions.json.999999.tmp").exists());
        std::fs::write(file.path(), b"\x00garbage").unwrap();
        assert!(file.read().sessions.is_empty());
        assert!(file.problem().is_some());
    }
}
