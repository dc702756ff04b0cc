//! `SourceIdentity`: who is behind a role session, recorded by CloudTrail and
//! kept by AWS along every role chain. AWS's rule: `[\w+=,.@-]{2,64}`.

use super::InvalidValue;
use std::fmt;

/// A source identity AWS will accept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceIdentity(String);

impl SourceIdentity {
    /// Accepts the value only as written: an identity that was silently rewritten
    /// would no longer name the person in CloudTrail.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let ok = (2..=64).contains(&raw.len())
            && !raw.to_ascii_lowercase().starts_with("aws:")
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::SourceIdentity(raw.to_owned()))
        }
    }

    /// The value as sent in `SourceIdentity`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::SourceIdentity;

    #[test]
    fn accepts_what_aws_accepts_and_nothing_else() {
        assert_eq!(
            SourceIdentity::parse("alice@corp.example").unwrap().as_str(),
            "alice@corp.example"
        );
        assert!(SourceIdentity::parse("a").is_err());
        assert!(SourceIdentity::parse("alice smith").is_err());
        assert!(SourceIdentity::parse(&"a".repeat(65)).is_err());
        let err = SourceIdentity::parse("bad/name").unwrap_err().to_string();
        assert!(err.contains("\"bad/name\"") && err.contains("2 to 64"), "{err}");
    }
}
