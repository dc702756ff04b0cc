//! MFA device serials and the six-digit codes they show.

use super::{AccountId, InvalidValue, Partition};
use std::fmt;

/// An MFA device: a virtual device ARN or a hardware token serial.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MfaSerial(String);

impl MfaSerial {
    /// Accepts virtual device ARNs (`arn:PARTITION:iam::ACCOUNT:mfa/NAME`, in a
    /// partition hats knows) and hardware token serials (9–256 letters and digits).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let raw = raw.trim();
        let is_arn = arn_parts(raw).is_some();
        let is_serial = (9..=256).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric());
        if is_arn || is_serial {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::MfaSerial(raw.to_owned()))
        }
    }

    /// The partition of a virtual device; `None` for a hardware serial, which
    /// does not say.
    pub fn partition(&self) -> Option<Partition> {
        arn_parts(&self.0).map(|(partition, _)| partition)
    }

    /// The account of a virtual device; `None` for a hardware serial.
    pub fn account(&self) -> Option<AccountId> {
        arn_parts(&self.0).map(|(_, account)| account)
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

/// The partition and account of `arn:PARTITION:iam::ACCOUNT:mfa/PATH/NAME`.
fn arn_parts(raw: &str) -> Option<(Partition, AccountId)> {
    let (partition, account, resource) = super::role_arn::split_iam_arn(raw)?;
    let name = resource.strip_prefix("mfa/")?.rsplit('/').next()?;
    if name.is_empty() {
        return None;
    }
    Some((Partition::from_name(partition)?, AccountId::parse(account).ok()?))
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
        let hardware = MfaSerial::parse("GAHT12345678").unwrap();
        assert_eq!((hardware.partition(), hardware.account()), (None, None));
        for bad in [
            "",
            "alice",
            "arn:aws:iam::123456789012:mfa/",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345:mfa/alice",
            "arn:aws-iso:iam::123456789012:mfa/alice",
            "arn:aws:sts::123456789012:mfa/alice",
        ] {
            assert!(MfaSerial::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn device_arns_carry_their_partition_and_account() {
        for partition in Partition::ALL {
            let serial =
                MfaSerial::parse(&format!("arn:{partition}:iam::123456789012:mfa/team/alice")).unwrap();
            assert_eq!(serial.partition(), Some(partition));
            assert_eq!(serial.account().unwrap().as_str(), "123456789012");
        }
    }
}
