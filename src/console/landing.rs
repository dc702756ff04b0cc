//! Where the console lands: a short service name mapped to its page, a console
//! path, or a whole console URL, always on the target's partition's console
//! and in the region asked for. Pure.

use crate::domain::Partition;

/// What the user asked to land on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// The console's home page.
    Home,
    /// A service by short name (`s3`, `ec2`, `logs`, ...).
    Service(String),
    /// A console path (`/s3/buckets`) or URL (`https://console.aws.amazon.com/...`).
    Destination(String),
}

/// Short names and their pages (path and fragment after the console host;
/// `region=` is added to every one).
const SERVICES: &[(&str, &str)] = &[
    ("console", "/console/home"),
    ("home", "/console/home"),
    ("s3", "/s3/buckets"),
    ("ec2", "/ec2/home#Instances:"),
    ("iam", "/iam/home#/home"),
    ("lambda", "/lambda/home#/functions"),
    ("logs", "/cloudwatch/home#logsV2:log-groups"),
    ("cloudwatch", "/cloudwatch/home"),
    ("cloudformation", "/cloudformation/home#/stacks"),
    ("cloudtrail", "/cloudtrail/home#/events"),
    ("dynamodb", "/dynamodbv2/home#tables"),
    ("ecr", "/ecr/private-registry/repositories"),
    ("ecs", "/ecs/v2/clusters"),
    ("eks", "/eks/home#/clusters"),
    ("rds", "/rds/home#databases:"),
    ("sqs", "/sqs/v3/home#/queues"),
    ("sns", "/sns/v3/home#/topics"),
    ("vpc", "/vpcconsole/home#vpcs:"),
    ("route53", "/route53/v2/home#Dashboard"),
    ("kms", "/kms/home#/kms/keys"),
    ("secretsmanager", "/secretsmanager/listsecrets"),
    ("ssm", "/systems-manager/home"),
    ("stepfunctions", "/states/home#/statemachines"),
    ("apigateway", "/apigateway/main/apis"),
    ("cloudfront", "/cloudfront/v4/home#/distributions"),
    ("athena", "/athena/home#/query-editor"),
    ("billing", "/billing/home#/"),
    ("organizations", "/organizations/v2/home/accounts"),
    ("sso", "/singlesignon/home"),
];

/// The landing page's URL on `partition`'s console, in `region`; the error
/// is a sentence naming the value.
pub fn landing_url(partition: Partition, region: &str, landing: &Landing) -> Result<String, String> {
    let host = partition.console_host();
    let url = match landing {
        Landing::Home => format!("https://{host}/console/home"),
        Landing::Service(name) => format!("https://{host}{}", service_path(name)?),
        Landing::Destination(text) => destination(partition, text)?,
    };
    Ok(with_region(&url, region))
}

fn service_path(name: &str) -> Result<String, String> {
    let name = name.trim().to_ascii_lowercase();
    if let Some((_, path)) = SERVICES.iter().find(|(short, _)| *short == name) {
        return Ok((*path).to_owned());
    }
    let plain = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if plain {
        Ok(format!("/{name}/home"))
    } else {
        Err(format!(
            "--service \"{}\" is not a console service name (letters, digits and -); \
             use --destination for a path such as /s3/buckets",
            crate::config::printable(&name)
        ))
    }
}

fn destination(partition: Partition, text: &str) -> Result<String, String> {
    let shown = crate::config::printable(text);
    if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "--destination \"{shown}\" holds spaces or control characters; percent-encode them (%20)"
        ));
    }
    if text.starts_with('/') && !text.starts_with("//") {
        return Ok(format!("https://{}{text}", partition.console_host()));
    }
    let Some(rest) = text.strip_prefix("https://") else {
        return Err(format!(
            "--destination \"{shown}\" is neither a console path (/s3/buckets) nor a console URL (https://{}/...)",
            partition.console_host()
        ));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if is_console_host(partition, host) {
        return Ok(text.to_owned());
    }
    let other = Partition::ALL.into_iter().find(|p| is_console_host(*p, host));
    Err(match other {
        Some(other) => format!(
            "--destination \"{shown}\" is on the {other} console, but the target lives in {partition}; \
             use a path (/s3/buckets) or a URL on {}",
            partition.console_host()
        ),
        None => format!(
            "--destination \"{shown}\" is not on the {partition} console ({} or a subdomain of it)",
            partition.console_host()
        ),
    })
}

