//! An IAM user's own access keys: `ListAccessKeys`, `CreateAccessKey`,
//! `DeleteAccessKey`, for `hats keys`.
//!
//! `CreateAccessKey` is sent once, never retried: a retry after a first attempt
//! that reached IAM (its answer lost) would make a second key, and IAM allows
//! two. Listing and deleting are retried like other calls without side effects
//! that could double. Answers are checked before use: a created key without its
//! secret is an error, never a key.

use super::AwsError;
use super::error::{Call, classify};
use crate::domain::{AccessKey, AccessKeyId, Credentials, InvalidValue, Partition};
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_iam::config::Region;
use jiff::Timestamp;
use secrecy::SecretString;
use std::time::Instant;

/// Attempts for a call that may be repeated safely.
const ATTEMPTS: u32 = 3;

/// One access key of a user, as IAM lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyListing {
    /// The key's id, as IAM gave it.
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// When it was created.
    pub created: Option<Timestamp>,
}

/// An IAM client signed with one set of credentials.
pub struct Iam {
    client: aws_sdk_iam::Client,
    endpoint: String,
}

impl Iam {
    /// A client for `partition`'s IAM endpoint (one per partition), or the configured override.
    pub fn new(signing: &Credentials, partition: Partition) -> Self {
        let mut config = aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(partition.default_region()))
            .credentials_provider(super::sdk_credentials(signing))
            .timeout_config(super::timeouts::sdk_timeouts())
            .retry_config(RetryConfig::standard().with_max_attempts(ATTEMPTS));
        let endpoint = match super::configured_endpoint("AWS_ENDPOINT_URL_IAM") {
            Some(url) => {
                config = config.endpoint_url(&url);
                url
            }
            None => partition.iam_endpoint().to_owned(),
        };
        Self {
            client: aws_sdk_iam::Client::from_conf(config.build()),
            endpoint,
        }
    }

    /// Every access key of `user`.
    pub async fn list_access_keys(&self, user: &str) -> Result<Vec<KeyListing>, AwsError> {
        let started = Instant::now();
        let output = self
            .client
            .list_access_keys()
            .user_name(user)
            .send()
            .await
            .map_err(|e| classify(e, self.call("ListAccessKeys", started)))?;
        Ok(output
            .access_key_metadata()
            .iter()
            .map(|m| KeyListing {
                id: m.access_key_id().unwrap_or_default().to_owned(),
                status: m.status().map_or_else(String::new, |s| s.as_str().to_owned()),
                created: m
                    .create_date()
                    .and_then(|d| Timestamp::from_second(d.secs()).ok()),
            })
            .collect())
    }

    /// A new access key for `user`: sent once (see the module docs).
    pub async fn create_access_key(&self, user: &str) -> Result<AccessKey, AwsError> {
        let started = Instant::now();
        let once = aws_sdk_iam::config::Builder::default()
            .retry_config(RetryConfig::standard().with_max_attempts(1));
        let output = self
            .client
            .create_access_key()
            .user_name(user)
            .customize()
            .config_override(once)
            .send()
            .await
            .map_err(|e| classify(e, self.call("CreateAccessKey", started)))?;
        let malformed = |what: &str| AwsError::Malformed {
            service: "IAM",
            endpoint: self.endpoint.clone(),
            action: "CreateAccessKey",
            what: what.to_owned(),
            then: String::new(),
        };
        let made = output
            .access_key()
            .ok_or_else(|| malformed("no access key in it"))?;
        let id = AccessKeyId::parse(made.access_key_id()).map_err(|_| malformed("no valid access key id"))?;
        AccessKey::new(id, SecretString::from(made.secret_access_key().to_owned()))
            .map_err(|e: InvalidValue| malformed(&e.to_string()))
    }

    /// Deletes the key `id` of `user`; a key already gone counts as deleted
    /// (a retried call whose first attempt succeeded).
    pub async fn delete_access_key(&self, user: &str, id: &AccessKeyId) -> Result<(), AwsError> {
        let started = Instant::now();
        let sent = self
            .client
            .delete_access_key()
            .user_name(user)
            .access_key_id(id.as_str())
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(classify(e, self.call("DeleteAccessKey", started))),
        }
    }

    fn call(&self, action: &'static str, started: Instant) -> Call<'_> {
        Call {
            service: "IAM",
            action,
            role: None,
            endpoint: &self.endpoint,
            one_time_code: false,
            waited: started.elapsed(),
        }
    }
}
