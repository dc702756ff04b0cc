//! A role chain, resolved hop by hop. A loop makes one future per hop, first
//! to last; each hop's future is the cache step for its session, and it
//! awaits the hop below only when it has to assume its role anew. So a cached
//! role never touches the roles under it, a hop's lock is held while the
//! hops below it renew, and a failed renewal below can still fall back on the
//! hop's own session while it works.

use super::mfa_code::Code;
use super::{Engine, Pending, Want, new_session};
use crate::aws::AssumeRoleInput;
use crate::domain::{CredentialSource, Credentials, MfaSerial, SessionPolicy, SourceIdentity};
use crate::inventory::{Below, Chain, Mode, RoleSpec, Source};
use crate::session::keys::{Shape, role_key, session_name, source_identity};
use crate::session::plan::{Plan, plan_hop};
use crate::session::prompt::MfaPrompter;
use crate::session::{Session, SessionError};

/// One hop: which role session, and what shapes it.
#[derive(Clone)]
struct Hop<'s> {
    chain: &'s Chain,
    /// Its position among the chain's hops.
    index: usize,
    /// Cache label: the target's name for the last hop, else the hop's profile or role ARN.
    label: String,
    /// `--duration`, for the last hop only.
    requested: Option<crate::domain::SessionDuration>,
    /// Skip the cached session (the last hop only).
    refresh: bool,
    /// `SourceIdentity`, the same on every hop: AWS refuses a chain that changes it.
    identity: Option<&'s SourceIdentity>,
    /// Scope-down, for the last hop only.
    policy: Option<&'s SessionPolicy>,
}

