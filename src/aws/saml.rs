//! `AssumeRoleWithSAML`: an identity provider's assertion, not a signature,
//! authenticates the call.
//!
//! The assertion is a secret: it goes into the request body and nowhere else.
//! STS takes the session name and source identity from the assertion itself,
//! so only the role, the provider, the duration and a scope-down are sent.

use super::AwsError;
use super::error::classify;
use super::sts::{AssumeRoleInput, Issued, Sts, attempts, issued, policy_arns};
use secrecy::{ExposeSecret, SecretString};
use std::time::Instant;

impl Sts {
    /// `AssumeRoleWithSAML` of `input.role_arn` vouched for by `principal_arn`.
    pub async fn assume_role_with_saml(
        &self,
        input: &AssumeRoleInput<'_>,
        principal_arn: &str,
        assertion: &SecretString,
    ) -> Result<Issued, AwsError> {
        let mut request = self
            .client
            .assume_role_with_saml()
            .role_arn(input.role_arn)
            .principal_arn(principal_arn)
            .duration_seconds(i32::try_from(input.duration.as_secs()).unwrap_or(i32::MAX))
            .saml_assertion(assertion.expose_secret());
        if let Some(policy) = input.policy {
            request = request
                .set_policy(policy.document.clone())
                .set_policy_arns(policy_arns(policy));
        }
        let started = Instant::now();
        let action = "AssumeRoleWithSAML";
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
