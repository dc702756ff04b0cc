//! OIDC client registrations (`RegisterClient`), reused from sign-in to sign-in
//! until they near their end, as the AWS CLI does: one per sso-session and flow,
//! kept in the keyring under `sso-client/<flow>/<session>` (the client secret is
//! a secret), never in a file.
//!
//! A registration is taken out of the keyring while a sign-in uses it and put
//! back only when that sign-in succeeds: one the service no longer knows (the
//! browser shows an error page hats never sees) is then replaced at the next
//! attempt instead of being reused until it expires.

use super::SignInError;
use crate::aws::{Oidc, Registration};
use crate::config::SsoSession;
use crate::session::Cache;
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// A registration with less than this left is replaced: a sign-in made with it
/// must still refresh its token for a working day.
const LEFT_AT_LEAST_SECS: i64 = 24 * 3600;

/// Which flow a registration is for (they register different grant types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow<'a> {
    /// The device flow.
    Device,
    /// The authorization-code flow, redirected to this loopback URI.
    Pkce(&'a str),
}

impl Flow<'_> {
    fn name(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::Pkce(_) => "pkce",
        }
    }
}

/// The keyring key of `session`'s registration for `flow`.
fn key(session: &SsoSession, flow: Flow<'_>) -> String {
    format!("sso-client/{}/{}", flow.name(), session.key())
}

/// What is kept: the registration and what it was registered for.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kept {
    client_id: String,
    client_secret: String,
    expires_at: Timestamp,
    start_url: String,
    region: String,
    scopes: Vec<String>,
}

/// A registration for `flow`: the kept one when it fits `session` and has
/// long enough left (taken out of the keyring until [`keep`]), else a new one.
pub(super) async fn obtain(
    oidc: &Oidc,
    session: &SsoSession,
    flow: Flow<'_>,
    store: Option<&Cache>,
    now: Timestamp,
) -> Result<Registration, SignInError> {
    if let Some(store) = store {
        let key = key(session, flow);
        // A keyring that cannot be read only costs a new registration.
        if let Ok(Some(secret)) = store.secret(&key).await {
            let _ = store.delete_secret(&key).await;
            if let Some(kept) = serde_json::from_str::<Kept>(secret.expose_secret())
                .ok()
                .filter(|k| fits(k, session, now))
            {
                return Ok(Registration {
                    client_id: kept.client_id,
                    client_secret: kept.client_secret.into(),
                    expires_at: kept.expires_at,
                });
            }
        }
    }
    let pkce = match flow {
        Flow::Device => None,
        Flow::Pkce(redirect_uri) => Some((redirect_uri, session.start_url.as_str())),
    };
    Ok(oidc.register(&session.scopes, pkce).await?)
}

/// Keeps `registration` for the next sign-in to `session` with `flow`, after
/// a sign-in with it succeeded. A keyring that refuses it only costs a new
/// registration next time.
pub(super) async fn keep(
    session: &SsoSession,
    flow: Flow<'_>,
    store: Option<&Cache>,
    registration: &Registration,
) {
    let Some(store) = store else { return };
    let kept = Kept {
        client_id: registration.client_id.clone(),
        client_secret: registration.client_secret.expose_secret().to_owned(),
        expires_at: registration.expires_at,
        start_url: session.start_url.clone(),
        region: session.region.clone(),
        scopes: session.scopes.clone(),
    };
    if let Ok(text) = serde_json::to_string(&kept) {
        let _ = store
            .set_secret(&key(session, flow), SecretString::from(text))
            .await;
    }
}

/// Whether `kept` was registered for `session` as it is configured now and
/// has at least a day left.
fn fits(kept: &Kept, session: &SsoSession, now: Timestamp) -> bool {
    kept.start_url == session.start_url
        && kept.region == session.region
        && kept.scopes == session.scopes
        && kept.expires_at.as_second() - now.as_second() >= LEFT_AT_LEAST_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SsoSession {
        SsoSession {
            name: Some("corp".into()),
            start_url: "https://corp.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: vec!["sso:account:access".into()],
        }
    }

    fn kept(expires_at: i64) -> Kept {
        let s = session();
        Kept {
            client_id: "c".into(),
            client_secret: "s".into(),
            expires_at: Timestamp::from_second(expires_at).unwrap(),
            start_url: s.start_url,
            region: s.region,
            scopes: s.scopes,
        }
    }

    #[test]
    fn a_registration_is_reused_only_for_the_same_portal_region_and_scopes_with_a_day_left() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let day = 24 * 3600;
        assert!(fits(&kept(1_800_000_000 + 2 * day), &session(), now));
        assert!(!fits(&kept(1_800_000_000 + day - 1), &session(), now));
        let mut other = session();
        other.scopes.clear();
        assert!(!fits(&kept(1_800_000_000 + 2 * day), &other, now));
        other = session();
        other.start_url = "https://other.awsapps.com/start".into();
        assert!(!fits(&kept(1_800_000_000 + 2 * day), &other, now));
    }

    #[test]
    fn each_flow_has_its_own_key_under_the_registration_kind() {
        let pkce = key(&session(), Flow::Pkce("http://127.0.0.1:1/oauth/callback"));
        assert_eq!(pkce, "sso-client/pkce/corp");
        assert_eq!(key(&session(), Flow::Device), "sso-client/device/corp");
        assert_eq!(
            crate::session::ItemKind::of(&pkce),
            crate::session::ItemKind::ClientRegistration
        );
    }
}
