//! The credentials at the start of a chain: a profile's keys (or SSO, or
//! `credential_process`), the environment, or the instance/container.
//!
//! Profiles are read by aws-config's providers so every kind of source profile works.
//! Never reads `AWS_ACCESS_KEY_ID` unless the profile asks for `credential_source = Environment`.
//! Roles, Identity Center, federated sources and keys in the OS keyring are the
//! engine's: this module takes only the base sources the SDK reads.

use super::AwsError;
use crate::domain::{CredentialSource, Credentials};
use crate::error_text::describe;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;

/// Loads the credentials of a base source. `files` are the AWS files as the
/// SDK should read them when a profile's own name would not do (the caller
/// knows; see `config::sdk_profile_files`): the files and the name in them.
pub async fn source_credentials(
    source: &CredentialSource,
    files: Option<(ProfileFiles, String)>,
) -> Result<Credentials, SourceError> {
    let loaded = match source {
        CredentialSource::Profile(profile) => {
            let mut provider =
                aws_config::profile::ProfileFileCredentialsProvider::builder().profile_name(profile);
            if let Some((files, sdk_name)) = files {
                provider = provider.profile_files(files).profile_name(sdk_name);
            }
            provider.build().provide_credentials().await
        }
        CredentialSource::Environment => return environment().map_err(SourceError::Failed),
        CredentialSource::InstanceMetadata => {
            aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                .build()
                .provide_credentials()
                .await
        }
        CredentialSource::EcsContainer => {
            aws_config::ecs::EcsCredentialsProvider::builder()
                .build()
                .provide_credentials()
                .await
        }
        CredentialSource::Keyring(profile) => {
            return Err(SourceError::Failed(AwsError::SourceCredentials {
                source_name: format!("profile \"{profile}\""),
                detail: "its long-term key is in the OS keyring, which the engine reads, not the SDK".into(),
            }));
        }
    };
    match loaded {
        Ok(creds) => Ok(from_sdk(&creds)),
        // The SDK's "the credential provider was not enabled": the profile names no keys.
        Err(CredentialsError::CredentialsNotLoaded(_)) if matches!(source, CredentialSource::Profile(_)) => {
            Err(SourceError::NoKeys)
        }
        Err(e) => Err(SourceError::Failed(AwsError::SourceCredentials {
            source_name: format!("profile \"{}\"", source.describe()),
            detail: describe(&e),
        })),
    }
}

/// Why a base source gave no credentials.
#[derive(Debug)]
pub enum SourceError {
    /// A profile that names no credentials at all (where they were looked
    /// for is the configuration's business to say).
    NoKeys,
    /// Anything else, as users see it.
    Failed(AwsError),
}

/// The credentials AWS tools would use here (environment, `AWS_PROFILE`, SSO,
/// instance roles) and the region they would use; the error is a description.
pub async fn ambient_credentials(region: Option<String>) -> Result<(Credentials, String), String> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region));
    }
    let config = loader.load().await;
    let region = config
        .region()
        .map_or_else(|| "us-east-1".to_owned(), ToString::to_string);
    let provider = config
        .credentials_provider()
        .ok_or("no credential provider is configured")?;
    let creds = provider.provide_credentials().await.map_err(|e| describe(&e))?;
    Ok((from_sdk(&creds), region))
}

fn from_sdk(creds: &aws_credential_types::Credentials) -> Credentials {
    Credentials {
        access_key_id: creds.access_key_id().to_owned(),
        secret_access_key: creds.secret_access_key().to_owned().into(),
        session_token: creds.session_token().map(|t| t.to_owned().into()),
        expiration: creds.expiry().and_then(|t| jiff::Timestamp::try_from(t).ok()),
    }
}

fn environment() -> Result<Credentials, AwsError> {
    let missing = |detail: &str| AwsError::SourceCredentials {
        source_name: "the environment (credential_source = Environment)".into(),
        detail: detail.into(),
    };
    if let Ok(target) = std::env::var("HATS_TARGET") {
        return Err(missing(&format!(
            "this is a hats shell for \"{target}\", whose credentials must not become a source; \
             run hats outside the shell or use source_profile"
        )));
    }
    let key = std::env::var("AWS_ACCESS_KEY_ID").map_err(|_| missing("AWS_ACCESS_KEY_ID is not set"))?;
    let secret =
        std::env::var("AWS_SECRET_ACCESS_KEY").map_err(|_| missing("AWS_SECRET_ACCESS_KEY is not set"))?;
    Ok(Credentials {
        access_key_id: key,
        secret_access_key: secret.into(),
        session_token: std::env::var("AWS_SESSION_TOKEN").ok().map(Into::into),
        expiration: None,
    })
}
