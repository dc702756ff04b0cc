//! Which profiles keep their long-term access key in the OS keyring: a small
//! file `hats keys` writes in hats' config directory, read at every start-up,
//! so targets are built without opening the keyring.
//!
//! It holds profile names only, never a key. The AWS files are not touched by
//! this record (tools that read them never see keyring profiles as keyed).

use super::ConfigError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// The file's shape.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    /// Profile names, sorted.
    #[serde(default)]
    profiles: BTreeSet<String>,
}

/// What the file says first, for someone who opens it.
const HEADER: &str = "# Profiles whose long-term AWS access keys hats keeps in the OS keyring.\n\
                      # Written by `hats keys`; the keys themselves are never in this file.\n";

/// The profiles recorded in `path`; a missing file records none.
pub fn load(path: &Path) -> Result<BTreeSet<String>, ConfigError> {
    super::refuse_enormous(path)?;
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeSet::new()),
        Err(source) => {
            return Err(ConfigError::HatsRead {
                path: path.to_owned(),
                source,
            });
        }
    };
    toml::from_str::<Record>(&text)
        .map(|r| r.profiles)
        .map_err(|e| ConfigError::HatsInvalid {
            path: path.to_owned(),
            message: format!(
                "{}; it lists the profiles `hats keys` keeps in the keyring: fix or delete the line",
                e.message().trim_end()
            ),
        })
}

/// Writes `profiles` to `path` atomically (0600, like every file hats writes).
pub fn save(path: &Path, profiles: &BTreeSet<String>) -> std::io::Result<()> {
    let record = Record {
        profiles: profiles.clone(),
    };
    let body = toml::to_string(&record).map_err(std::io::Error::other)?;
    crate::fs_private::write_atomic(path, format!("{HEADER}{body}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_a_missing_file_records_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hats/keyring-profiles.toml");
        assert!(load(&path).unwrap().is_empty());
        let names: BTreeSet<String> = ["alice", "team \"ops\"", "équipe"].map(String::from).into();
        save(&path, &names).unwrap();
        assert_eq!(load(&path).unwrap(), names);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Profiles whose long-term"), "{text}");
    }

    #[test]
    fn a_damaged_record_names_the_file_and_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keyring-profiles.toml");
        std::fs::write(&path, "profiles = [\"a\"\n").unwrap();
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.contains("keyring-profiles.toml") && err.contains("hats keys"),
            "{err}"
        );
    }
}
