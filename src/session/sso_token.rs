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
        Self::parse(text).ok()
    }

    /// [`Self::from_json`] that says where the text stopped being a token: a
    /// place, never a piece of the text (which holds secrets).
    fn parse(text: &str) -> Result<Self, String> {
        let document: Document = serde_json::from_str(text).map_err(|e| {
            // Only messages known to quote nothing of the text are repeated.
            let said = e.to_string();
            let known = ["missing field", "a time that"];
            let what = if known.iter().any(|k| said.starts_with(k)) {
                said.split(" at line").next().unwrap_or_default()
            } else {
                "not a sign-in token in the AWS CLI's format"
            };
            format!("{what} (line {}, column {})", e.line(), e.column())
        })?;
        if document.access_token.is_empty() {
            return Err("its accessToken is empty".into());
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
        Ok(Self {
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
    #[serde(deserialize_with = "cli_time")]
    expires_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "cli_time_opt"
    )]
    registration_expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// A time as the AWS CLI's cache holds it: RFC 3339 (`2026-01-01T00:00:00Z`),
/// or older CLI v2's `2026-01-01T00:00:00UTC` (botocore reads both), or no
/// zone at all, which the CLI means as UTC.
fn parse_cli_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    let bare = text.strip_suffix("UTC").unwrap_or(text).trim_end();
    format!("{bare}Z").parse().ok()
}

fn cli_time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = String::deserialize(d)?;
    parse_cli_time(&text).ok_or_else(|| serde::de::Error::custom("a time that is not RFC 3339"))
}

fn cli_time_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => parse_cli_time(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom("a time that is not RFC 3339")),
    }
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

/// What the AWS CLI's cache holds for a session.
#[derive(Debug, Default)]
pub struct CliCache {
    /// The token, if the file holds one for the session's start URL.
    pub token: Option<SsoToken>,
    /// "could not read FILE: why", when the file exists but gives no token.
    pub problem: Option<String>,
}

/// The token in the AWS CLI's cache for `session`, if it is one for its start URL.
pub fn read_cli_cache(session: &SsoSession) -> CliCache {
    let Some(path) = home().map(|h| cli_cache_file(&h, session)) else {
        return CliCache::default();
    };
    let read = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => None,
        _ => Some(e.to_string()),
    });
    let parsed = read.and_then(|text| SsoToken::parse(&text).map_err(Some));
    match parsed {
        Ok(token) => CliCache {
            token: (token.start_url == session.start_url).then_some(token),
            problem: None,
        },
        Err(None) => CliCache::default(),
        Err(Some(why)) => CliCache {
            token: None,
            problem: Some(format!("could not read {}: {why}", path.display())),
        },
    }
}

/// [`read_cli_cache`] on a blocking thread, for async callers.
pub async fn read_cli_cache_async(session: &SsoSession) -> CliCache {
    let session = session.clone();
    tokio::task::spawn_blocking(move || read_cli_cache(&session))
        .await
        .unwrap_or_default()
}

/// Writes `token` as the AWS CLI's cache for `session` (0600, atomically).
pub fn write_cli_cache(session: &SsoSession, token: &SsoToken) -> std::io::Result<PathBuf> {
    let home = home().ok_or_else(|| std::io::Error::other("no home directory"))?;
    let path = cli_cache_file(&home, session);
    crate::fs_private::write_atomic(&path, token.to_json().expose_secret().as_bytes())?;
    Ok(path)
}

/// Removes the AWS CLI's cache file of `session` when it holds a sign-in to
/// the session's start URL (whoever wrote it); the path when one was removed.
/// A file of another portal under the same name is left alone.
pub fn remove_cli_cache(session: &SsoSession) -> std::io::Result<Option<PathBuf>> {
    let Some(path) = home().map(|h| cli_cache_file(&h, session)) else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        other => other?,
    };
    let start_url = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("startUrl").and_then(|u| u.as_str()).map(str::to_owned));
    if start_url.as_deref() != Some(session.start_url.as_str()) {
        return Ok(None);
    }
    std::fs::remove_file(&path)?;
    Ok(Some(path))
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

    #[test]
    fn cli_cache_times_in_rfc_3339_older_utc_form_or_without_a_zone_are_read_alike() {
        let want = Timestamp::from_second(1_573_704_345).unwrap();
        for text in [
            "2019-11-14T04:05:45Z",
            "2019-11-14T04:05:45UTC",
            "2019-11-14T04:05:45 UTC",
            "2019-11-14T04:05:45",
            "2019-11-14T05:05:45+01:00",
        ] {
            assert_eq!(parse_cli_time(text), Some(want), "{text}");
        }
        assert_eq!(parse_cli_time("yesterday"), None);
    }

    #[test]
    fn an_unreadable_token_is_described_by_place_never_by_its_text() {
        let why = SsoToken::parse("{\"startUrl\": \"u\", \"accessToken\": 12345678}").unwrap_err();
        assert!(why.contains("line 1"), "{why}");
        assert!(!why.contains("12345678"), "{why}");
    }
}
