//! The engine's federated first hops: a role assumed with an identity
//! provider's proof (an OIDC token, a SAML assertion) instead of AWS credentials.
//!
//! Caching, locking and chaining stay in `resolve.rs`; this file only turns the
//! proof into a session.

use super::{Engine, new_session};
use crate::aws::{AssumeRoleInput, Sts};
use crate::config::{SamlSource, TokenSource};
use crate::domain::SessionDuration;
use crate::inventory::RoleSpec;
use crate::session::prompt::MfaPrompter;
use crate::session::saml_assertion::{assertion_for, held_assertion};
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
        if let TokenSource::Process(_) = token {
            self.may_run(|| format!("a web identity token from {} \"{}\"", token.key(), token.value()))?;
        }
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

    /// `AssumeRoleWithSAML` for `spec` with an assertion of `saml`: the one
    /// this process holds while it is valid, else a new one from its command
    /// (always a new one when the user asked to refresh, so `r` re-signs in).
    pub(super) async fn saml(
        &self,
        label: &str,
        spec: &RoleSpec,
        saml: &SamlSource,
        input: &AssumeRoleInput<'_>,
        refresh: bool,
    ) -> Result<Session, SessionError> {
        self.note(&format!(
            "{label}: getting a SAML assertion from [saml.{}]",
            saml.name
        ));
        let assertion = if self.quiet {
            held_assertion(saml, self.clock.now()).await.ok_or_else(|| {
                SessionError::NeedsUser(format!(
                    "a SAML assertion from [saml.{}] assertion_process",
                    crate::domain::clean_text(&saml.name)
                ))
            })?
        } else {
            assertion_for(saml, self.clock.now(), &saml.cache_dir, refresh).await?
        };
        let Some(granted) = assertion.facts.roles.iter().find(|r| r.role_arn == spec.role_arn) else {
            return Err(SessionError::SamlAssertion(format!(
                "the assertion of [saml.{}] no longer grants {}; `hats ls` now lists the roles it grants",
                saml.name, spec.role_arn
            )));
        };
        let mut duration = input.duration;
        if let Some(cap) = assertion.facts.session_duration.map(SessionDuration::from_secs)
            && duration > cap
        {
            self.note(&format!(
                "{label}: the assertion allows sessions of at most {cap}; using {cap} instead of {duration}"
            ));
            duration = cap.max(SessionDuration::MIN);
        }
        let input = AssumeRoleInput { duration, ..*input };
        self.note(&format!(
            "{label}: AssumeRoleWithSAML {} with {} for {duration}",
            spec.role_arn, granted.principal_arn
        ));
        if input.policy.is_some() {
            self.note(&format!("{label}: scoped down by a session policy"));
        }
        let issued = Sts::unsigned(&self.request.region)
            .assume_role_with_saml(&input, &granted.principal_arn, &assertion.text)
            .await?;
        Ok(new_session(issued))
    }
}