impl<P: MfaPrompter> Engine<'_, P> {
    /// The session of `chain`'s own role, cached under `label`.
    pub(super) async fn chain(&self, chain: &Chain, label: &str) -> Result<Session, SessionError> {
        let identity = source_identity(&chain.role, self.settings);
        let last = chain.via.len();
        let mut below: Option<Pending<'_>> = None;
        for (index, spec) in chain.hops().enumerate() {
            let own = index == last;
            let hop = Hop {
                chain,
                index,
                label: if own { label.to_owned() } else { spec.label() },
                requested: self.request.duration.filter(|_| own),
                refresh: own && self.request.refresh,
                identity: identity.as_ref(),
                policy: self.policy.as_ref().filter(|_| own),
            };
            below = Some(self.hop(hop, below));
        }
        below.expect("a chain has its own role").await
    }

    /// The future of one hop: its cached session, else its role assumed with
    /// the credentials of `below` (the hop before it), or of the chain's base.
    fn hop<'s>(&'s self, hop: Hop<'s>, below: Option<Pending<'s>>) -> Pending<'s> {
        Box::pin(async move {
            let (spec, _) = hop.chain.hop(hop.index);
            let plan = plan_hop(hop.chain, hop.index, hop.requested, self.settings)?;
            if let Some(from) = plan.capped_from {
                self.note(&format!(
                    "{}: role chaining limits sessions to 1h; using 1h instead of {from}",
                    hop.label
                ));
            }
            let session_name = session_name(spec, self.settings)?;
            let shape = Shape {
                session_name: &session_name,
                identity: hop.identity,
                policy: hop.policy,
            };
            let key = role_key(&hop.label, hop.chain, hop.index, plan.mode, shape);
            let want = Want {
                refresh: hop.refresh,
                at_least: self.minimum(hop.requested.map(|_| plan.duration)),
            };
            let input = AssumeRoleInput {
                role_arn: spec.role_arn.as_str(),
                session_name: &session_name,
                duration: plan.duration,
                external_id: spec.options.external_id.as_deref(),
                mfa: None,
                source_identity: hop.identity,
                tags: &spec.options.tags,
                policy: hop.policy,
            };
            let fetch = self.assume(&hop, plan, input, below);
            self.cached(&key, &hop.label, "role", want, fetch).await
        })
    }

    /// Assumes the hop's role: with a federated proof when the chain starts
    /// with one, else with the credentials below it.
    async fn assume(
        &self,
        hop: &Hop<'_>,
        plan: Plan,
        input: AssumeRoleInput<'_>,
        below: Option<Pending<'_>>,
    ) -> Result<Session, SessionError> {
        let label = hop.label.as_str();
        let (spec, under) = hop.chain.hop(hop.index);
        let signing = match under {
            Below::Base(Source::WebIdentity(token)) => {
                return self.web_identity(label, spec, token, &input).await;
            }
            Below::Base(Source::Saml(saml)) => {
                return self.saml(label, spec, saml, &input, hop.refresh).await;
            }
            Below::Base(Source::Sso(sso)) => {
                self.note(&format!(
                    "{label}: role chaining from Identity Center role {}",
                    sso.profile
                ));
                self.sso_role(sso, &sso.profile, false).await?.credentials
            }
            Below::Role(inner) => {
                self.note(&format!("{label}: role chaining through {}", inner.label()));
                below
                    .expect("a hop above the first has one below")
                    .await?
                    .credentials
            }
            Below::Base(Source::Credentials(source)) => self.signing(label, spec, plan, source).await?,
        };
        let code = self.code_for_assume_role(hop, spec, plan.mode).await?;
        self.note(&format!(
            "{label}: AssumeRole {} for {}",
            spec.role_arn, plan.duration
        ));
        if input.policy.is_some() {
            self.note(&format!("{label}: scoped down by a session policy"));
        }
        let issued = self
            .assume_role_with(&signing, &input, code, spec.mfa.as_deref())
            .await?;
        Ok(new_session(issued))
    }

    /// What the first hop is assumed with when the chain starts from AWS
    /// credentials: the MFA session of the source and device (one MFA prompt
    /// serves many roles), else the source's own credentials.
    async fn signing(
        &self,
        label: &str,
        spec: &RoleSpec,
        plan: Plan,
        source: &CredentialSource,
    ) -> Result<Credentials, SessionError> {
        match (plan.mode, &spec.mfa) {
            (Mode::MfaSession, Some(mfa)) => {
                self.note(&format!(
                    "{label}: assuming {} from the MFA session for {} (AWS allows at most 1h \
                     from an MFA session; ask for a longer --duration to send the code to AssumeRole)",
                    spec.role_arn, plan.duration
                ));
                let wanted = self.settings.mfa_session_duration;
                Ok(self
                    .mfa_session(source, Some(mfa), wanted, Want::default())
                    .await?
                    .credentials)
            }
            _ => self.source_credentials(source).await,
        }
    }

    /// The code sent to `AssumeRole` itself: a long session and a chained role
    /// that demand MFA send one, unless a hop below was authenticated by that
    /// very device (its session carries the MFA context up the chain: "MFA once").
    async fn code_for_assume_role(
        &self,
        hop: &Hop<'_>,
        spec: &RoleSpec,
        mode: Mode,
    ) -> Result<Option<Code>, SessionError> {
        match (mode, &spec.mfa) {
            (Mode::Chained, Some(mfa)) if authenticated_below(hop.chain, hop.index, &mfa.serial) => {
                let (_, under) = hop.chain.hop(hop.index);
                self.note(&format!(
                    "{}: {} already authenticated the session below ({}); not asking again",
                    hop.label,
                    mfa.serial,
                    under.describe()
                ));
                Ok(None)
            }
            (Mode::LongSession | Mode::Chained, Some(mfa)) => Ok(Some(self.code(mfa).await?)),
            _ => Ok(None),
        }
    }
}

/// Whether a hop below hop `index` of `chain` was authenticated by `serial`:
/// every hop with an MFA device uses it (for its MFA session, or sending the
/// code to `AssumeRole`), or skipped it because a hop below it had.
fn authenticated_below(chain: &Chain, index: usize, serial: &MfaSerial) -> bool {
    chain
        .hops()
        .take(index)
        .any(|hop| hop.mfa.as_ref().is_some_and(|m| &m.serial == serial))
}
