//! An IAM user's long-term access key: its id (checked, shown masked) and its
//! secret (checked, never shown).

use super::{Credentials, InvalidValue};
use secrecy::SecretString;
use std::fmt;

/// The id of an IAM user's long-term access key (`AKIA…`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// Accepts `AKIA` followed by 12–124 letters and digits, as IAM issues them;
    /// refuses a temporary key (`ASIA…`), which expires and is no long-term key.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        let shape = (16..=128).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_alphanumeric());
        if shape && raw.starts_with("AKIA") {
            return Ok(Self(raw.to_owned()));
        }
        let why = if shape && raw.starts_with("ASIA") {
            "is a temporary key (ASIA…) from STS, which expires; give the IAM user's long-term key (AKIA…)"
        } else {
            "is not an IAM access key id (AKIA followed by letters and digits)"
        };
        Err(InvalidValue::AccessKey(format!(
            "access key id \"{}\" {why}",
            masked(raw)
        )))
    }

    /// The id as AWS takes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id with all but its last four characters masked, for listings.
    pub fn masked(&self) -> String {
        masked(&self.0)
    }
}

/// `text` with all but its last four characters as `*`.
fn masked(text: &str) -> String {
    let count = text.chars().count();
    text.chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < count { '*' } else { c })
        .collect()
}

/// Shown masked even in `Debug`: listings and logs need no more to tell keys apart.
impl fmt::Debug for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessKeyId({})", self.masked())
    }
}

impl fmt::Display for AccessKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An access key id with its secret: what signs requests as the IAM user.
#[derive(Clone)]
pub struct AccessKey {
    /// The key's id.
    pub id: AccessKeyId,
    secret: SecretString,
}

impl AccessKey {
    /// Checks the secret's shape (40 characters from IAM; never empty, never
    /// blank or control characters, which a paste can bring) beside `id`.
    pub fn new(id: AccessKeyId, secret: SecretString) -> Result<Self, InvalidValue> {
        use secrecy::ExposeSecret as _;
        let text = secret.expose_secret();
        let plausible = (16..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
        if !plausible {
            // The secret is never quoted, not even in part.
            return Err(InvalidValue::AccessKey(format!(
                "the secret access key given for \"{}\" is not one: IAM secrets are 40 letters, digits, + and /",
                id.masked()
            )));
        }
        Ok(Self { id, secret })
    }

    /// The key as credentials that sign requests (no token, no expiry).
    pub fn credentials(&self) -> Credentials {
        Credentials {
            access_key_id: self.id.as_str().to_owned(),
            secret_access_key: self.secret.clone(),
            session_token: None,
            expiration: None,
        }
    }

    /// The secret, for the keyring entry that keeps it.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_term_ids_are_accepted_and_temporary_or_malformed_ones_refused_masked() {
        let id = AccessKeyId::parse(" AKIAIOSFODNN7EXAMPLE\n").unwrap();
        assert_eq!(id.as_str(), "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(id.masked(), "****************MPLE");
        let temporary = AccessKeyId::parse("ASIAIOSFODNN7EXAMPLE")
            .unwrap_err()
            .to_string();
        assert!(temporary.contains("is a temporary key"), "{temporary}");
        assert!(!temporary.contains("IOSFODNN7"), "{temporary}");
        for bad in [
            "",
            "AKIA",
            "AKIA IOSFODNN7EXAMPLE",
            "akiaiosfodnn7example",
            "XKIAIOSFODNN7EXAMPLE",
        ] {
            assert!(AccessKeyId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_secret_is_never_shown_and_must_look_like_one() {
        let id = AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap();
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let key = AccessKey::new(id.clone(), SecretString::from(secret)).unwrap();
        let shown = format!("{key:?} {:?}", key.credentials());
        assert!(
            !shown.contains("wJalr") && !shown.contains("IOSFODNN7"),
            "{shown}"
        );
        for bad in [
            "",
            "short",
            "has a space in the middle of it, see",
            "tab\there-and-more-text",
        ] {
            let err = AccessKey::new(id.clone(), SecretString::from(bad))
                .unwrap_err()
                .to_string();
            assert!(err.contains("is not one"), "{err}");
            assert!(bad.is_empty() || !err.contains(bad), "{err}");
        }
    }
}
