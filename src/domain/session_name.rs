//! Role session names, made acceptable to AWS (`[\w+=,.@-]{2,64}`).

use super::InvalidValue;
use std::fmt;

/// A role session name AWS will accept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionName(String);

impl SessionName {
    /// Accepts a name the user chose only if AWS would accept it as written.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let ok = (2..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::SessionName(raw.to_owned()))
        }
    }

    /// Replaces characters AWS rejects with `-` and trims to 64 characters.
    ///
    /// Fails only when nothing acceptable remains (for example an empty name).
    pub fn sanitize(raw: &str) -> Result<Self, InvalidValue> {
        let mut name: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        if name.chars().all(|c| c == '-') {
            return Err(InvalidValue::SessionName(raw.to_owned()));
        }
        if name.len() < 2 {
            name.push('-');
        }
        Ok(Self(name))
    }

    /// The name as sent in `RoleSessionName`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_to_the_aws_alphabet() {
        assert_eq!(
            SessionName::sanitize("hats-alice").unwrap().as_str(),
            "hats-alice"
        );
        assert_eq!(
            SessionName::sanitize("hats-jörg o'neil").unwrap().as_str(),
            "hats-j-rg-o-neil"
        );
        assert_eq!(SessionName::sanitize("x").unwrap().as_str(), "x-");
        assert_eq!(
            SessionName::sanitize(&"a".repeat(100)).unwrap().as_str().len(),
            64
        );
        assert!(SessionName::sanitize("").is_err());
        assert!(SessionName::sanitize("äöü").is_err());
    }
}
