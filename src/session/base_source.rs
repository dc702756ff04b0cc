//! The credentials at the start of a chain that AWS's own providers read
//! (a profile's keys, SSO or `credential_process`; the environment; the
//! instance or container): `aws::source_credentials`, given the AWS files as
//! hats reads them, with advice added when an `aws login` session is what failed.

use crate::aws::{AwsError, SourceError, source_credentials};
use crate::config::{aws_credentials_path, profile_sets, sdk_profile_files};
use crate::domain::{CredentialSource, Credentials};

/// The credentials of `source`.
pub async fn base_credentials(source: &CredentialSource) -> Result<Credentials, AwsError> {
    let CredentialSource::Profile(profile) = source else {
        return source_credentials(source, None).await.map_err(|e| match e {
            SourceError::Failed(e) => e,
            SourceError::NoKeys => no_keys(&source.describe()),
        });
    };
    // A name the SDK drops from the files as written (`[profile équipe]`) is
    // read from hats' renamed copy, as target building reads it.
    match source_credentials(source, sdk_profile_files(profile)).await {
        Ok(creds) => Ok(creds),
        Err(SourceError::NoKeys) => Err(no_keys(profile)),
        Err(SourceError::Failed(AwsError::SourceCredentials {
            source_name,
            mut detail,
        })) if profile_sets(profile, "login_session").await => {
            detail.push_str(&format!(
                "; the `aws login` session is missing or has expired: run `aws login --profile {profile}`"
            ));
            Err(AwsError::SourceCredentials { source_name, detail })
        }
        Err(SourceError::Failed(e)) => Err(e),
    }
}

/// A source profile without keys: where they were looked for.
fn no_keys(profile: &str) -> AwsError {
    let file = aws_credentials_path();
    let shown = file.as_ref().map_or_else(
        || "no credentials file".to_owned(),
        |f| format!("\"{}\"", f.display()),
    );
    let missing = if file.is_some_and(|f| !f.exists()) {
        ", which does not exist"
    } else {
        ""
    };
    AwsError::SourceCredentials {
        source_name: format!("profile \"{profile}\""),
        detail: format!(
            "it has no aws_access_key_id, neither in the AWS config nor in the credentials file {shown}{missing}; \
             add its keys (aws configure --profile {profile}), or point AWS_SHARED_CREDENTIALS_FILE at the file \
             that has them"
        ),
    }
}

/// Whether getting `source`'s credentials would run a program: a profile
/// with `credential_process` (which aws-config would run).
pub async fn runs_a_command(source: &CredentialSource) -> bool {
    matches!(source, CredentialSource::Profile(profile) if profile_sets(profile, "credential_process").await)
}
