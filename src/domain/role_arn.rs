//! IAM role ARNs (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`).

use super::{AccountId, InvalidValue, Partition};
use std::fmt;

/// A validated IAM role ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleArn {
    raw: String,
    account: AccountId,
    name_start: usize,
    // Kept, not read back from `raw`: it fits in the padding after `account`.
    partition: Partition,
}

impl RoleArn {
    /// Parses an ARN and checks that it names an IAM role.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let invalid = || InvalidValue::RoleArn(raw.to_owned());
        let (partition, account, resource) = split_iam_arn(raw).ok_or_else(invalid)?;
        let partition = Partition::from_name(partition).ok_or_else(invalid)?;
        let account = AccountId::parse(account).map_err(|_| invalid())?;
        let path_and_name = resource.strip_prefix("role/").ok_or_else(invalid)?;
        let name = path_and_name.rsplit('/').next().unwrap_or_default();
        if !is_role_name(name) {
            return Err(invalid());
        }
        Ok(Self {
            name_start: raw.len() - name.len(),
            account,
            raw: raw.to_owned(),
            partition,
        })
    }

    /// Builds the ARN of role `name` in `account`, which lives in `partition`
    /// (discovery knows it from where it found the account).
    pub fn from_parts(partition: Partition, account: &AccountId, name: &str) -> Result<Self, InvalidValue> {
        // `concat`, not `format!`: organizations build thousands of these.
        let raw = [
            "arn:",
            partition.name(),
            ":iam::",
            account.as_str(),
            ":role/",
            name,
        ]
        .concat();
        if !is_role_name(name) {
            return Err(InvalidValue::RoleArn(raw));
        }
        Ok(Self {
            name_start: raw.len() - name.len(),
            account: *account,
            raw,
            partition,
        })
    }

    /// The partition the role lives in: where its STS, console and sign-in are.
    pub fn partition(&self) -> Partition {
        self.partition
    }

    /// The account the role lives in.
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The role's name, without its path.
    pub fn name(&self) -> &str {
        &self.raw[self.name_start..]
    }

    /// The full ARN.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Display for RoleArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// IAM's rule for role names: 1–64 of letters, digits and `+=,.@_-`.
pub fn is_role_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// The partition, account and resource of an IAM ARN
/// (`arn:PARTITION:iam::ACCOUNT:RESOURCE`), unchecked; `None` for any other shape.
pub(super) fn split_iam_arn(raw: &str) -> Option<(&str, &str, &str)> {
    let mut parts = raw.splitn(6, ':');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) => {
            Some((partition, account, resource))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_from_parts_equals_parsed_in_every_partition() {
        let id = AccountId::parse("123456789012").unwrap();
        for partition in Partition::ALL {
            let built = RoleArn::from_parts(partition, &id, "Admin").unwrap();
            let text = format!("arn:{partition}:iam::123456789012:role/Admin");
            assert_eq!(built.as_str(), text);
            assert_eq!(built, RoleArn::parse(&text).unwrap());
            assert_eq!(built.partition(), partition);
            assert_eq!(built.name(), "Admin");
            for bad in ["", "has space", "x/y", &"a".repeat(65)] {
                assert!(RoleArn::from_parts(partition, &id, bad).is_err(), "{bad}");
            }
        }
    }

    #[test]
    fn parses_role_with_and_without_path() {
        let arn = RoleArn::parse("arn:aws:iam::123456789012:role/Admin").unwrap();
        assert_eq!(arn.name(), "Admin");
        assert_eq!(arn.account().as_str(), "123456789012");
        assert_eq!(arn.partition(), Partition::Aws);
        let arn = RoleArn::parse("arn:aws-us-gov:iam::123456789012:role/team/ops/Deploy").unwrap();
        assert_eq!(arn.name(), "Deploy");
        assert_eq!(arn.partition(), Partition::AwsUsGov);
        let arn = RoleArn::parse("arn:aws-cn:iam::123456789012:role/ReadOnly").unwrap();
        assert_eq!(arn.partition(), Partition::AwsCn);
    }

    #[test]
    fn rejects_what_is_not_a_role() {
        for bad in [
            "",
            "Admin",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::12345:role/Admin",
            "arn:aws:sts::123456789012:role/Admin",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role/bad name",
            "arn:aws:iam:us-east-1:123456789012:role/Admin",
            "arn:awsx:iam::123456789012:role/Admin",
            "arn:aws-iso:iam::123456789012:role/Admin",
            "arn::iam::123456789012:role/Admin",
        ] {
            assert!(RoleArn::parse(bad).is_err(), "{bad} should be rejected");
        }
    }
}
