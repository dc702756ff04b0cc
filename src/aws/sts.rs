//! A thin STS client: one SDK client per set of signing credentials.
//!
//! Timeouts and retries are bounded so an unreachable endpoint fails in seconds, not minutes.

use super::AwsError;
use super::error::classify;
use crate::domain::{
    Credentials, MfaCode, MfaSerial, SessionDuration, SessionName, SessionPolicy, SessionTags, SourceIdentity,
};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_sts::config::Region;
use jiff::Timestamp;
use std::time::Duration;

/// Credentials STS issued, with the identity they belong to.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The credentials.
    pub credentials: Credentials,
    /// When they expire.
    pub expiration: Timestamp,
    /// The assumed-role ARN, for `AssumeRole`.
    pub assumed_arn: Option<String>,
}

/// What `AssumeRole` needs besides the signing credentials.
#[derive(Debug)]
pub struct AssumeRoleInput<'a> {
    /// The role.
    pub role_arn: &'a str,
    /// `RoleSessionName`.
    pub session_name: &'a SessionName,
    /// `DurationSeconds`.
    pub duration: SessionDuration,
    /// `ExternalId`.
    pub external_id: Option<&'a str>,
    /// `SerialNumber` and `TokenCode`, for a role that is given the MFA code directly.
    pub mfa: Option<(&'a MfaSerial, &'a MfaCode)>,
    /// `SourceIdentity`.
    pub source_identity: Option<&'a SourceIdentity>,
    /// `Tags` and `TransitiveTagKeys`.
    pub tags: &'a SessionTags,
    /// `Policy` and `PolicyArns`: the scope-down.
    pub policy: Option<&'a SessionPolicy>,
}

/// Who a set of credentials belongs to.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallerIdentity {
    /// The account id.
    pub account: String,
    /// The identity's ARN.
    pub arn: String,
    /// The unique user id.
    pub user_id: String,
}

/// An STS client signed with one set of credentials.
pub struct Sts {
    client: aws_sdk_sts::Client,
    endpoint: String,
}

/// `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, unless configured endpoints are ignored.
pub fn endpoint_override() -> Option<String> {
    let ignore =
        std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

impl Sts {
    /// A client for `region`'s regional STS endpoint (or the configured override).
    pub fn new(signing: &Credentials, region: &str) -> Self {
        let sdk_credentials = super::sdk_credentials(signing);
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(Duration::from_secs(15))
            .operation_timeout(Duration::from_secs(30))
            .build();
        let mut config = aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(sdk_credentials)
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(3));
        let endpoint = match endpoint_override() {
            Some(url) => {
                config = config.endpoint_url(&url);
                url
            }
            None => format!("https://sts.{region}.amazonaws.com"),
        };
        Self {
            client: aws_sdk_sts::Client::from_conf(config.build()),
            endpoint,
        }
    }

    /// `AssumeRole`.
    pub async fn assume_role(&self, input: &AssumeRoleInput<'_>) -> Result<Issued, AwsError> {
        let mut request = self
            .client
            .assume_role()
            .role_arn(input.role_arn)
            .role_session_name(input.session_name.as_str())
            .duration_seconds(i32::try_from(input.duration.as_secs()).unwrap_or(i32::MAX))
            .set_external_id(input.external_id.map(str::to_owned));
        if let Some((serial, code)) = input.mfa {
            request = request.serial_number(serial.as_str()).token_code(code.as_str());
        }
        request = request.set_source_identity(input.source_identity.map(|s| s.as_str().to_owned()));
        if !input.tags.tags.is_empty() {
            // Keys and values were checked when the configuration was read, so building cannot fail.
            let tags = input
                .tags
                .tags
                .iter()
                .filter_map(|(k, v)| aws_sdk_sts::types::Tag::builder().key(k).value(v).build().ok());
            request = request.set_tags(Some(tags.collect()));
        }
        if !input.tags.transitive.is_empty() {
            request = request.set_transitive_tag_keys(Some(input.tags.transitive.clone()));
        }
        if let Some(policy) = input.policy {
            request = request.set_policy(policy.document.clone());
            if !policy.arns.is_empty() {
                let arns = policy.arns.iter().map(|arn| {
                    aws_sdk_sts::types::PolicyDescriptorType::builder()
                        .arn(arn)
                        .build()
                });
                request = request.set_policy_arns(Some(arns.collect()));
            }
        }
        let output = request
            .send()
            .await
            .map_err(|e| classify(e, "AssumeRole", Some(input.role_arn), &self.endpoint))?;
        let assumed_arn = output.assumed_role_user().map(|u| u.arn().to_owned());
        issued(output.credentials(), assumed_arn, "AssumeRole")
    }

    /// `GetSessionToken` with an MFA code.
    pub async fn get_session_token(
        &self,
        duration: SessionDuration,
        serial: &MfaSerial,
        code: &MfaCode,
    ) -> Result<Issued, AwsError> {
        let output = self
            .client
            .get_session_token()
            .duration_seconds(i32::try_from(duration.as_secs()).unwrap_or(i32::MAX))
            .serial_number(serial.as_str())
            .token_code(code.as_str())
            .send()
            .await
            .map_err(|e| classify(e, "GetSessionToken", None, &self.endpoint))?;
        issued(output.credentials(), None, "GetSessionToken")
    }

    /// `GetCallerIdentity`.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        let output = self
            .client
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| classify(e, "GetCallerIdentity", None, &self.endpoint))?;
        Ok(CallerIdentity {
            account: output.account().unwrap_or_default().to_owned(),
            arn: output.arn().unwrap_or_default().to_owned(),
            user_id: output.user_id().unwrap_or_default().to_owned(),
        })
    }
}

fn issued(
    credentials: Option<&aws_sdk_sts::types::Credentials>,
    assumed_arn: Option<String>,
    action: &'static str,
) -> Result<Issued, AwsError> {
    let missing = || AwsError::Service {
        action,
        code: "MalformedResponse".into(),
        detail: "the response carried no usable credentials".into(),
    };
    let c = credentials.ok_or_else(missing)?;
    let expiration = Timestamp::from_second(c.expiration().secs()).map_err(|_| missing())?;
    Ok(Issued {
        credentials: Credentials {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: c.secret_access_key().to_owned().into(),
            session_token: Some(c.session_token().to_owned().into()),
            expiration: Some(expiration),
        },
        expiration,
        assumed_arn,
    })
}
