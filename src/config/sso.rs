//! IAM Identity Center (SSO) profiles: which sign-in (`[sso-session NAME]`, or a
//! legacy profile's own `sso_start_url` + `sso_region`) and which account and
//! role a profile names.
//!
//! Reads and validates only; getting a token or credentials is the engine's business.

use super::ConfigError;
use crate::domain::AccountId;
use aws_config::profile::{Profile, ProfileSet};
use std::sync::Arc;

/// One Identity Center sign-in: what `hats sso login NAME` signs in to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// The `[sso-session NAME]`; `None` for legacy profiles (keys on the profile itself).
    pub name: Option<String>,
    /// `sso_start_url`: the access portal.
    pub start_url: String,
    /// `sso_region`: where the portal and OIDC endpoints are.
    pub region: String,
    /// `sso_registration_scopes` (comma separated); a token refreshes only with scopes.
    pub scopes: Vec<String>,
}

impl SsoSession {
    /// The name users pass to `hats sso login` and that keys the token: the
    /// sso-session's name, or the start URL for a legacy profile (as the AWS CLI keys its cache).
    pub fn key(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.start_url)
    }
}

/// A role in an account, reached through an Identity Center sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoRole {
    /// The profile that names it.
    pub profile: String,
    /// The sign-in.
    pub session: Arc<SsoSession>,
    /// `sso_account_id`.
    pub account_id: AccountId,
    /// `sso_role_name`: the permission set's name.
    pub role_name: String,
}

/// Whether `profile` is an Identity Center profile (it names an sso-session or a start URL).
pub fn is_sso(profile: &Profile) -> bool {
    profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some()
}

/// The Identity Center role of `profile`; call only when [`is_sso`] holds.
pub fn sso_role(profiles: &ProfileSet, profile: &Profile) -> Result<SsoRole, ConfigError> {
    let name = profile.name();
    let fail = |message: String| ConfigError::profile(name, message);
    let session = match profile.get("sso_session") {
        Some(session_name) => session_section(profiles, session_name).map_err(fail)?,
        None => SsoSession {
            name: None,
            start_url: profile.get("sso_start_url").unwrap_or_default().to_owned(),
            region: profile
                .get("sso_region")
                .map(str::to_owned)
                .ok_or_else(|| fail("has sso_start_url but no sso_region; add sso_region = ...".into()))?,
            scopes: Vec::new(),
        },
    };
    super::check_region(&session.region).map_err(|e| fail(format!("sso_region: {e}")))?;
    if !session.start_url.starts_with("https://") && !session.start_url.starts_with("http://") {
        return Err(fail(format!(
            "sso_start_url \"{}\" is not a URL; copy the AWS access portal URL (https://...)",
            super::printable(&session.start_url)
        )));
    }
    let account = profile
        .get("sso_account_id")
        .ok_or_else(|| fail("names an Identity Center sign-in but no sso_account_id; add it".into()))?;
    let account_id = AccountId::parse(account).map_err(|e| fail(e.to_string()))?;
    let role_name = profile
        .get("sso_role_name")
        .ok_or_else(|| fail("names an Identity Center sign-in but no sso_role_name; add it".into()))?;
    if role_name.is_empty() || role_name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(fail(format!(
            "sso_role_name \"{}\" is not a permission set name",
            role_name.escape_debug()
        )));
    }
    Ok(SsoRole {
        profile: name.to_owned(),
        session: Arc::new(session),
        account_id,
        role_name: role_name.to_owned(),
    })
}

/// `[sso-session NAME]` as an [`SsoSession`]; the message says what to add.
fn session_section(profiles: &ProfileSet, session_name: &str) -> Result<SsoSession, String> {
    let section = profiles.sso_session(session_name).ok_or_else(|| {
        format!(
            "sso_session \"{session_name}\" has no [sso-session {session_name}] section; add one \
             with sso_start_url and sso_region"
        )
    })?;
    let key = |k: &str| {
        section
            .get(k)
            .map(str::to_owned)
            .ok_or_else(|| format!("[sso-session {session_name}] has no {k}; add {k} = ..."))
    };
    Ok(SsoSession {
        name: Some(session_name.to_owned()),
        start_url: key("sso_start_url")?,
        region: key("sso_region")?,
        scopes: scopes(section.get("sso_registration_scopes")),
    })
}

/// Every Identity Center sign-in the AWS config names, sorted by key (the order
/// discovered names are given in, so they stay the same from run to run): each
/// `[sso-session NAME]` with a start URL and a region, and each legacy start URL
/// a profile carries. Sections that cannot be used are left to the profiles that
/// name them to report.
pub fn sso_sessions(profiles: &ProfileSet) -> Vec<Arc<SsoSession>> {
    let mut found: std::collections::BTreeMap<String, Arc<SsoSession>> = profiles
        .sso_sessions()
        .filter_map(|name| session_section(profiles, name).ok())
        .filter(usable)
        .map(|s| (s.key().to_owned(), Arc::new(s)))
        .collect();
    for name in profiles.profiles() {
        let Some(profile) = profiles.get_profile(name) else {
            continue;
        };
        if profile.get("sso_session").is_none()
            && let (Some(url), Some(region)) = (profile.get("sso_start_url"), profile.get("sso_region"))
        {
            let legacy = SsoSession {
                name: None,
                start_url: url.to_owned(),
                region: region.to_owned(),
                scopes: Vec::new(),
            };
            if usable(&legacy) {
                found.entry(url.to_owned()).or_insert_with(|| Arc::new(legacy));
            }
        }
    }
    found.into_values().collect()
}

/// A start URL that is a URL and a region that is a region.
fn usable(session: &SsoSession) -> bool {
    super::check_region(&session.region).is_ok()
        && (session.start_url.starts_with("https://") || session.start_url.starts_with("http://"))
        && !session.key().chars().any(char::is_control)
}

fn scopes(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