/// The console host itself or a subdomain of it (regional consoles such as
/// `eu-west-1.console.aws.amazon.com`, multi-session ones, `s3.console...`).
fn is_console_host(partition: Partition, host: &str) -> bool {
    let console = partition.console_host();
    let host = host.to_ascii_lowercase();
    host == console
        || host
            .strip_suffix(console)
            .and_then(|sub| sub.strip_suffix('.'))
            .is_some_and(|sub| {
                !sub.is_empty()
                    && sub.split('.').all(|label| {
                        !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    })
            })
}

/// `url` with `region=REGION` in its query unless it names a region already;
/// the fragment stays last.
fn with_region(url: &str, region: &str) -> String {
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let has_region = base.split_once('?').is_some_and(|(_, query)| {
        query
            .split('&')
            .any(|pair| pair.split('=').next() == Some("region"))
    });
    let mut out = base.to_owned();
    if !has_region {
        out.push(if base.contains('?') { '&' } else { '?' });
        out.push_str("region=");
        out.push_str(&crate::aws::percent_encode(region));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn land(partition: Partition, region: &str, landing: Landing) -> Result<String, String> {
        landing_url(partition, region, &landing)
    }

    #[test]
    fn short_names_land_on_their_pages_on_each_partitions_console_in_the_region() {
        assert_eq!(
            land(Partition::Aws, "eu-west-1", Landing::Service("s3".into())).unwrap(),
            "https://console.aws.amazon.com/s3/buckets?region=eu-west-1"
        );
        assert_eq!(
            land(
                Partition::AwsUsGov,
                "us-gov-east-1",
                Landing::Service("logs".into())
            )
            .unwrap(),
            "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-east-1#logsV2:log-groups"
        );
        assert_eq!(
            land(Partition::AwsCn, "cn-north-1", Landing::Service("EC2".into())).unwrap(),
            "https://console.amazonaws.cn/ec2/home?region=cn-north-1#Instances:"
        );
        assert_eq!(
            land(Partition::Aws, "us-east-1", Landing::Home).unwrap(),
            "https://console.aws.amazon.com/console/home?region=us-east-1"
        );
        assert_eq!(
            land(Partition::Aws, "us-east-1", Landing::Service("glue".into())).unwrap(),
            "https://console.aws.amazon.com/glue/home?region=us-east-1"
        );
    }

    #[test]
    fn a_path_goes_to_the_partitions_console_and_keeps_its_own_region() {
        assert_eq!(
            land(
                Partition::AwsCn,
                "cn-north-1",
                Landing::Destination("/s3/buckets?region=cn-northwest-1".into())
            )
            .unwrap(),
            "https://console.amazonaws.cn/s3/buckets?region=cn-northwest-1"
        );
        assert_eq!(
            land(
                Partition::Aws,
                "eu-west-1",
                Landing::Destination("/cloudwatch/home#logs:".into())
            )
            .unwrap(),
            "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logs:"
        );
    }

    #[test]
    fn a_console_url_of_the_partition_is_kept_and_given_the_region() {
        assert_eq!(
            land(
                Partition::Aws,
                "eu-west-1",
                Landing::Destination("https://console.aws.amazon.com/cloudwatch/home#logs:".into())
            )
            .unwrap(),
            "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logs:"
        );
        let regional = "https://eu-central-1.console.aws.amazon.com/ec2/home?region=eu-central-1#Instances:";
        assert_eq!(
            land(Partition::Aws, "eu-west-1", Landing::Destination(regional.into())).unwrap(),
            regional
        );
    }

    #[test]
    fn urls_elsewhere_and_odd_names_are_refused_with_the_value() {
        let gov = land(
            Partition::AwsUsGov,
            "us-gov-west-1",
            Landing::Destination("https://console.aws.amazon.com/s3/".into()),
        )
        .unwrap_err();
        assert!(
            gov.contains("is on the aws console, but the target lives in aws-us-gov"),
            "{gov}"
        );
        for bad in [
            "https://console.aws.amazon.com.evil.test/",
            "https://evil.test/?console.aws.amazon.com",
            "https://x..console.aws.amazon.com/",
            "http://console.aws.amazon.com/",
            "//evil.test/x",
            "javascript:alert(1)",
        ] {
            let err = land(Partition::Aws, "us-east-1", Landing::Destination(bad.into())).unwrap_err();
            assert!(err.starts_with(&format!("--destination \"{bad}\"")), "{err}");
        }
        let err = land(
            Partition::Aws,
            "us-east-1",
            Landing::Destination("/s3/x y".into()),
        )
        .unwrap_err();
        assert!(err.contains("spaces or control characters"), "{err}");
        let err = land(Partition::Aws, "us-east-1", Landing::Service("s3/../iam".into())).unwrap_err();
        assert!(err.contains("is not a console service name"), "{err}");
    }
}
