//! The engine's federated first hops: a role assumed with an identity
//! provider's proof (an OIDC token) instead of AWS credentials.
//!
//! Caching, locking and chaining stay in `resolve.rs`; this file only turns the
//! proof into a session.

use super::{Engine, new_session};
use crate::aws::{AssumeRoleInput, Sts};
use crate::config::{RoleSpec, TokenSource};
use crate::session::prompt::MfaPrompter;
use crate::session::web_identity_token::read_token;
use crate::session::{Session, SessionError};

impl<P: MfaPrompter> Engine<'_, P> {
    /// `AssumeRoleWithWebIdentity` for `spec` with a token read now from `token`.
    pub(super) async fn web_identity(
        &self,
        label: &str,
        spec: &RoleSpec,
        token: &TokenSource,
        input: &AssumeRoleInput<'_>,
    ) -> Result<Session, SessionError> {
        self.note(&format!(
            "{label}: reading the web identity token from {}",
            token.key()
        ));
        let secret = read_token(token).await?;
        self.note(&format!(
            "{label}: AssumeRoleWithWebIdentity {} for {}",
            spec.role_arn, input.duration
        ));
        if input.policy.is_some() {
            self.note(&format!("{label}: scoped down by a session policy"));
        }
        let issued = Sts::unsigned(&self.request.region)
            .assume_role_with_web_identity(input, &secret)
            .await?;
        Ok(new_session(issued))
    }
}
