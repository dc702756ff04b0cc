//! Temporary AWS credentials, with the secret parts kept out of `Debug` and logs.

use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// A set of AWS credentials as STS hands them out.
///
/// The secret access key and session token are `secrecy` strings: they are
/// zeroed on drop and never printed by `Debug`. Read them only where they
/// leave hats (the child's environment, `credential_process` output, the keyring).
#[derive(Clone)]
pub struct Credentials {
    /// The access key id (not a secret on its own; shown redacted anyway).
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// The session token, absent for long-term keys.
    pub session_token: Option<SecretString>,
    /// When the credentials stop working, absent for long-term keys.
    pub expiration: Option<Timestamp>,
}

impl Credentials {
    /// The secret access key, for the few places that hand it out.
    pub fn secret_access_key(&self) -> &str {
        self.secret_access_key.expose_secret()
    }

    /// The session token, for the few places that hand it out.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_ref().map(ExposeSecret::expose_secret)
    }
}

/// Credentials as a hand-out writes them, borrowed from wherever they are
/// held: the keys, when they stop working and, for a role session, the
/// assumed-role ARN. What output formats are given, so they need nothing of
/// how the credentials were had.
#[derive(Debug, Clone, Copy)]
pub struct CredentialsView<'a> {
    /// The keys.
    pub credentials: &'a Credentials,
    /// When they expire.
    pub expiration: Timestamp,
    /// The assumed-role ARN, for role sessions.
    pub assumed_arn: Option<&'a str>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key_hint: String = self.access_key_id.chars().take(4).collect();
        f.debug_struct("Credentials")
            .field("access_key_id", &format_args!("{key_hint}…"))
            .field("secret_access_key", &"[redacted]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let creds = Credentials {
            access_key_id: "ASIA-EXAMPLE-NOT-A-KEY".into(),
            secret_access_key: "very-secret-key".into(),
            session_token: Some("very-secret-token".into()),
            expiration: None,
        };
        let shown = format!("{creds:?} {creds:#?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(!shown.contains("EXAMPLE-NOT-A-KEY"), "{shown}");
    }
}
