//! `AssumeRoleWithWebIdentity`: an OIDC token, not a signature, authenticates the call.
//!
//! The token is a secret: it goes into the request body and nowhere else (not
//! into errors, notes or the index). Requests are retried like any call
//! without a one-time code: an identity provider's token stays valid until it expires.

use super::AwsError;
use super::error::classify;
use super::sts::{AssumeRoleInput, Issued, Sts, attempts, issued, policy_arns};
use secrecy::{ExposeSecret, SecretString};
use std::time::Instant;

impl Sts {
    /// `AssumeRoleWithWebIdentity` with `token`; the session name, duration and
    /// scope-down policy come from `input` (STS takes no external id, tags,
    /// source identity or MFA here: the config refuses them).
    pub async fn assume_role_with_web_identity(
        &self,
        input: &AssumeRoleInput<'_>,
        token: &SecretString,
    ) -> Result<Issued, AwsError> {
        let mut request = self
            .client
            .assume_role_with_web_identity()
            .role_arn(input.role_arn)
            .role_session_name(input.session_name.as_str())
            .duration_seconds(i32::try_from(input.duration.as_secs()).unwrap_or(i32::MAX))
            .web_identity_token(token.expose_secret());
        if let Some(policy) = input.policy {
            request = request
                .set_policy(policy.document.clone())
                .set_policy_arns(policy_arns(policy));
        }
        let started = Instant::now();
        let action = "AssumeRoleWithWebIdentity";
        let output = request
            .customize()
            .config_override(attempts(false))
            .send()
            .await
            .map_err(|e| classify(e, self.call(action, Some(input.role_arn), false, started)))?;
        let assumed_arn = output.assumed_role_user().map(|u| u.arn().to_owned());
        let call = self.call(action, Some(input.role_arn), false, started);
        issued(output.credentials(), assumed_arn, call)
    }
}
