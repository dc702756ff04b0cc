//! AWS partitions (`aws`, `aws-us-gov`, `aws-cn`): which one a region or an ARN
//! belongs to, and the hosts each one answers on.
//!
//! The one place that knows partition names, DNS suffixes, sign-in and console
//! hosts. Every ARN hats builds and every endpoint it names comes from here, so a
//! GovCloud or China user never gets a commercial-partition ARN or URL. Pure: no
//! I/O, and only the partitions hats supports (the isolated ones have hosts that
//! are not public, so hats cannot name them honestly).

use std::fmt;

/// An AWS partition: a set of regions with its own accounts, ARNs and hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum Partition {
    /// The commercial partition.
    #[default]
    #[serde(rename = "aws")]
    Aws,
    /// AWS GovCloud (US).
    #[serde(rename = "aws-us-gov")]
    AwsUsGov,
    /// AWS China (Beijing and Ningxia).
    #[serde(rename = "aws-cn")]
    AwsCn,
}

impl Partition {
    /// Every partition hats supports.
    pub const ALL: [Partition; 3] = [Partition::Aws, Partition::AwsUsGov, Partition::AwsCn];

    /// The partition of `region`, from its prefix (`us-gov-`, `cn-`), so a
    /// region that opens next year needs no change here.
    pub fn of_region(region: &str) -> Self {
        if region.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else if region.starts_with("cn-") {
            Partition::AwsCn
        } else {
            Partition::Aws
        }
    }

    /// The partition named `name` in an ARN (`arn:NAME:...`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The name ARNs use.
    pub fn name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsCn => "aws-cn",
        }
    }

    /// The DNS suffix of the partition's regional service endpoints.
    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
            Partition::AwsCn => "amazonaws.com.cn",
        }
    }

    /// The region hats uses when nothing names one: where a target of this
    /// partition can be reached at all.
    pub fn default_region(self) -> &'static str {
        match self {
            Partition::Aws => "us-east-1",
            Partition::AwsUsGov => "us-gov-west-1",
            Partition::AwsCn => "cn-north-1",
        }
    }

    /// `service`'s regional endpoint in `region` (`https://sts.REGION.SUFFIX`);
    /// `region` must belong to this partition.
    pub fn endpoint(self, service: &str, region: &str) -> String {
        format!("https://{service}.{region}.{}", self.dns_suffix())
    }

    /// The Organizations endpoint: one per partition, whatever the region.
    pub fn organizations_endpoint(self) -> &'static str {
        match self {
            Partition::Aws => "https://organizations.us-east-1.amazonaws.com",
            Partition::AwsUsGov => "https://organizations.us-gov-west-1.amazonaws.com",
            Partition::AwsCn => "https://organizations.cn-northwest-1.amazonaws.com.cn",
        }
    }

    /// The IAM endpoint: one per partition, whatever the region.
    pub fn iam_endpoint(self) -> &'static str {
        match self {
            Partition::Aws => "https://iam.amazonaws.com",
            Partition::AwsUsGov => "https://iam.us-gov.amazonaws.com",
            Partition::AwsCn => "https://iam.cn-north-1.amazonaws.com.cn",
        }
    }

    /// The federation endpoint that turns role credentials into a console sign-in token.
    pub fn federation_endpoint(self) -> &'static str {
        match self {
            Partition::Aws => "https://signin.aws.amazon.com/federation",
            Partition::AwsUsGov => "https://signin.amazonaws-us-gov.com/federation",
            Partition::AwsCn => "https://signin.amazonaws.cn/federation",
        }
    }

    /// The federation endpoint to sign in at after signing out first: the
    /// commercial partition's global sign-in host does not take a sign-in URL
    /// as the sign-out's `redirect_uri`, its us-east-1 host does (what other
    /// tools found; AWS documents no sign-out URL). The other partitions have
    /// one sign-in host.
    pub fn signout_federation_endpoint(self) -> &'static str {
        match self {
            Partition::Aws => "https://us-east-1.signin.aws.amazon.com/federation",
            other => other.federation_endpoint(),
        }
    }

    /// The console's host name.
    pub fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
            Partition::AwsCn => "console.amazonaws.cn",
        }
    }

    /// The console page of `service` in `region`.
    pub fn console_url(self, service: &str, region: &str) -> String {
        format!("https://{}/{service}/home?region={region}", self.console_host())
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_partition_by_prefix() {
        for (region, partition) in [
            ("us-east-1", Partition::Aws),
            ("eu-central-2", Partition::Aws),
            ("us-west-2", Partition::Aws),
            ("us-gov-west-1", Partition::AwsUsGov),
            ("us-gov-east-1", Partition::AwsUsGov),
            ("cn-north-1", Partition::AwsCn),
            ("cn-northwest-1", Partition::AwsCn),
        ] {
            assert_eq!(Partition::of_region(region), partition, "{region}");
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_none() {
        for p in Partition::ALL {
            assert_eq!(Partition::from_name(p.name()), Some(p));
            assert_eq!(Partition::of_region(p.default_region()), p);
        }
        for bad in ["", "AWS", "aws-iso", "awsx", "aws-us-gov "] {
            assert_eq!(Partition::from_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn commercial_hosts() {
        let p = Partition::Aws;
        assert_eq!(
            p.endpoint("sts", "eu-west-1"),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            p.federation_endpoint(),
            "https://signin.aws.amazon.com/federation"
        );
        assert_eq!(
            p.console_url("s3", "eu-west-1"),
            "https://console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            p.organizations_endpoint(),
            "https://organizations.us-east-1.amazonaws.com"
        );
    }

    #[test]
    fn govcloud_hosts() {
        let p = Partition::AwsUsGov;
        assert_eq!(
            p.endpoint("sts", "us-gov-west-1"),
            "https://sts.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            p.federation_endpoint(),
            "https://signin.amazonaws-us-gov.com/federation"
        );
        assert_eq!(
            p.console_url("console", "us-gov-east-1"),
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-east-1"
        );
        assert_eq!(
            p.organizations_endpoint(),
            "https://organizations.us-gov-west-1.amazonaws.com"
        );
    }

    #[test]
    fn china_hosts() {
        let p = Partition::AwsCn;
        assert_eq!(
            p.endpoint("sts", "cn-north-1"),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(p.federation_endpoint(), "https://signin.amazonaws.cn/federation");
        assert_eq!(
            p.console_url("ec2", "cn-northwest-1"),
            "https://console.amazonaws.cn/ec2/home?region=cn-northwest-1"
        );
        assert_eq!(
            p.organizations_endpoint(),
            "https://organizations.cn-northwest-1.amazonaws.com.cn"
        );
    }

    #[test]
    fn the_inventory_form_is_the_arn_name() {
        for p in Partition::ALL {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.name()));
            assert_eq!(serde_json::from_str::<Partition>(&json).unwrap(), p);
        }
    }
}
