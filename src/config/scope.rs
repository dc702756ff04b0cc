//! Scope-down policies from the command line (`--policy FILE`, `--policy-arn`)
//! and from named presets (`[preset.NAME]` in hats config), read and validated
//! before any call so a bad policy never reaches STS.
//!
//! Reads policy files; never calls AWS.

use super::ConfigError;
use super::hats_file::PresetEntry;
use crate::domain::SessionPolicy;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A validated scope-down and the preset it came from, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// What is sent as `Policy` and `PolicyArns`.
    pub policy: SessionPolicy,
    /// The preset's name, for history and the switcher.
    pub preset: Option<String>,
}

/// What the user asked for; all parts are optional and combine.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScopeRequest<'a> {
    /// `--policy FILE`.
    pub policy_file: Option<&'a Path>,
    /// `--policy-arn ARN`, repeated.
    pub policy_arns: &'a [String],
    /// `--preset NAME`.
    pub preset: Option<&'a str>,
}

/// The presets of hats config and where relative policy paths start.
#[derive(Debug, Clone, Default)]
pub struct Presets {
    /// By name.
    pub entries: BTreeMap<String, PresetEntry>,
    /// The config file's directory.
    pub base_dir: PathBuf,
}

impl Presets {
    /// The preset names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    /// Builds the scope `request` asks for; `None` when it asks for none.
    pub fn scope(&self, request: ScopeRequest<'_>) -> Result<Option<Scope>, ConfigError> {
        let mut arns: Vec<String> = Vec::new();
        let mut document: Option<(String, String)> = None;
        if let Some(name) = request.preset {
            let entry = self.entries.get(name).ok_or_else(|| ConfigError::Entry {
                place: format!("--preset \"{name}\""),
                message: match self.names().as_slice() {
                    [] => "hats config has no presets; add [preset.NAME] with policy_arns or policy".into(),
                    names => format!("no such preset; known presets: {}", names.join(", ")),
                },
            })?;
            arns.extend(entry.policy_arns.iter().cloned());
            if let Some(policy) = &entry.policy {
                document = Some(self.preset_document(name, policy)?);
            }
        }
        if let Some(path) = request.policy_file {
            if let Some((place, _)) = &document {
                return Err(ConfigError::Entry {
                    place: format!("--policy \"{}\"", path.display()),
                    message: format!("{place} already gives an inline policy; use one of them"),
                });
            }
            let place = format!("policy file \"{}\"", path.display());
            document = Some((place.clone(), read(path, &place)?));
        }
        arns.extend(request.policy_arns.iter().cloned());
        if document.is_none() && arns.is_empty() {
            return Ok(None);
        }
        let place = document
            .as_ref()
            .map_or_else(|| "--policy-arn".to_owned(), |(place, _)| place.clone());
        let policy =
            SessionPolicy::new(document.as_ref().map(|(_, text)| text.as_str()), arns).map_err(|e| {
                ConfigError::Entry {
                    place,
                    message: e.to_string(),
                }
            })?;
        Ok(Some(Scope {
            policy,
            preset: request.preset.map(str::to_owned),
        }))
    }

    /// The inline policy of preset `name`: the JSON itself, or the file it names.
    fn preset_document(&self, name: &str, policy: &str) -> Result<(String, String), ConfigError> {
        if policy.trim_start().starts_with('{') {
            return Ok((
                format!("policy of preset \"{name}\" in hats config"),
                policy.to_owned(),
            ));
        }
        let path = match policy.strip_prefix("~/") {
            Some(rest) => {
                std::env::var_os("HOME").map_or_else(|| PathBuf::from(policy), |h| Path::new(&h).join(rest))
            }
            None => self.base_dir.join(policy),
        };
        let place = format!("policy file \"{}\" of preset \"{name}\"", path.display());
        Ok((place.clone(), read(&path, &place)?))
    }
}

fn read(path: &Path, place: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError::Entry {
        place: place.to_owned(),
        message: format!("cannot be read ({e})"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn presets(dir: &Path) -> Presets {
        let file = crate::config::HatsFile::parse(
            r#"
            [preset.readonly]
            policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
            [preset.s3]
            policy = "s3.json"
            [preset.inline]
            policy = '{"Version": "2012-10-17", "Statement": []}'
            "#,
        )
        .unwrap();
        Presets {
            entries: file.presets,
            base_dir: dir.to_owned(),
        }
    }

    #[test]
    fn presets_and_flags_combine() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s3.json"), "{ \"Statement\": [] }").unwrap();
        let p = presets(dir.path());
        assert_eq!(p.scope(ScopeRequest::default()).unwrap(), None);
        let extra = ["arn:aws:iam::123456789012:policy/Extra".to_owned()];
        let scope = p
            .scope(ScopeRequest {
                preset: Some("readonly"),
                policy_arns: &extra,
                ..Default::default()
            })
            .unwrap()
            .unwrap();
        assert_eq!(scope.policy.arns.len(), 2);
        assert_eq!(scope.preset.as_deref(), Some("readonly"));
        let s3 = p
            .scope(ScopeRequest {
                preset: Some("s3"),
                ..Default::default()
            })
            .unwrap()
            .unwrap();
        assert_eq!(s3.policy.document.as_deref(), Some("{\"Statement\":[]}"));
        let inline = p
            .scope(ScopeRequest {
                preset: Some("inline"),
                ..Default::default()
            })
            .unwrap()
            .unwrap();
        assert!(inline.policy.document.unwrap().starts_with("{\"Version\""));
    }

    #[test]
    fn errors_name_the_file_or_preset() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "{ not json").unwrap();
        let p = presets(dir.path());
        let err = p
            .scope(ScopeRequest {
                policy_file: Some(&bad),
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.json") && err.contains("not valid JSON"),
            "{err}"
        );
        let err = p
            .scope(ScopeRequest {
                preset: Some("nope"),
                ..Default::default()
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("known presets: inline, readonly, s3"),
            "{err}"
        );
        let err = p
            .scope(ScopeRequest {
                preset: Some("s3"),
                ..Default::default()
            })
            .unwrap_err();
        assert!(
            err.to_string().contains("s3.json") && err.to_string().contains("cannot be read"),
            "{err}"
        );
    }
}
