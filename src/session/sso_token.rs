//! Identity Center sign-in tokens: the access token, the refresh token and the
//! client registration that refreshes it, as one secret.
//!
//! They live in the keyring under `sso/<session>` (through the session cache's
//! store). The AWS CLI's cache (`~/.aws/sso/cache/<sha1 of the session>.json`) is
//! read when hats has no token of its own, and written only when the user shares
//! hats' sign-in with the CLI (`sso_share_with_aws_cli`): that file is plaintext.

use crate::aws::Registration;
use crate::config::SsoSession;
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};

/// A signed-in token and what refreshes it.
#[derive(Clone)]
pub struct SsoToken {
    /// The portal it belongs to.
    pub start_url: String,
    /// Where its OIDC service is.
    pub region: String,
    /// The bearer token for the portal.
    pub access_token: SecretString,
    /// When the access token expires.
    pub expires_at: Timestamp,
    /// Refreshes the access token (only for registrations with scopes).
    pub refresh_token: Option<SecretString>,
    /// The client registration the tokens were issued to.
    pub registration: Option<Registration>,
}

impl std::fmt::Debug for SsoToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoToken")
            .field("start_url", &self.start_url)
            .field("expires_at", &self.expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl SsoToken {
    /// Seconds the access token has left at `now`.
    pub fn left(&self, now: Timestamp) -> i64 {
        self.expires_at.as_second() - now.as_second()
    }

    /// Whether it can be refreshed at `now`: a refresh token and a registration still valid.
    pub fn refreshable(&self, now: Timestamp) -> bool {
        self.refresh_token.is_some() && self.registration.as_ref().is_some_and(|r| r.expires_at > now)
    }

    /// The JSON stored in the keyring and, when shared, the AWS CLI's cache file:
    /// the CLI's own format, so one parser serves both.
    pub fn to_json(&self) -> SecretString {
        let document = Document {
            start_url: self.start_url.clone(),
            region: self.region.clone(),
            access_token: self.access_token.expose_secret().to_owned(),
            expires_at: whole_seconds(self.expires_at),
            client_id: self.registration.as_ref().map(|r| r.client_id.clone()),
            client_secret: self
                .registration
                .as_ref()
                .map(|r| r.client_secret.expose_secret().to_owned()),
            registration_expires_at: self.registration.as_ref().map(|r| whole_seconds(r.expires_at)),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose_secret().to_owned()),
        };
        serde_json::to_string_pretty(&document).unwrap_or_default().into()
    }

    /// Reads the format of [`Self::to_json`]; `None` for anything else (never the text in an error).
    pub fn from_json(text: &str) -> Option<Self> {
        let document: Document = serde_json::from_str(text).ok()?;
        if document.access_token.is_empty() {
            return None;
        }
        let registration = match (
            document.client_id,
            document.client_secret,
            document.registration_expires_at,
        ) {
            (Some(client_id), Some(secret), Some(expires_at)) => Some(Registration {
                client_id,
                client_secret: secret.into(),
                expires_at,
            }),
            _ => None,
        };
        Some(Self {
            start_url: document.start_url,
            region: document.region,
            access_token: document.access_token.into(),
            expires_at: document.expires_at,
            refresh_token: document.refresh_token.filter(|t| !t.is_empty()).map(Into::into),
            registration,
        })
    }
}

/// The AWS CLI's token cache document (`aws sso login` writes it; botocore reads it).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Document {
    start_url: String,
    region: String,
    access_token: String,
    expires_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    registration_expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// The CLI writes `2026-01-01T00:00:00Z`; some readers refuse fractions of a second.
fn whole_seconds(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// The keyring key of `session`'s token.
pub fn token_key(session: &SsoSession) -> String {
    format!("sso/{}", session.key())
}

/// The AWS CLI's cache file for `session` under `home`: the SHA-1 of the
/// sso-session's name (of the start URL for legacy profiles), in hex.
pub fn cli_cache_file(home: &Path, session: &SsoSession) -> PathBuf {
    let digest = Sha1::digest(session.key().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    home.join(".aws")
        .join("sso")
        .join("cache")
        .join(format!("{hex}.json"))
}

/// The user's home directory, where the AWS CLI keeps its cache.
pub fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
}

/// The token in the AWS CLI's cache for `session`, if it is one for its start URL.
pub fn read_cli_cache(session: &SsoSession) -> Option<SsoToken> {
    let path = cli_cache_file(&home()?, session);
    let text = std::fs::read_to_string(path).ok()?;
    SsoToken::from_json(&text).filter(|t| t.start_url == session.start_url)
}

/// [`read_cli_cache`] on a blocking thread, for async callers.
pub async fn read_cli_cache_async(session: &SsoSession) -> Option<SsoToken> {
    let session = session.clone();
    tokio::task::spawn_blocking(move || read_cli_cache(&session))
        .await
        .ok()
        .flatten()
}

/// Writes `token` as the AWS CLI's cache for `session` (0600, atomically).
pub fn write_cli_cache(session: &SsoSession, token: &SsoToken) -> std::io::Result<PathBuf> {
    let home = home().ok_or_else(|| std::io::Error::other("no home directory"))?;
    let path = cli_cache_file(&home, session);
    crate::fs_private::write_atomic(&path, token.to_json().expose_secret().as_bytes())?;
    Ok(path)
}

/// Removes the AWS CLI's cache file for `session`, if any (sign-out with sharing on).
pub fn remove_cli_cache(session: &SsoSession) {
    if let Some(home) = home() {
        let _ = std::fs::remove_file(cli_cache_file(&home, session));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: Option<&str>) -> SsoSession {
        SsoSession {
            name: name.map(str::to_owned),
            start_url: "https://corp.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: vec![],
        }
    }

    #[test]
    fn the_cli_cache_file_is_named_by_the_sha1_of_the_session_or_start_url() {
        let home = Path::new("/h");
        // sha1("corp"), as `python3 -c 'import hashlib; print(hashlib.sha1(b"corp").hexdigest())'` says.
        assert_eq!(
            cli_cache_file(home, &session(Some("corp"))),
            Path::new("/h/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
        );
        let legacy = cli_cache_file(home, &session(None));
        assert!(legacy.to_string_lossy().ends_with(".json"));
        assert_ne!(legacy, cli_cache_file(home, &session(Some("corp"))));
    }

    #[test]
    fn tokens_round_trip_through_the_cli_format_and_debug_shows_no_secret() {
        let token = SsoToken {
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-west-1".into(),
            access_token: "ACCESS-SECRET".to_owned().into(),
            expires_at: Timestamp::from_second(1_900_000_000).unwrap(),
            refresh_token: Some("REFRESH-SECRET".to_owned().into()),
            registration: Some(Registration {
                client_id: "cid".into(),
                client_secret: "CLIENT-SECRET".to_owned().into(),
                expires_at: Timestamp::from_second(1_900_100_000).unwrap(),
            }),
        };
        let json = token.to_json();
        let text = json.expose_secret();
        assert!(text.contains("\"expiresAt\": \"2030-03-17T17:46:40Z\""), "{text}");
        assert!(text.contains("\"registrationExpiresAt\""), "{text}");
        let back = SsoToken::from_json(text).unwrap();
        assert_eq!(back.access_token.expose_secret(), "ACCESS-SECRET");
        assert_eq!(back.expires_at, token.expires_at);
        assert!(back.refreshable(Timestamp::from_second(1_900_000_000).unwrap()));
        let debug = format!("{back:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
    }
}
