//! Defaults that apply to every target, with hats' built-in values filled in.

use super::ConfigError;
use super::hats_file::{Defaults, IdentityDefault};
use super::local_user::local_user;
use crate::domain::{SessionDuration, SessionName, SourceIdentity};

/// Resolved defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Role session name used when a profile sets none.
    pub session_name: SessionName,
    /// Role session length when a target sets none.
    pub role_duration: SessionDuration,
    /// Length of the MFA (`GetSessionToken`) session.
    pub mfa_session_duration: SessionDuration,
    /// Cached sessions with less than this left are renewed.
    pub refresh_window: SessionDuration,
    /// Target-name patterns guarded as production.
    pub production_patterns: Vec<String>,
    /// `exec` and `shell` serve renewing credentials by default.
    pub serve: bool,
    /// Federation endpoint for console sign-in, when configured.
    pub federation_endpoint: Option<String>,
    /// `SourceIdentity` for role sessions whose entry sets none. Off unless
    /// configured: a role whose trust policy lacks `sts:SetSourceIdentity`
    /// refuses every `AssumeRole` that carries one.
    pub source_identity: Option<SourceIdentity>,
    /// Write Identity Center sign-ins to the AWS CLI's token cache too.
    pub sso_share_with_aws_cli: bool,
    /// How the console opens (`[defaults.console]`, then `[[console]]` entries).
    pub console: super::ConsoleConfig,
}

impl Settings {
    /// Applies built-in values where `defaults` is silent, and checks ranges.
    pub fn from_defaults(defaults: &Defaults) -> Result<Self, ConfigError> {
        let place = |e: crate::domain::InvalidValue| ConfigError::Entry {
            place: "[defaults] in hats config".into(),
            message: e.to_string(),
        };
        let session_name = match &defaults.session_name {
            Some(name) => SessionName::sanitize(name).map_err(place)?,
            None => default_session_name(),
        };
        let role_duration = defaults
            .role_duration
            .unwrap_or(SessionDuration::ONE_HOUR)
            .check_range(SessionDuration::MIN, SessionDuration::MAX_ROLE, "role_duration")
            .map_err(place)?;
        let mfa_session_duration = defaults
            .mfa_session_duration
            .unwrap_or(SessionDuration::from_secs(12 * 3600))
            .check_range(
                SessionDuration::MIN,
                SessionDuration::MAX_MFA_SESSION,
                "mfa_session_duration",
            )
            .map_err(place)?;
        let refresh_window = defaults
            .refresh_window
            .unwrap_or(SessionDuration::from_secs(5 * 60))
            .check_range(
                SessionDuration::from_secs(0),
                SessionDuration::from_secs(30 * 60),
                "refresh_window",
            )
            .map_err(place)?;
        Ok(Self {
            session_name,
            role_duration,
            mfa_session_duration,
            refresh_window,
            production_patterns: defaults.production_patterns.clone(),
            serve: defaults.serve,
            federation_endpoint: defaults.federation_endpoint.clone(),
            sso_share_with_aws_cli: defaults.sso_share_with_aws_cli,
            console: super::ConsoleConfig::new(&defaults.console, &[])?,
            source_identity: match &defaults.source_identity {
                None | Some(IdentityDefault::LocalUser(false)) => None,
                Some(IdentityDefault::LocalUser(true)) => {
                    // Without a user name the value would be empty, which AWS refuses:
                    // say why, rather than quote an empty string back.
                    let user = local_user().ok_or_else(|| ConfigError::Entry {
                        place: "[defaults] in hats config".into(),
                        message: "source_identity = true, but the local user name is unknown (USER, \
                                  USERNAME and LOGNAME are unset and the user database has no name \
                                  for this user); write source_identity = \"NAME\""
                            .into(),
                    })?;
                    Some(SourceIdentity::parse(&user).map_err(place)?)
                }
                Some(IdentityDefault::Value(value)) => Some(SourceIdentity::parse(value).map_err(place)?),
            },
        })
    }

    /// Whether `name` matches a production pattern (`*` matches any run of characters).
    pub fn is_production_name(&self, name: &str) -> bool {
        self.production_patterns.iter().any(|p| wildcard_match(p, name))
    }
}

pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// `hats-<local user>`, or `hats` when the user cannot be told.
fn default_session_name() -> SessionName {
    let user = local_user();
    let raw = user.map_or_else(|| "hats".to_owned(), |u| format!("hats-{u}"));
    SessionName::sanitize(&raw).unwrap_or_else(|_| SessionName::sanitize("hats").expect("valid"))
}

#[cfg(test)]
mod tests {
    use super::wildcard_match;

    #[test]
    fn wildcards_match_runs_of_characters() {
        assert!(wildcard_match("prod*", "prod-admin"));
        assert!(wildcard_match("*prod*", "team-prod-admin"));
        assert!(wildcard_match("prod", "prod"));
        assert!(!wildcard_match("prod", "prod-admin"));
        assert!(!wildcard_match("prod*", "staging"));
        assert!(wildcard_match("*-admin", "prod-admin"));
        assert!(!wildcard_match("a*b*c", "acb"));
    }
}
