//! AWS account ids: exactly twelve ASCII digits.

use super::InvalidValue;
use std::fmt;

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(String);

impl AccountId {
    /// Checks that `raw` is twelve digits.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        if raw.len() == 12 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::AccountId(raw.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_twelve_digits_only() {
        assert!(AccountId::parse("123456789012").is_ok());
        for bad in ["", "12345678901", "1234567890123", "12345678901a", "１２３"] {
            assert_eq!(AccountId::parse(bad), Err(InvalidValue::AccountId(bad.into())));
        }
    }
}
