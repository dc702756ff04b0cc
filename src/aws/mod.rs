//! Calls to AWS: STS (`AssumeRole`, `AssumeRoleWithWebIdentity`, `GetSessionToken`,
//! `GetCallerIdentity`), IAM (a user's own access keys) and
//! the source credentials that sign them.
//!
//! This module knows the SDK; it knows nothing of caching, prompting or output.

mod console;
mod eks_token;
mod error;
mod iam;
mod organizations;
mod saml;
mod source;
mod sso;
mod sso_discovery;
mod sso_oidc;
mod sts;
mod timeouts;
mod web_identity;

pub use console::{encode as percent_encode, login_url, signin_token, signout_then};
pub use eks_token::{EksTokenError, sts_endpoint as eks_sts_endpoint, token as eks_token};
pub use error::AwsError;
pub use iam::{Iam, KeyListing};
pub use organizations::{Progress, discover};
pub use source::{SourceError, ambient_credentials, source_credentials};
pub use sso::Portal;
pub use sso_discovery::{SsoProgress, discover_assignments};
pub use sso_oidc::{DeviceAuthorization, Grant, Oidc, OidcError, Registration, TokenGrant};
pub use sts::{AssumeRoleInput, CallerIdentity, Issued, Sts, endpoint_override};

/// The endpoint the environment configures for one service: its own variable
/// (`AWS_ENDPOINT_URL_STS`), else `AWS_ENDPOINT_URL`, unless
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`; as the SDKs read them.
fn configured_endpoint(service_variable: &str) -> Option<String> {
    let ignore =
        std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if ignore {
        return None;
    }
    [service_variable, "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// The SDK's form of credentials that sign a request.
fn sdk_credentials(signing: &crate::domain::Credentials) -> aws_credential_types::Credentials {
    aws_credential_types::Credentials::new(
        signing.access_key_id.clone(),
        signing.secret_access_key().to_owned(),
        signing.session_token().map(str::to_owned),
        None,
        "hats",
    )
}
