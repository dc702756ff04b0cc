//! The credentials at the start of a chain that AWS's own providers read
//! (a profile's keys, SSO or `credential_process`; the environment; the
//! instance or container): `aws::source_credentials`, given the AWS files as
//! hats reads them, with advice added when an `aws login` session is what failed.

use crate::aws::{AwsError, source_credentials};
use crate::config::{profile_sets, sdk_profile_files};
use crate::domain::{CredentialSource, Credentials};

/// The credentials of `source`.
pub async fn base_credentials(source: &CredentialSource) -> Result<Credentials, AwsError> {
    let CredentialSource::Profile(profile) = source else {
        return source_credentials(source, None).await;
    };
    // A name the SDK drops from the files as written (`[profile équipe]`) is
    // read from hats' renamed copy, as target building reads it.
    match source_credentials(source, sdk_profile_files(profile)).await {
        Err(AwsError::SourceCredentials {
            source_name,
            mut detail,
        }) if profile_sets(profile, "login_session").await => {
            detail.push_str(&format!(
                "; the `aws login` session is missing or has expired: run `aws login --profile {profile}`"
            ));
            Err(AwsError::SourceCredentials { source_name, detail })
        }
        other => other,
    }
}

/// Whether getting `source`'s credentials would run a program: a profile
/// with `credential_process` (which aws-config would run).
pub async fn runs_a_command(source: &CredentialSource) -> bool {
    matches!(source, CredentialSource::Profile(profile) if profile_sets(profile, "credential_process").await)
}
