//! The environment a child gets: credentials, expiry, region and hats' own markers.

use crate::config::{Spec, Target};
use crate::session::Session;

/// Variables removed from the child: a profile would override the credentials.
pub const REMOVED_VARS: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

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
pub fn exports(target: &Target, session: &Session, region: Option<&str>) -> Exports {
    let creds = &session.credentials;
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
    if let Spec::Role(role) = &target.spec {
        vars.push(("HATS_ROLE_ARN", role.role_arn.to_string()));
    }
    Exports { vars }
}
