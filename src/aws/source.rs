//! The credentials at the start of a chain: a profile's keys (or SSO, or
//! `credential_process`), the environment, or the instance/container.
//!
//! Profiles are read by aws-config's providers so every kind of source profile works.
//! Never reads `AWS_ACCESS_KEY_ID` unless the profile asks for `credential_source = Environment`.

use super::AwsError;
use crate::config::Source;
use crate::domain::Credentials;
use crate::error_text::describe;
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;

/// Loads the credentials of a non-role source.
///
/// # Panics
/// Never: `Source::Role` is resolved by the session engine and is refused here with an error.
pub async fn source_credentials(source: &Source) -> Result<Credentials, AwsError> {
    let name = source.describe();
    let loaded = match source {
        Source::Profile(profile) => {
            let mut provider =
                aws_config::profile::ProfileFileCredentialsProvider::builder().profile_name(profile);
            // A name the SDK drops from the files as written (`[profile équipe]`)
            // is read from hats' renamed copy, as target building reads it.
            if let Some((files, sdk_name)) = crate::config::sdk_profile_files(profile) {
                provider = provider.profile_files(files).profile_name(sdk_name);
            }
            provider.build().provide_credentials().await
        }
        Source::Environment => return environment(),
        Source::InstanceMetadata => {
            aws_config::imds::credentials::ImdsCredentialsProvider::builder()
                .build()
                .provide_credentials()
                .await
        }
        Source::EcsContainer => {
            aws_config::ecs::EcsCredentialsProvider::builder()
                .build()
                .provide_credentials()
                .await
        }
        Source::Role(_) | Source::Sso(_) | Source::WebIdentity(_) | Source::Saml(_) | Source::Keyring(_) => {
            return Err(AwsError::SourceCredentials {
                source_name: name,
                detail: "a role, Identity Center or keyring source is resolved by the engine".into(),
            });
        }
    };
    let creds = match loaded {
        Ok(creds) => creds,
        // The SDK's "the credential provider was not enabled": the profile names no keys.
        Err(CredentialsError::CredentialsNotLoaded(_)) if matches!(source, Source::Profile(_)) => {
            return Err(AwsError::SourceCredentials {
                source_name: format!("profile \"{name}\""),
                detail: no_keys_detail(&name),
            });
        }
        Err(e) => {
            let mut detail = describe(&e);
            if let Source::Profile(profile) = source
                && is_login_session(profile).await
            {
                detail.push_str(&format!(
                    "; the `aws login` session is missing or has expired: run `aws login --profile {profile}`"
                ));
            }
            return Err(AwsError::SourceCredentials {
                source_name: format!("profile \"{name}\""),
                detail,
            });
        }
    };
    Ok(from_sdk(&creds))
}

/// What to say of a source profile without keys: where they were looked for.
fn no_keys_detail(profile: &str) -> String {
    let file = crate::config::aws_credentials_path();
    let shown = file.as_ref().map_or_else(
        || "no credentials file".to_owned(),
        |f| format!("\"{}\"", f.display()),
    );
    let missing = if file.is_some_and(|f| !f.exists()) {
        ", which does not exist"
    } else {
        ""
    };
    format!(
        "it has no aws_access_key_id, neither in the AWS config nor in the credentials file {shown}{missing}; \
         add its keys (aws configure --profile {profile}), or point AWS_SHARED_CREDENTIALS_FILE at the file that has them"
    )
}

/// Whether `profile` is an `aws login` profile (`login_session`), read again
/// only when its credentials could not be had, to say how to renew them.
async fn is_login_session(profile: &str) -> bool {
    profile_sets(profile, "login_session").await
}

/// Whether getting `source`'s credentials would run a program: a source
/// profile with `credential_process` (which aws-config would run).
pub async fn runs_a_command(source: &Source) -> bool {
    matches!(source, Source::Profile(profile) if profile_sets(profile, "credential_process").await)
}

/// Whether `profile` sets `key`, read from the AWS files again (only on the
/// paths that ask: a failure, or the prompt hook).
async fn profile_sets(profile: &str, key: &str) -> bool {
    let env = aws_types::os_shim_internal::Env::real();
    let fs = aws_types::os_shim_internal::Fs::real();
    crate::config::load_profiles(&fs, &env)
        .await
        .ok()
        .and_then(|set| {
            set.get_profile(&crate::config::sdk_name(profile))
                .map(|p| p.get(key).is_some())
        })
        .unwrap_or(false)
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
