//! MFA device serials and the six-digit codes they show.

use super::InvalidValue;
use std::fmt;

/// An MFA device: a virtual device ARN or a hardware token serial.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MfaSerial(String);

impl MfaSerial {
    /// Accepts `arn:...:mfa/NAME` ARNs and hardware token serials (9–256 letters and digits).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        let is_arn = raw.starts_with("arn:") && raw.contains(":mfa/") && !raw.ends_with('/');
        let is_serial = (9..=256).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric());
        if is_arn || is_serial {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::MfaSerial(raw.to_owned()))
        }
    }

    /// The serial as AWS expects it in `SerialNumber`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MfaSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A one-time code: exactly six ASCII digits.
///
/// Not treated as a secret: it is useless a minute later and AWS refuses reuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaCode(String);

impl MfaCode {
    /// Checks the code, ignoring surrounding white space.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let code = raw.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(code.to_owned()))
        } else {
            Err(InvalidValue::MfaCode(code.to_owned()))
        }
    }

    /// The code as AWS expects it in `TokenCode`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_exactly_six_digits() {
        assert_eq!(MfaCode::parse(" 123456\n").unwrap().as_str(), "123456");
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert!(MfaCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn serials_are_arns_or_hardware_ids() {
        assert!(MfaSerial::parse("arn:aws:iam::123456789012:mfa/alice").is_ok());
        assert!(MfaSerial::parse("GAHT12345678").is_ok());
        assert!(MfaSerial::parse("").is_err());
        assert!(MfaSerial::parse("alice").is_err());
        assert!(MfaSerial::parse("arn:aws:iam::123456789012:mfa/").is_err());
    }
}
