//! A thin STS client: one SDK client per set of signing credentials.
//!
//! Timeouts and retries are bounded so an unreachable endpoint fails in seconds, not minutes.
//! A request that carries a one-time MFA code is sent once, never retried: if the
//! first attempt reached AWS the code is used up, and a retry would only turn a
//! server error into a misleading "wrong MFA code". Requests without a code
//! (`AssumeRole` from a session, `GetCallerIdentity`) are retried on throttling,
//! server errors and timeouts. Answers are checked before use: a truncated or
//! empty body never becomes credentials.

use super::AwsError;
use super::error::{Call, classify};
use crate::domain::{
    Credentials, MfaCode, MfaSerial, Partition, SessionDuration, SessionName, SessionPolicy, SessionTags,
    SourceIdentity,
};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_sts::config::Region;
use jiff::Timestamp;
use std::time::Instant;

/// Attempts for a request without a one-time code (the SDK's standard retry: jittered backoff).
const ATTEMPTS: u32 = 3;

/// Credentials STS issued, with the identity they belong to.
#[derive(Debug, Clone)]
pub struct Issued {
    pub credentials: Credentials,
    /// When they expire.
    pub expiration: Timestamp,
    /// The assumed-role ARN, for `AssumeRole`.
    pub assumed_arn: Option<String>,
}

/// What `AssumeRole` needs besides the signing credentials.
#[derive(Debug, Clone, Copy)]
pub struct AssumeRoleInput<'a> {
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
    pub(super) client: aws_sdk_sts::Client,
    pub(super) endpoint: String,
}

/// `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, unless configured endpoints are ignored.
pub fn endpoint_override() -> Option<String> {
    super::configured_endpoint("AWS_ENDPOINT_URL_STS")
}

impl Sts {
    /// A client for `region`'s regional STS endpoint (or the configured override).
    pub fn new(signing: &Credentials, region: &str) -> Self {
        Self::build(Some(signing), region)
    }

    /// A client that signs nothing, for calls whose credential is in the request
    /// itself (`AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`).
    pub fn unsigned(region: &str) -> Self {
        Self::build(None, region)
    }

    fn build(signing: Option<&Credentials>, region: &str) -> Self {
        let mut config = aws_sdk_sts::Config::builder();
        config.set_credentials_provider(
            signing.map(|s| aws_sdk_sts::config::SharedCredentialsProvider::new(super::sdk_credentials(s))),
        );
        config = config
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .timeout_config(super::timeouts::sdk_timeouts())
            .retry_config(retry_policy(ATTEMPTS));
        let endpoint = match endpoint_override() {
            Some(url) => {
                config = config.endpoint_url(&url);
                url
            }
            None => Partition::of_region(region).endpoint("sts", region),
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
        let one_time_code = input.mfa.is_some();
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
            request = request
                .set_policy(policy.document.clone())
                .set_policy_arns(policy_arns(policy));
        }
        let started = Instant::now();
        let output = request
            .customize()
            .config_override(attempts(one_time_code))
            .send()
            .await
            .map_err(|e| {
                let call = self.call("AssumeRole", Some(input.role_arn), one_time_code, started);
                classify(e, call)
            })?;
        let assumed_arn = output.assumed_role_user().map(|u| u.arn().to_owned());
        let call = self.call("AssumeRole", Some(input.role_arn), one_time_code, started);
        issued(output.credentials(), assumed_arn, call)
    }

    /// `GetSessionToken`, with an MFA device and its code when given.
    pub async fn get_session_token(
        &self,
        duration: SessionDuration,
        mfa: Option<(&MfaSerial, &MfaCode)>,
    ) -> Result<Issued, AwsError> {
        let started = Instant::now();
        let one_time_code = mfa.is_some();
        let output = self
            .client
            .get_session_token()
            .duration_seconds(i32::try_from(duration.as_secs()).unwrap_or(i32::MAX))
            .set_serial_number(mfa.map(|(serial, _)| serial.as_str().to_owned()))
            .set_token_code(mfa.map(|(_, code)| code.as_str().to_owned()))
            .customize()
            .config_override(attempts(one_time_code))
            .send()
            .await
            .map_err(|e| classify(e, self.call("GetSessionToken", None, one_time_code, started)))?;
        issued(
            output.credentials(),
            None,
            self.call("GetSessionToken", None, one_time_code, started),
        )
    }

    /// `GetCallerIdentity`.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, AwsError> {
        let started = Instant::now();
        let output = self
            .client
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| classify(e, self.call("GetCallerIdentity", None, false, started)))?;
        Ok(CallerIdentity {
            account: output.account().unwrap_or_default().to_owned(),
            arn: output.arn().unwrap_or_default().to_owned(),
            user_id: output.user_id().unwrap_or_default().to_owned(),
        })
    }
}

impl Sts {
    pub(super) fn call<'s>(
        &'s self,
        action: &'static str,
        role: Option<&'s str>,
        one_time_code: bool,
        started: Instant,
    ) -> Call<'s> {
        Call {
            service: "STS",
            action,
            role,
            endpoint: &self.endpoint,
            one_time_code,
            waited: started.elapsed(),
        }
    }
}

/// The retry policy of one request: a one-time code is sent once.
pub(super) fn attempts(one_time_code: bool) -> aws_sdk_sts::config::Builder {
    let attempts = if one_time_code { 1 } else { ATTEMPTS };
    aws_sdk_sts::config::Builder::default().retry_config(retry_policy(attempts))
}

/// The SDK's standard policy with `attempts`; its first pause (1 s, the
/// standard policy's own) scales with the timeouts in tests.
fn retry_policy(attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(attempts)
        .with_initial_backoff(super::timeouts::backoff(std::time::Duration::from_secs(1)))
}

/// Credentials from an answer, or `Malformed` when any part is missing: the SDK
/// reads a body cut off after `<AccessKeyId>` as credentials with an empty
/// secret, no token and an expiration of 1970.
pub(super) fn issued(
    credentials: Option<&aws_sdk_sts::types::Credentials>,
    assumed_arn: Option<String>,
    call: Call<'_>,
) -> Result<Issued, AwsError> {
    let malformed = |what: &str| AwsError::Malformed {
        service: call.service,
        endpoint: call.endpoint.to_owned(),
        action: call.action,
        what: what.to_owned(),
        then: call.then(""),
    };
    let c = credentials.ok_or_else(|| malformed("no credentials in it"))?;
    let plausible_key = |k: &str| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric());
    if !plausible_key(c.access_key_id()) || c.secret_access_key().is_empty() || c.session_token().is_empty() {
        return Err(malformed("incomplete credentials"));
    }
    let expiration = Timestamp::from_second(c.expiration().secs())
        .ok()
        .filter(|t| t.as_second() > 0)
        .ok_or_else(|| malformed("no expiration"))?;
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

/// A scope-down policy's managed policies as STS takes them; `None` when it names none.
pub(super) fn policy_arns(policy: &SessionPolicy) -> Option<Vec<aws_sdk_sts::types::PolicyDescriptorType>> {
    (!policy.arns.is_empty()).then(|| {
        policy
            .arns
            .iter()
            .map(|arn| {
                aws_sdk_sts::types::PolicyDescriptorType::builder()
                    .arn(arn)
                    .build()
            })
            .collect()
    })
}
