//! Web identity (OIDC) sources: a profile with `role_arn` and
//! `web_identity_token_file` (or hats' `web_identity_token_process`), or a
//! `[web_identity.NAME]` section of hats' config, is assumed with
//! `AssumeRoleWithWebIdentity`.
//!
//! This module only reads and checks the keys. The token itself is a
//! secret read at call time by the session engine, never here.

use super::ConfigError;
use aws_config::profile::Profile;

/// Where a web identity token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `web_identity_token_file`: read each time a session is made (identity
    /// providers rotate the file, so it is never read ahead of time).
    File(String),
    /// `web_identity_token_process`: a program (run without a shell) whose stdout is the token.
    Process(Vec<String>),
}

impl TokenSource {
    /// The profile key this source comes from.
    pub fn key(&self) -> &'static str {
        match self {
            Self::File(_) => "web_identity_token_file",
            Self::Process(_) => "web_identity_token_process",
        }
    }

    /// The key's value as written (a command line is re-joined for display).
    pub fn value(&self) -> String {
        match self {
            Self::File(path) => path.clone(),
            Self::Process(words) => words.join(" "),
        }
    }

    /// The whole source, key and value: part of cache keys, so it never changes.
    pub fn describe(&self) -> String {
        format!("(web identity: {} {})", self.key(), self.value())
    }

    /// What listings show: the token file's name or the program's, without
    /// the directories (the detail pane and `ls --json` have the whole value).
    pub fn label(&self) -> String {
        let last = |path: &str| {
            std::path::Path::new(path)
                .file_name()
                .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned())
        };
        match self {
            Self::File(path) => format!("(web identity: token file {})", last(path)),
            Self::Process(words) => format!(
                "(web identity: {})",
                last(words.first().map_or("", String::as_str))
            ),
        }
    }
}

/// Keys `AssumeRoleWithWebIdentity` has no parameter for: the identity
/// provider's token carries tags and source identity, and there is no MFA.
const NOT_ACCEPTED: [&str; 6] = [
    "source_profile",
    "credential_source",
    "mfa_serial",
    "external_id",
    "session_tags",
    "source_identity",
];

/// Whether `profile` declares a web identity token.
pub(crate) fn declared(profile: &Profile) -> bool {
    profile.get("web_identity_token_file").is_some() || profile.get("web_identity_token_process").is_some()
}

/// The token source of a profile that [`declared`] one, or why it cannot be used.
pub(crate) fn profile_token(profile: &Profile) -> Result<TokenSource, ConfigError> {
    let name = profile.name();
    let token = token_source(
        profile.get("web_identity_token_file"),
        profile.get("web_identity_token_process"),
    )
    .map_err(|message| ConfigError::profile(name, message))?;
    if let Some(key) = NOT_ACCEPTED.iter().find(|key| profile.get(key).is_some()) {
        return Err(ConfigError::profile(
            name,
            format!(
                "sets {} and {key}, which AssumeRoleWithWebIdentity does not take \
                 (the token is the only credential, and its claims carry tags and identity); remove {key}",
                token.key()
            ),
        ));
    }
    Ok(token)
}

/// The token source the two keys name, or what is wrong with them.
pub(crate) fn token_source(file: Option<&str>, process: Option<&str>) -> Result<TokenSource, String> {
    match (file, process) {
        (Some(_), Some(_)) => {
            Err("sets both web_identity_token_file and web_identity_token_process; keep one".into())
        }
        (Some(path), None) if path.trim().is_empty() => {
            Err("web_identity_token_file is empty; set it to the path of the token file".into())
        }
        (Some(path), None) => Ok(TokenSource::File(path.trim().to_owned())),
        (None, Some(command)) => command_words(command).map(TokenSource::Process).ok_or_else(|| {
            format!(
                "web_identity_token_process \"{}\" is not a command line (empty, or a quote left open); \
                 write the program and its arguments, e.g. idp-cli token --audience sts",
                super::printable(command)
            )
        }),
        (None, None) => Err("has no web_identity_token_file or web_identity_token_process".into()),
    }
}

/// The program and its arguments, split as a POSIX shell would split words
/// (quotes, backslashes) but without running one: no expansion, no pipes.
fn command_words(command: &str) -> Option<Vec<String>> {
    shlex::split(command).filter(|words| !words.is_empty())
}

#[cfg(test)]
mod tests {
    use super::command_words;

    #[test]
    fn command_lines_split_into_words_without_a_shell() {
        assert_eq!(
            command_words("idp 'a b' \"$HOME\" c\\ d").unwrap(),
            ["idp", "a b", "$HOME", "c d"]
        );
        assert_eq!(command_words("idp 'open"), None);
        assert_eq!(command_words("   "), None);
    }
}
