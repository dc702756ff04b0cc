//! Which target hats last signed the shared browser in to, per partition, so
//! that opening another target signs out first (the console refuses a second
//! account in one browser without multi-session).
//!
//! One small JSON file in hats' cache directory, holding target names and
//! times only (nothing secret). A missing or unreadable file means "nothing
//! known", never an error: the worst case is a console asking to sign out.

use crate::domain::Partition;
use jiff::Timestamp;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The last sign-in of the shared browser in one partition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LastSignIn {
    /// The target it was for.
    pub target: String,
    /// When its console session ends (the role session's expiry).
    pub until: Timestamp,
}

/// Every partition's last sign-in.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignedIn(BTreeMap<String, LastSignIn>);

fn path(cache_dir: &Path) -> PathBuf {
    cache_dir.join("console-signed-in.json")
}

impl SignedIn {
    /// What the file says; empty when it is missing or unreadable.
    pub fn load(cache_dir: &Path) -> Self {
        std::fs::read_to_string(path(cache_dir))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Whether the shared browser holds a live console session of `partition`
    /// for a target other than `target` at `now`.
    pub fn conflicts(&self, partition: Partition, target: &str, now: Timestamp) -> bool {
        self.0
            .get(partition.name())
            .is_some_and(|last| last.target != target && last.until > now)
    }

    /// Records that the shared browser is now signed in to `target` until
    /// `until`; a failure to write is ignored (see the module's doc).
    pub fn record(cache_dir: &Path, partition: Partition, target: &str, until: Timestamp) {
        let mut known = Self::load(cache_dir);
        known.0.insert(
            partition.name().to_owned(),
            LastSignIn {
                target: target.to_owned(),
                until,
            },
        );
        if let Ok(text) = serde_json::to_vec_pretty(&known) {
            let _ = crate::fs_private::create_dir(cache_dir)
                .and_then(|()| crate::fs_private::write_atomic(&path(cache_dir), &text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_live_target_in_the_same_partition_conflicts_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let now: Timestamp = "2026-11-22T12:00:00Z".parse().unwrap();
        let later = now + jiff::SignedDuration::from_secs(3600);
        assert!(
            !SignedIn::load(dir.path()).conflicts(Partition::Aws, "dev", now),
            "nothing known"
        );
        SignedIn::record(dir.path(), Partition::Aws, "prod", later);
        let known = SignedIn::load(dir.path());
        assert!(known.conflicts(Partition::Aws, "dev", now));
        assert!(!known.conflicts(Partition::Aws, "prod", now), "the same target");
        assert!(
            !known.conflicts(Partition::AwsCn, "dev", now),
            "another partition's cookies"
        );
        assert!(!known.conflicts(Partition::Aws, "dev", later), "expired");
        std::fs::write(dir.path().join("console-signed-in.json"), "{not json").unwrap();
        assert!(!SignedIn::load(dir.path()).conflicts(Partition::Aws, "dev", now));
    }
}
