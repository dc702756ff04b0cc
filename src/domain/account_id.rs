//! AWS account ids: exactly twelve ASCII digits.

use super::InvalidValue;
use std::fmt;

/// A 12-digit AWS account id, kept inline: every target and role ARN holds
/// one, and an organization has thousands, so a copy allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId([u8; 12]);

impl AccountId {
    /// Checks that `raw` is twelve digits.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match <[u8; 12]>::try_from(raw.as_bytes()) {
            Ok(digits) if digits.iter().all(u8::is_ascii_digit) => Ok(Self(digits)),
            _ => Err(InvalidValue::AccountId(raw.to_owned())),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Twelve ASCII digits (checked by `parse`) are always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AccountId").field(&self.as_str()).finish()
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
