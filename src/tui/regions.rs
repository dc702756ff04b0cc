//! The regions the region picker (`w`) offers, and how typing filters them.
//!
//! A row is offered the regions of its own partition only: a commercial target
//! the `aws` regions (as the AWS SDK's partition data lists them; the US regions
//! first, the rest by code), a GovCloud target `us-gov-*`, a China target `cn-*`.
//! Credentials of one partition are refused in every other, so offering them
//! would only lead to a failed hand-out.

use crate::domain::Partition;

/// Region codes and names of the commercial (`aws`) partition.
pub const REGIONS: [(&str, &str); 34] = [
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (Sao Paulo)"),
];

/// Region codes and names of AWS GovCloud (US) (`aws-us-gov`).
pub const GOVCLOUD_REGIONS: [(&str, &str); 2] = [
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
];

/// Region codes and names of AWS China (`aws-cn`).
pub const CHINA_REGIONS: [(&str, &str); 2] = [
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
];

/// The regions of `partition`.
pub fn regions_of(partition: Partition) -> &'static [(&'static str, &'static str)] {
    match partition {
        Partition::Aws => &REGIONS,
        Partition::AwsUsGov => &GOVCLOUD_REGIONS,
        Partition::AwsCn => &CHINA_REGIONS,
    }
}

/// One line of the picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Back to the region from the configuration.
    Configured,
    /// A region: code and name.
    Region(&'static str, &'static str),
}

/// The picker's lines for a row of `partition` and `query`: with no query, the
/// configured region and then every region of the partition; else the regions
/// whose code or name holds every word of the query (any case), so `zur`,
/// `tokyo` and `eu central` all find one.
pub fn choices(partition: Partition, query: &str) -> Vec<Choice> {
    let regions = regions_of(partition);
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return std::iter::once(Choice::Configured)
            .chain(regions.iter().map(|&(code, name)| Choice::Region(code, name)))
            .collect();
    }
    regions
        .iter()
        .filter(|(code, name)| {
            let text = format!("{code} {name}").to_lowercase();
            words.iter().all(|w| text.contains(w.as_str()))
        })
        .map(|&(code, name)| Choice::Region(code, name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(query: &str) -> Vec<&'static str> {
        codes_in(Partition::Aws, query)
    }

    fn codes_in(partition: Partition, query: &str) -> Vec<&'static str> {
        choices(partition, query)
            .into_iter()
            .filter_map(|c| match c {
                Choice::Region(code, _) => Some(code),
                Choice::Configured => None,
            })
            .collect()
    }

    #[test]
    fn every_commercial_region_is_offered_once() {
        for code in [
            "eu-central-2",
            "ap-northeast-3",
            "me-south-1",
            "me-central-1",
            "af-south-1",
            "il-central-1",
            "mx-central-1",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-7",
            "ca-west-1",
            "eu-south-1",
            "eu-south-2",
            "eu-north-1",
            "ap-south-2",
            "ap-east-1",
        ] {
            assert_eq!(codes(code), [code], "{code}");
        }
        let mut all = codes("");
        assert_eq!(all.len(), REGIONS.len());
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), REGIONS.len(), "no region twice");
        assert_eq!(choices(Partition::Aws, "")[0], Choice::Configured);
    }

    #[test]
    fn typing_filters_by_code_or_name_word_by_word() {
        assert_eq!(codes("zur"), ["eu-central-2"]);
        assert_eq!(codes("Tokyo"), ["ap-northeast-1"]);
        assert_eq!(codes("eu central"), ["eu-central-1", "eu-central-2"]);
        assert_eq!(codes("me-"), ["me-central-1", "me-south-1"]);
        assert!(codes("atlantis").is_empty());
        assert!(
            !choices(Partition::Aws, "eu").contains(&Choice::Configured),
            "a query lists regions only"
        );
    }

    #[test]
    fn a_govcloud_row_is_offered_govcloud_regions_only() {
        assert_eq!(
            codes_in(Partition::AwsUsGov, ""),
            ["us-gov-west-1", "us-gov-east-1"]
        );
        assert_eq!(choices(Partition::AwsUsGov, "")[0], Choice::Configured);
        assert_eq!(codes_in(Partition::AwsUsGov, "east"), ["us-gov-east-1"]);
        assert!(codes_in(Partition::AwsUsGov, "eu-west").is_empty());
    }

    #[test]
    fn a_china_row_is_offered_china_regions_only() {
        assert_eq!(codes_in(Partition::AwsCn, ""), ["cn-north-1", "cn-northwest-1"]);
        assert_eq!(codes_in(Partition::AwsCn, "ningxia"), ["cn-northwest-1"]);
        assert!(codes_in(Partition::AwsCn, "us-east").is_empty());
    }

    #[test]
    fn a_commercial_row_is_never_offered_govcloud_or_china_regions() {
        for query in ["", "gov", "us-gov", "cn", "china", "beijing"] {
            let offered = codes(query);
            assert!(
                offered
                    .iter()
                    .all(|c| !c.starts_with("us-gov-") && !c.starts_with("cn-")),
                "{query:?}: {offered:?}"
            );
        }
    }

    #[test]
    fn every_offered_region_belongs_to_the_partition_it_is_offered_for() {
        for partition in Partition::ALL {
            let offered = codes_in(partition, "");
            assert!(!offered.is_empty(), "{partition}");
            for code in offered {
                assert_eq!(Partition::of_region(code), partition, "{code}");
            }
        }
    }
}
