//! The environment a child gets: credentials, expiry, region and hats' own markers.

use crate::domain::CredentialsView;
use crate::inventory::{Spec, Target};

/// Variables removed from the child: a profile would override the credentials.
pub const REMOVED_VARS: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// Set only in the subshells hats starts (`hats shell`, the switcher's
/// `Enter`, `hats exec` of a shell), never in exports: it tells "inside a hats
/// shell" apart from `eval "$(hats env …)"`, which sets `HATS_TARGET` too.
pub const SHELL_MARKER: &str = "HATS_SHELL";

/// Programs that are interactive shells: `hats exec TARGET -- bash` starts a
/// hats shell as much as `hats shell TARGET` does.
const SHELLS: [&str; 16] = [
    "sh", "bash", "zsh", "fish", "dash", "ash", "ksh", "mksh", "oksh", "yash", "tcsh", "csh", "nu", "elvish",
    "xonsh", "pwsh",
];

/// Whether `program` (a path or a name) is one of the interactive shells.
pub fn is_shell(program: &std::ffi::OsStr) -> bool {
    std::path::Path::new(program)
        .file_name()
        .and_then(std::ffi::OsStr::to_str)
        .is_some_and(|name| SHELLS.contains(&name))
}

/// The target of the hats shell this process runs in, if it runs in one.
pub fn inside_hats_shell() -> Option<String> {
    std::env::var(SHELL_MARKER).ok().filter(|t| !t.is_empty())
}

/// Variables to set, in a stable order. Holds secrets: no `Debug`.
pub struct Exports {
    /// Name and value pairs.
    pub vars: Vec<(&'static str, String)>,
}

impl Exports {
    /// Sets `AWS_REGION` and `AWS_DEFAULT_REGION` to `region` unless a region is
    /// already set, in the place a target's own region takes.
    pub fn set_region_if_missing(&mut self, region: &str) {
        if self.vars.iter().any(|(k, _)| *k == "AWS_REGION") {
            return;
        }
        let at = self
            .vars
            .iter()
            .position(|(k, _)| k.starts_with("HATS_"))
            .unwrap_or(self.vars.len());
        self.vars.insert(at, ("AWS_DEFAULT_REGION", region.to_owned()));
        self.vars.insert(at, ("AWS_REGION", region.to_owned()));
    }
}

/// Builds the variables for `session` of `target`; `region` overrides the target's own.
pub fn exports<'a>(
    target: &Target,
    session: impl Into<CredentialsView<'a>>,
    region: Option<&str>,
) -> Exports {
    let session = session.into();
    let creds = session.credentials;
    let expiration = session.expiration.to_string();
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", creds.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY", creds.secret_access_key().to_owned()),
    ];
    if let Some(token) = creds.session_token() {
        vars.push(("AWS_SESSION_TOKEN", token.to_owned()));
    }
    vars.push(("AWS_CREDENTIAL_EXPIRATION", expiration.clone()));
    vars.push(("AWS_SESSION_EXPIRATION", expiration));
    if let Some(region) = region.or(target.region.as_deref()) {
        vars.push(("AWS_REGION", region.to_owned()));
        vars.push(("AWS_DEFAULT_REGION", region.to_owned()));
    }
    vars.push(("HATS_TARGET", target.name.clone()));
    if let Some(account) = &target.account_id {
        vars.push(("HATS_ACCOUNT_ID", account.to_string()));
    }
    match &target.spec {
        Spec::Role(chain) => vars.push(("HATS_ROLE_ARN", chain.role.role_arn.to_string())),
        // The portal names the permission set, not the IAM role AWS made for it
        // (`AWSReservedSSO_NAME_…`): the ARN is the one the permission set's name gives.
        Spec::Sso(sso) => {
            let partition = crate::domain::Partition::of_region(&sso.session.region);
            if let Ok(arn) = crate::domain::RoleArn::from_parts(partition, &sso.account_id, &sso.role_name) {
                vars.push(("HATS_ROLE_ARN", arn.to_string()));
            }
        }
        Spec::UserSession { .. } => {}
    }
    Exports { vars }
}

#[cfg(test)]
mod shell_tests {
    use super::is_shell;

    #[test]
    fn shells_are_known_by_their_file_name() {
        for shell in ["bash", "/bin/sh", "/usr/bin/zsh", "/opt/homebrew/bin/fish"] {
            assert!(is_shell(shell.as_ref()), "{shell}");
        }
        for other in ["aws", "terraform", "/usr/bin/bashful", "sh.py", ""] {
            assert!(!is_shell(other.as_ref()), "{other}");
        }
    }
}
