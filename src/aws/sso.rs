//! The IAM Identity Center portal (service `sso`): role credentials for a
//! signed-in user, and sign-out. Authorised by the access token alone.
//!
//! Knows the SDK only: where the token comes from and what is cached is the engine's business.

use super::error::{Call, classify};
use super::{AwsError, Issued};
use crate::domain::{Credentials, Partition};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_sso::config::Region;
use aws_sdk_sso::error::ProvideErrorMetadata;
use secrecy::{ExposeSecret, SecretString};
use std::time::Instant;

/// Attempts per portal call (read-only, or idempotent sign-out): throttling is retried.
const ATTEMPTS: u32 = 4;

/// The endpoint for one service: its own variable (e.g. `AWS_ENDPOINT_URL_SSO`),
/// else `AWS_ENDPOINT_URL`, unless configured endpoints are ignored.
pub(super) fn configured_endpoint(variable: &str) -> Option<String> {
    let ignore =
        std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    [variable, "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// A portal client for one region.
pub struct Portal {
    pub(super) client: aws_sdk_sso::Client,
    pub(super) endpoint: String,
}

impl Portal {
    /// A client for `region`'s portal (or `AWS_ENDPOINT_URL_SSO`).
    pub fn new(region: &str) -> Self {
        Self::with_retries(region, RetryConfig::standard().with_max_attempts(ATTEMPTS))
    }

    /// A client whose calls retry per `retry` (discovery retries throttling longer).
    pub(super) fn with_retries(region: &str, retry: RetryConfig) -> Self {
        let mut config = aws_sdk_sso::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .timeout_config(super::timeouts::sdk_timeouts())
            .retry_config(retry);
        let endpoint = match configured_endpoint("AWS_ENDPOINT_URL_SSO") {
            Some(url) => {
                config = config.endpoint_url(&url);
                url
            }
            None => Partition::of_region(region).endpoint("portal.sso", region),
        };
        Self {
            client: aws_sdk_sso::Client::from_conf(config.build()),
            endpoint,
        }
    }

    pub(super) fn call(&self, action: &'static str, started: Instant) -> Call<'_> {
        Call {
            service: "Identity Center",
            action,
            role: None,
            endpoint: &self.endpoint,
            one_time_code: false,
            waited: started.elapsed(),
        }
    }

    /// `GetRoleCredentials`: the role's credentials for the signed-in user.
    /// A token the portal no longer accepts is [`AwsError::SsoSignedOut`].
    pub async fn role_credentials(
        &self,
        token: &SecretString,
        account_id: &str,
        role_name: &str,
    ) -> Result<Issued, AwsError> {
        let started = Instant::now();
        let output = self
            .client
            .get_role_credentials()
            .access_token(token.expose_secret())
            .account_id(account_id)
            .role_name(role_name)
            .send()
            .await
            .map_err(|e| {
                if e.as_service_error()
                    .is_some_and(|s| s.is_unauthorized_exception())
                {
                    return AwsError::SsoSignedOut;
                }
                // The SDK models no 403 for this call; the portal answers ForbiddenException.
                if e.raw_response().is_some_and(|r| r.status().as_u16() == 403) {
                    let code = e.code().unwrap_or("Forbidden");
                    let detail = match e.message() {
                        Some(message) => format!("{code}: {}", crate::domain::clean_text(message)),
                        None => code.to_owned(),
                    };
                    return AwsError::SsoRoleRefused {
                        account: account_id.to_owned(),
                        role: role_name.to_owned(),
                        detail,
                    };
                }
                classify(e, self.call("GetRoleCredentials", started))
            })?;
        let malformed = |what: &str| AwsError::Malformed {
            service: "Identity Center",
            endpoint: self.endpoint.clone(),
            action: "GetRoleCredentials",
            what: what.into(),
            then: String::new(),
        };
        let creds = output
            .role_credentials()
            .ok_or_else(|| malformed("no roleCredentials in it"))?;
        let (Some(key), Some(secret), Some(token)) = (
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token(),
        ) else {
            return Err(malformed(
                "roleCredentials without a key, secret or session token",
            ));
        };
        if key.is_empty() || secret.is_empty() || token.is_empty() {
            return Err(malformed("empty role credentials"));
        }
        let expiration = jiff::Timestamp::from_millisecond(creds.expiration())
            .map_err(|_| malformed("an expiration that is not a time"))?;
        Ok(Issued {
            credentials: Credentials {
                access_key_id: key.to_owned(),
                secret_access_key: secret.to_owned().into(),
                session_token: Some(token.to_owned().into()),
                expiration: Some(expiration),
            },
            expiration,
            assumed_arn: None,
        })
    }

    /// `Logout`: ends the sign-in the token belongs to. A token already refused counts as done.
    pub async fn logout(&self, token: &SecretString) -> Result<(), AwsError> {
        let started = Instant::now();
        match self
            .client
            .logout()
            .access_token(token.expose_secret())
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_unauthorized_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(classify(e, self.call("Logout", started))),
        }
    }
}
