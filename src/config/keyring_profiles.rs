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
    fn keyring_profiles_are_sources_and_user_sessions_with_or_without_a_device() {
        use crate::config::{
            AwsFile, AwsFileKind, HatsFile, KeysAt, Source, Spec, build_targets, parse_profiles,
        };
        let config = "[profile alice]\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n\
            [profile prod]\nrole_arn = arn:aws:iam::222222222222:role/Admin\nsource_profile = alice\n\
            [profile bot-role]\nrole_arn = arn:aws:iam::222222222222:role/Bot\nsource_profile = bot\n";
        let credentials = "[plain]\naws_access_key_id = AKIAPLAINPLAINPLAIN1\naws_secret_access_key = s\n\
            [tmp]\naws_access_key_id = ASIATMP\naws_secret_access_key = s\naws_session_token = t\n";
        let file = |kind, path, text: &'static str| AwsFile {
            kind,
            path,
            bytes: text.as_bytes(),
        };
        let profiles = parse_profiles(
            file(AwsFileKind::Config, "/h/.aws/config", config),
            file(AwsFileKind::Credentials, "/h/.aws/credentials", credentials),
        )
        .unwrap();
        let mut hats = HatsFile::parse(
            "[[account]]\nid = \"333333333333\"\nname = \"data\"\nsource = \"alice\"\nroles = [\"Read\"]\n",
        )
        .unwrap();
        hats.keyring_profiles = ["alice", "bot"].map(String::from).into();
        let set = build_targets(&profiles, &hats);
        assert!(set.broken.is_empty(), "{:?}", set.broken);
        let spec = |name: &str| set.find(name).map(|t| t.spec.clone());
        assert!(matches!(
            spec("alice"),
            Some(Spec::UserSession {
                keys: KeysAt::Keyring,
                mfa: Some(_),
                ..
            })
        ));
        // A key added alone, with no section in the AWS files: a session without MFA.
        assert!(matches!(
            spec("bot"),
            Some(Spec::UserSession {
                keys: KeysAt::Keyring,
                mfa: None,
                ..
            })
        ));
        for (role, source) in [("prod", "alice"), ("bot-role", "bot"), ("data/Read", "alice")] {
            let Some(Spec::Role(role_spec)) = spec(role) else {
                panic!("{role} is a role");
            };
            assert_eq!(role_spec.source, Source::Keyring(source.into()), "{role}");
            let target = set.find(role).unwrap();
            assert_eq!(set.keys_of(target), Some((source, KeysAt::Keyring)));
        }
        assert!(
            set.find("prod").and_then(|t| t.mfa_device()).is_some(),
            "alice's device"
        );
        assert_eq!(
            set.plaintext_keys,
            ["plain"],
            "temporary credentials are not long-term keys"
        );
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
