//! The AWS config and credentials files as `hats keys` reads them, and their
//! rewrite without a profile's keys (the text work is `config::key_lines`).

use crate::config::{AwsFileKind, aws_config_path, aws_credentials_path, key_lines};
use crate::error::Error;
use std::path::PathBuf;

/// One AWS file's text.
pub struct AwsText {
    /// Config or credentials.
    pub kind: AwsFileKind,
    /// Where it is (a symlink followed, so a dotfiles link stays a link).
    pub path: PathBuf,
    /// Its text; empty for a missing file.
    pub text: String,
}

impl AwsText {
    /// The path as messages show it.
    pub fn shown(&self) -> String {
        self.path.display().to_string()
    }

    /// What this file says about `profile`'s keys.
    pub fn keys_of(&self, profile: &str) -> key_lines::FoundKeys {
        key_lines::find_keys(&self.text, self.kind, profile)
    }

    /// Replaces the file with its text less the key lines of `profiles`, in
    /// place (same directory, mode kept, flushed before the rename; no copy of
    /// the old text anywhere), then reads it back to check the keys are gone.
    /// `Ok(false)` when the file held none of them.
    pub fn remove_keys(&self, profiles: &[&str]) -> Result<bool, Error> {
        let new = profiles.iter().fold(self.text.clone(), |text, profile| {
            key_lines::without_keys(&text, self.kind, profile)
        });
        if new == self.text {
            return Ok(false);
        }
        let shown = self.shown();
        let kept_lines = |why: String| {
            Error::Usage(format!(
                "{why}; the keys are in the keyring now, and their lines are still in \"{shown}\": run the \
                 import again, or delete them by hand"
            ))
        };
        let replaced =
            crate::user_file::replace_if_unchanged(&self.path, self.text.as_bytes(), new.as_bytes())
                .map_err(|e| kept_lines(format!("cannot rewrite \"{shown}\" ({e})")))?;
        if !replaced {
            return Err(kept_lines(format!(
                "\"{shown}\" changed while hats was about to rewrite it, so it was left as it is"
            )));
        }
        let back = std::fs::read_to_string(&self.path).unwrap_or_default();
        let left: Vec<&str> = profiles
            .iter()
            .copied()
            .filter(|p| key_lines::find_keys(&back, self.kind, p).id.is_some())
            .collect();
        if !left.is_empty() {
            return Err(Error::Usage(format!(
                "\"{shown}\" still holds keys of {} after the rewrite (did something else write it?); \
                 the keys are in the keyring: delete those lines by hand",
                left.join(", ")
            )));
        }
        Ok(true)
    }
}

/// Both AWS files, config first; a file whose path is not set is left out.
pub fn read_both() -> Result<Vec<AwsText>, Error> {
    let mut files = Vec::new();
    let paths = [
        (AwsFileKind::Config, aws_config_path()),
        (AwsFileKind::Credentials, aws_credentials_path()),
    ];
    for (kind, path) in paths {
        let Some(path) = path else { continue };
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        if files.iter().any(|f: &AwsText| f.path == path) {
            continue;
        }
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| {
                Error::Usage(format!(
                    "\"{}\" is not UTF-8 text; save it as UTF-8 first",
                    path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::Usage(format!("cannot read \"{}\": {e}", path.display()))),
        };
        files.push(AwsText { kind, path, text });
    }
    Ok(files)
}
