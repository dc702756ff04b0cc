//! Reads `~/.aws/config` and `~/.aws/credentials` and parses them with the AWS SDK's own parser.
//!
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` are honoured as the SDK honours them.
//! hats reads the bytes itself and hands the SDK that text, so what it checks (size,
//! UTF-8, keys given twice) is exactly what gets parsed. This module never decides
//! what a profile means: `inventory/providers/` does.

use super::ConfigError;
use super::duplicate_keys::find_duplicate;
use super::profile_names::{rewrite_headers, sdk_name};
use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_runtime::env_config::file::{EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles};
use aws_types::os_shim_internal::{Env, Fs};
use futures_util::FutureExt;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

/// Which of the two AWS files a text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsFileKind {
    /// `~/.aws/config`.
    Config,
    /// `~/.aws/credentials`.
    Credentials,
}

impl AwsFileKind {
    /// The variable that moves this file elsewhere.
    pub const fn variable(self) -> &'static str {
        match self {
            Self::Config => "AWS_CONFIG_FILE",
            Self::Credentials => "AWS_SHARED_CREDENTIALS_FILE",
        }
    }

    /// The error for this file: `detail` says what is wrong, where.
    fn error(self, detail: String) -> ConfigError {
        ConfigError::AwsFile {
            what: match self {
                Self::Config => "config",
                Self::Credentials => "credentials file",
            },
            variable: self.variable(),
            detail,
        }
    }

    const fn default_name(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Credentials => "credentials",
        }
    }
}

/// One AWS file's bytes and where they came from (for messages).
#[derive(Debug, Clone, Copy)]
pub struct AwsFile<'a> {
    /// Config or credentials.
    pub kind: AwsFileKind,
    /// The path, as shown in messages.
    pub path: &'a str,
    /// The file's contents; empty for a missing file.
    pub bytes: &'a [u8],
}

/// Loads both AWS files; missing files give an empty set.
pub async fn load_profiles(fs: &Fs, env: &Env) -> Result<ProfileSet, ConfigError> {
    let (config_path, config) = read(fs, env, AwsFileKind::Config).await?;
    let (credentials_path, credentials) = read(fs, env, AwsFileKind::Credentials).await?;
    parse_profiles(
        AwsFile {
            kind: AwsFileKind::Config,
            path: &config_path,
            bytes: &config,
        },
        AwsFile {
            kind: AwsFileKind::Credentials,
            path: &credentials_path,
            bytes: &credentials,
        },
    )
}

/// One file's path and bytes; a missing file (or none configured) is empty.
async fn read(fs: &Fs, env: &Env, kind: AwsFileKind) -> Result<(String, Vec<u8>), ConfigError> {
    let Some(path) = file_path(env, kind) else {
        return Ok((String::new(), Vec::new()));
    };
    super::refuse_enormous(&path)?;
    let bytes = match fs.read_to_end(&path).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => {
            return Err(ConfigError::AwsRead {
                path,
                variable: kind.variable(),
                source,
            });
        }
    };
    Ok((path.to_string_lossy().into_owned(), bytes))
}

/// Parses the two files' bytes as the SDK would, refusing what the SDK would
/// silently misread: text that is not UTF-8 (the SDK drops the whole file) and a
/// key set twice in one section (the SDK keeps one of the values).
pub fn parse_profiles(config: AwsFile<'_>, credentials: AwsFile<'_>) -> Result<ProfileSet, ConfigError> {
    // hats' own generated profiles (`hats profiles sync`) only call hats back:
    // they are not targets, and skipping their text keeps start-up fast.
    let config_text = super::profile_block::without_block(utf8(config)?);
    let config_text: &str = &config_text;
    let credentials_text = utf8(credentials)?;
    // The SDK reads through its file-system shim; an in-memory one holding exactly
    // these bytes under the real paths keeps the paths in its error messages.
    let config_path = config.path.to_owned();
    let credentials_path = if credentials.path == config.path {
        // Both variables name one file: the shim needs a second name for the second text.
        format!("{} (as credentials)", credentials.path)
    } else {
        credentials.path.to_owned()
    };
    // Names the AWS CLI accepts but the SDK would drop are renamed for it (see profile_names).
    let files = HashMap::from([
        (
            config_path.clone(),
            rewrite_headers(config_text, AwsFileKind::Config)
                .into_owned()
                .into_bytes(),
        ),
        (
            credentials_path.clone(),
            rewrite_headers(credentials_text, AwsFileKind::Credentials)
                .into_owned()
                .into_bytes(),
        ),
    ]);
    let env = Env::from_slice(&[
        (AwsFileKind::Config.variable(), config_path.as_str()),
        (AwsFileKind::Credentials.variable(), credentials_path.as_str()),
    ]);
    let profiles = aws_config::profile::load(&Fs::from_map(files), &env, &EnvConfigFiles::default(), None)
        // With an in-memory file system the SDK's loader never waits.
        .now_or_never()
        .ok_or_else(|| AwsFileKind::Config.error("the AWS SDK's profile loader did not finish".into()))?
        .map_err(|e| {
            let detail = one_line(&crate::error_text::describe(&e));
            // The SDK's message names the file it could not parse.
            let kind = if !credentials.path.is_empty() && detail.contains(credentials_path.as_str()) {
                AwsFileKind::Credentials
            } else {
                AwsFileKind::Config
            };
            kind.error(detail)
        })?;
    for (file, text) in [(config, config_text), (credentials, credentials_text)] {
        if let Some(duplicate) = find_duplicate(text) {
            return Err(ConfigError::AwsDuplicateKey {
                path: file.path.to_owned(),
                line: duplicate.line,
                first_line: duplicate.first_line,
                key: duplicate.key.escape_debug().to_string(),
                section: duplicate.section.escape_debug().to_string(),
            });
        }
    }
    Ok(profiles)
}

/// Whether profile `name` sets `key`, read from the AWS files again (only on
/// the paths that ask: a failure, or the prompt hook).
pub async fn profile_sets(name: &str, key: &str) -> bool {
    let env = Env::real();
    let fs = Fs::real();
    load_profiles(&fs, &env)
        .await
        .ok()
        .and_then(|set| {
            set.get_profile(&super::sdk_name(name))
                .map(|p| p.get(key).is_some())
        })
        .unwrap_or(false)
}

/// When the SDK cannot read a profile from the files as they are (its own
/// name, or another profile's header the SDK's parser refuses, such as
/// `[profile semi;x]`, see `profile_names`): the two files as hats hands them
/// to the SDK, and the profile's name there, so aws-config's own providers can
/// load its credentials. `None` when the files need no rewriting.
pub fn sdk_profile_files(name: &str) -> Option<(ProfileFiles, String)> {
    let sdk = sdk_name(name);
    let mut rewritten = matches!(sdk, Cow::Owned(_));
    let env = Env::real();
    let mut files = ProfileFiles::builder();
    for (kind, sdk_kind) in [
        (AwsFileKind::Config, ProfileFileKind::Config),
        (AwsFileKind::Credentials, ProfileFileKind::Credentials),
    ] {
        let mut text = file_path(&env, kind)
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        if kind == AwsFileKind::Config {
            text = super::profile_block::without_block(&text).into_owned();
        }
        let headers = rewrite_headers(&text, kind);
        rewritten |= matches!(headers, Cow::Owned(_));
        files = files.with_contents(sdk_kind, headers.into_owned());
    }
    rewritten.then(|| (files.build(), sdk.into_owned()))
}

/// The file's text, or where it stops being UTF-8.
fn utf8(file: AwsFile<'_>) -> Result<&str, ConfigError> {
    std::str::from_utf8(file.bytes).map_err(|e| {
        let valid = &file.bytes[..e.valid_up_to()];
        ConfigError::AwsNotText {
            path: file.path.to_owned(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
            variable: file.kind.variable(),
        }
    })
}

/// The AWS config file the SDK would read (`AWS_CONFIG_FILE` or `~/.aws/config`);
/// `None` when `AWS_CONFIG_FILE` is set empty or there is no home directory.
pub fn aws_config_path() -> Option<PathBuf> {
    file_path(&Env::real(), AwsFileKind::Config)
}

/// The AWS credentials file the SDK would read (`AWS_SHARED_CREDENTIALS_FILE`
/// or `~/.aws/credentials`); `None` as for [`aws_config_path`].
pub fn aws_credentials_path() -> Option<PathBuf> {
    file_path(&Env::real(), AwsFileKind::Credentials)
}

/// Where the SDK would look for this file: the variable (with `~/` expanded) or `~/.aws/NAME`.
fn file_path(env: &Env, kind: AwsFileKind) -> Option<PathBuf> {
    let home = env
        .get("HOME")
        .ok()
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()));
    match env.get(kind.variable()).ok() {
        Some(set) if set.is_empty() => None,
        Some(set) => match (set.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => Some(home.join(rest)),
            _ => Some(PathBuf::from(set)),
        },
        None => Some(home?.join(".aws").join(kind.default_name())),
    }
}

/// The SDK's messages span lines; hats prints one.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(kind: AwsFileKind, path: &'static str, text: &'static str) -> AwsFile<'static> {
        AwsFile {
            kind,
            path,
            bytes: text.as_bytes(),
        }
    }

    #[test]
    fn both_files_are_merged_as_the_sdk_merges_them() {
        let profiles = parse_profiles(
            file(
                AwsFileKind::Config,
                "/h/.aws/config",
                "[profile a]\nregion = eu-west-1\n",
            ),
            file(
                AwsFileKind::Credentials,
                "/h/.aws/credentials",
                "[a]\naws_access_key_id = K\n",
            ),
        )
        .unwrap();
        let a = profiles.get_profile("a").unwrap();
        assert_eq!(
            (a.get("region"), a.get("aws_access_key_id")),
            (Some("eu-west-1"), Some("K"))
        );
    }

    #[test]
    fn sdk_syntax_errors_name_the_file_and_line() {
        let err = parse_profiles(
            file(AwsFileKind::Config, "/h/.aws/config", "[profile a]\n[broken\n"),
            file(AwsFileKind::Credentials, "/h/.aws/credentials", ""),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("/h/.aws/config on line 2"), "{err}");
        assert!(err.ends_with("point AWS_CONFIG_FILE elsewhere"), "{err}");
        let err = parse_profiles(
            file(AwsFileKind::Config, "/h/.aws/config", "[profile a]\n"),
            file(AwsFileKind::Credentials, "/h/.aws/credentials", "[a]\n[broken\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("cannot read the AWS credentials file: "), "{err}");
        assert!(err.contains("/h/.aws/credentials on line 2"), "{err}");
        assert!(
            err.ends_with("point AWS_SHARED_CREDENTIALS_FILE elsewhere"),
            "{err}"
        );
    }

    #[test]
    fn a_duplicate_key_names_file_line_key_and_the_fix() {
        let err = parse_profiles(
            file(AwsFileKind::Config, "/h/.aws/config", ""),
            file(
                AwsFileKind::Credentials,
                "/h/.aws/credentials",
                "[base]\naws_access_key_id = A\naws_access_key_id = B\n",
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("\"/h/.aws/credentials\" line 3: \"aws_access_key_id\" is set twice in [base]"),
            "{err}"
        );
        assert!(err.contains("first on line 2") && err.contains("delete"), "{err}");
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_line() {
        let bytes = b"[profile a]\nregion = caf\xe9\n";
        let err = parse_profiles(
            AwsFile {
                kind: AwsFileKind::Config,
                path: "/h/.aws/config",
                bytes,
            },
            file(AwsFileKind::Credentials, "/h/.aws/credentials", ""),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("\"/h/.aws/config\" line 2 is not UTF-8"), "{err}");
        assert!(err.contains("AWS_CONFIG_FILE"), "{err}");
    }

    #[test]
    fn one_file_named_by_both_variables_is_read_once_for_each_role() {
        let text = "[profile a]\nregion = r\n";
        let profiles = parse_profiles(
            file(AwsFileKind::Config, "/x", text),
            file(AwsFileKind::Credentials, "/x", text),
        )
        .unwrap();
        assert_eq!(profiles.get_profile("a").and_then(|p| p.get("region")), Some("r"));
    }

    #[test]
    fn paths_follow_the_variables_and_home() {
        let env = Env::from_slice(&[("HOME", "/home/u"), ("AWS_CONFIG_FILE", "~/cfg")]);
        assert_eq!(
            file_path(&env, AwsFileKind::Config),
            Some(PathBuf::from("/home/u/cfg"))
        );
        assert_eq!(
            file_path(&env, AwsFileKind::Credentials),
            Some(PathBuf::from("/home/u/.aws/credentials"))
        );
        let env = Env::from_slice(&[("HOME", "/home/u"), ("AWS_CONFIG_FILE", "")]);
        assert_eq!(file_path(&env, AwsFileKind::Config), None);
    }
}
