//! The engine: resolves a target to a session, reusing cached sessions and
//! asking for an MFA code at most once per run.

mod sso;

pub use sso::{find_sso_token, keep_sso_token};

use super::keys::{Shape, role_key, session_name, source_identity, user_key};
use super::long_term::{KeyStore, KeyringKeyError};
use super::plan::plan_role;
use super::prompt::MfaPrompter;
use super::{Cache, Session, SessionError};
use crate::aws::{AssumeRoleInput, Issued, Sts, runs_a_command, source_credentials};
use crate::clock::Clock;
use crate::config::{MfaDevice, Mode, RoleSpec, Settings, Source, Spec, Target};
use crate::domain::{Credentials, MfaCode, MfaSerial, SessionDuration, SessionPolicy, SourceIdentity};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

mod cached;
mod federated;
mod mfa_code;

use mfa_code::Code;

/// What the caller asks for beyond the target itself.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `--duration`.
    pub duration: Option<SessionDuration>,
    /// `--mfa-code`: used for the first MFA step of this run.
    pub mfa_code: Option<MfaCode>,
    /// Region for the STS endpoint.
    pub region: String,
    /// Skip the target's own cached session (its MFA session is still reused).
    pub refresh: bool,
}

/// Resolves targets to sessions for one run.
pub struct Engine<'a, P> {
    settings: &'a Settings,
    clock: Clock,
    cache: Option<&'a Cache>,
    /// Where Identity Center sign-in tokens are kept: the cache's store, also
    /// under `--no-cache` (a token is a sign-in, not a session).
    tokens: Option<&'a Cache>,
    prompter: &'a P,
    request: Request,
    policy: Option<SessionPolicy>,
    given_code: Mutex<Option<MfaCode>>,
    log: &'a (dyn Fn(&str) + Sync),
    /// Whether an explicit `--duration` must be met by a cached session (see [`Want`]).
    duration_is_minimum: bool,
    /// Renew only from what is cached or read silently (see [`Engine::quiet`]).
    quiet: bool,
    /// Whether role and Identity Center sessions go through the cache (see
    /// [`Engine::keeping_sessions`]); MFA sessions always do.
    keeps_sessions: bool,
}

/// How far short of an explicit `--duration` a cached session may fall and still
/// meet it (at least this, else the refresh window): the time since an identical
/// request made it.
const MET_TOLERANCE_SECS: i64 = 60;

/// What a cached session must offer to be handed out instead of a new one.
#[derive(Debug, Clone, Copy, Default)]
struct Want {
    /// Skip the cached session.
    refresh: bool,
    /// An explicit `--duration`: a session with less left cannot meet it.
    at_least: Option<SessionDuration>,
}

impl Want {
    /// Whether a session with `left` seconds meets the explicit duration, if
    /// any. A request made moments ago for the same length still counts as
    /// met: the shortfall may be the refresh window (`window`), or a minute.
    fn met_by(self, left: i64, window: i64) -> bool {
        self.at_least
            .is_none_or(|needed| left >= i64::from(needed.as_secs()) - window.max(MET_TOLERANCE_SECS))
    }
}

type Pending<'s> = Pin<Box<dyn Future<Output = Result<Session, SessionError>> + Send + 's>>;

impl<'a, P: MfaPrompter> Engine<'a, P> {
    /// An engine; `cache` is `None` for `--no-cache` or `HATS_KEYRING=none`; `log` receives `--verbose` lines.
    pub fn new(
        settings: &'a Settings,
        clock: Clock,
        cache: Option<&'a Cache>,
        prompter: &'a P,
        request: Request,
        log: &'a (dyn Fn(&str) + Sync),
    ) -> Self {
        Self {
            settings,
            clock,
            cache,
            tokens: cache,
            prompter,
            given_code: Mutex::new(request.mfa_code.clone()),
            request,
            policy: None,
            log,
            duration_is_minimum: true,
            quiet: false,
            keeps_sessions: true,
        }
    }

    /// With `false` (`--no-cache`), role and Identity Center sessions are made
    /// new and not stored; an MFA session is still reused from the cache (and
    /// a new one stored), so the role session is new without a new MFA code.
    #[must_use]
    pub fn keeping_sessions(mut self, keep: bool) -> Self {
        self.keeps_sessions = keep;
        self
    }

    /// For the prompt hook, which must never ask for anything: no MFA prompt
    /// and no helper command (`mfa_process`, `web_identity_token_process`, a
    /// SAML `assertion_process`, a source profile's `credential_process`). A
    /// session that needs one fails with [`SessionError::NeedsUser`]; cached
    /// sessions, token files and Identity Center tokens (refreshed without the
    /// user) still serve.
    #[must_use]
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Refuses `what` when this engine is quiet.
    fn may_run(&self, what: impl FnOnce() -> String) -> Result<(), SessionError> {
        if self.quiet {
            return Err(SessionError::NeedsUser(what()));
        }
        Ok(())
    }

    /// The credentials of a non-role source. A quiet engine refuses a source
    /// profile whose `credential_process` aws-config would run.
    async fn source_credentials(&self, source: &Source) -> Result<Credentials, SessionError> {
        if let Source::Keyring(profile) = source {
            return self.long_term_key(profile).await;
        }
        if self.quiet && runs_a_command(source).await {
            self.may_run(|| format!("the credential_process of profile \"{}\"", source.describe()))?;
        }
        Ok(source_credentials(source).await?)
    }

    /// The long-term key of a keyring profile, from the keyring the cache (or,
    /// under `--no-cache`, the token store) opened. It only signs hats' own
    /// calls: no hand-out ever carries it.
    async fn long_term_key(&self, profile: &str) -> Result<Credentials, SessionError> {
        let store = self.tokens.ok_or_else(|| KeyringKeyError::NoKeyring {
            profile: profile.to_owned(),
        })?;
        let keys = KeyStore::beside(store.store())?;
        self.note(&format!(
            "{profile}: signing with its long-term key from the {} keyring",
            keys.name()
        ));
        Ok(keys.require(profile).await?.key.credentials())
    }

    /// For renewals of a served command: `--duration` only sets the length of
    /// new sessions, and a cached session is reused while it is fresh, so the
    /// child's periodic requests do not each mint (or prompt for) a new one.
    #[must_use]
    pub fn renewing(mut self) -> Self {
        self.duration_is_minimum = false;
        self
    }

    /// Scopes the target's session down with `policy` (the last hop only; a
    /// chain's inner roles stay unscoped). Role targets only.
    #[must_use]
    pub fn with_policy(mut self, policy: Option<SessionPolicy>) -> Self {
        self.policy = policy.filter(|p| !p.is_empty());
        self
    }

    /// Credentials for `target`, from the cache when fresh enough.
    pub async fn resolve(&self, target: &Target) -> Result<Session, SessionError> {
        match &target.spec {
            Spec::Role(spec) => {
                // One identity for every hop: AWS refuses a chain that changes it.
                let identity = source_identity(spec, self.settings);
                let hop = Hop {
                    label: &target.name,
                    requested: self.request.duration,
                    refresh: self.request.refresh,
                    identity: identity.as_ref(),
                    policy: self.policy.as_ref(),
                };
                self.role(spec, hop).await
            }
            Spec::UserSession { .. } if self.policy.is_some() => Err(SessionError::ScopeNeedsRole {
                target: target.name.clone(),
            }),
            Spec::Sso(_) if self.policy.is_some() => Err(SessionError::ScopeSso {
                target: target.name.clone(),
            }),
            Spec::Sso(sso) => self.sso_role(sso, &target.name, self.request.refresh).await,
            Spec::UserSession {
                profile,
                keys,
                mfa,
                duration,
            } => {
                let wanted = self
                    .request
                    .duration
                    .or(*duration)
                    .unwrap_or(self.settings.mfa_session_duration)
                    .check_range(
                        SessionDuration::MIN,
                        SessionDuration::MAX_MFA_SESSION,
                        "an MFA session",
                    )?;
                let want = Want {
                    refresh: self.request.refresh,
                    at_least: self.minimum(self.request.duration.map(|_| wanted)),
                };
                self.mfa_session(&keys.source(profile), mfa.as_ref(), wanted, want)
                    .await
            }
        }
    }

    fn role<'s>(&'s self, spec: &'s RoleSpec, hop: Hop<'s>) -> Pending<'s> {
        let Hop {
            label,
            requested,
            refresh,
            identity,
            policy,
        } = hop;
        Box::pin(async move {
            let plan = plan_role(spec, requested, self.settings)?;
            if let Some(from) = plan.capped_from {
                self.note(&format!(
                    "{label}: role chaining limits sessions to 1h; using 1h instead of {from}"
                ));
            }
            let session_name = session_name(spec, self.settings)?;
            let shape = Shape {
                session_name: &session_name,
                identity,
                policy,
            };
            let key = role_key(label, spec, plan.mode, shape);
            let want = Want {
                refresh,
                at_least: self.minimum(requested.map(|_| plan.duration)),
            };
            self.cached(&key, label, "role", want, async {
                let input = AssumeRoleInput {
                    role_arn: spec.role_arn.as_str(),
                    session_name: &session_name,
                    duration: plan.duration,
                    external_id: spec.external_id.as_deref(),
                    mfa: None,
                    source_identity: identity,
                    tags: &spec.tags,
                    policy,
                };
                if let Source::WebIdentity(token) = &spec.source {
                    return self.web_identity(label, spec, token, &input).await;
                }
                if let Source::Saml(saml) = &spec.source {
                    return self.saml(label, spec, saml, &input, refresh).await;
                }
                let signing = match (plan.mode, &spec.source, &spec.mfa) {
                    (_, Source::Sso(sso), _) => {
                        self.note(&format!("{label}: role chaining from Identity Center role {}", sso.profile));
                        self.sso_role(sso, &sso.profile, false).await?.credentials
                    }
                    (Mode::MfaSession, source, Some(mfa)) => {
                        self.note(&format!(
                            "{label}: assuming {} from the MFA session for {} (AWS allows at most 1h \
                             from an MFA session; ask for a longer --duration to send the code to AssumeRole)",
                            spec.role_arn, plan.duration
                        ));
                        let wanted = self.settings.mfa_session_duration;
                        self.mfa_session(source, Some(mfa), wanted, Want::default()).await?.credentials
                    }
                    (Mode::Chained, Source::Role(inner), _) => {
                        let inner_label = inner.profile.clone().unwrap_or_else(|| inner.role_arn.to_string());
                        self.note(&format!("{label}: role chaining through {inner_label}"));
                        let inner_hop = Hop {
                            label: &inner_label,
                            requested: None,
                            refresh: false,
                            identity,
                            policy: None,
                        };
                        self.role(inner, inner_hop).await?.credentials
                    }
                    (_, source, _) => self.source_credentials(source).await?,
                };
                let code = self.code_for_assume_role(label, spec, plan.mode).await?;
                self.note(&format!("{label}: AssumeRole {} for {}", spec.role_arn, plan.duration));
                if policy.is_some() {
                    self.note(&format!("{label}: scoped down by a session policy"));
                }
                let issued = self.assume_role_with(&signing, &input, code, spec.mfa.as_ref()).await?;
                Ok(new_session(issued))
            })
            .await
        })
    }

    /// The code sent to `AssumeRole` itself: a long session and a chained role
    /// that demand MFA send one, unless a hop below was authenticated by that
    /// very device (its session carries the MFA context up the chain: "MFA once").
    async fn code_for_assume_role(
        &self,
        label: &str,
        spec: &RoleSpec,
        mode: Mode,
    ) -> Result<Option<Code>, SessionError> {
        match (mode, &spec.mfa) {
            (Mode::Chained, Some(mfa)) if authenticated_below(spec, &mfa.serial) => {
                self.note(&format!(
                    "{label}: {} already authenticated the session below ({}); not asking again",
                    mfa.serial,
                    spec.source.describe()
                ));
                Ok(None)
            }
            (Mode::LongSession | Mode::Chained, Some(mfa)) => Ok(Some(self.code(mfa).await?)),
            _ => Ok(None),
        }
    }

    /// The `GetSessionToken` session of `source`: authenticated by `mfa` when
    /// given (an MFA session, shared by every role of that source and device).
    async fn mfa_session(
        &self,
        source: &Source,
        mfa: Option<&MfaDevice>,
        duration: SessionDuration,
        want: Want,
    ) -> Result<Session, SessionError> {
        let key = user_key(source, mfa.map(|m| &m.serial));
        let kind = if mfa.is_some() { "mfa" } else { "user" };
        self.cached(&key, &source.describe(), kind, want, async {
            let base = self.source_credentials(source).await?;
            let with = mfa.map_or_else(|| "no MFA device".to_owned(), |m| m.serial.to_string());
            let sts = self.sts(&base);
            let Some(mfa) = mfa else {
                self.note(&format!(
                    "GetSessionToken for {} with {with} for {duration}",
                    source.describe()
                ));
                return Ok(new_session(sts.get_session_token(duration, None).await?));
            };
            let code = self.code(mfa).await?;
            self.note(&format!(
                "GetSessionToken for {} with {with} for {duration}",
                source.describe()
            ));
            let issued = self
                .with_code(mfa, code, |code| {
                    let sts = &sts;
                    async move { sts.get_session_token(duration, Some((&mfa.serial, &code))).await }
                })
                .await?;
            Ok(new_session(issued))
        })
        .await
    }

    /// The refresh window in seconds.
    fn window(&self) -> i64 {
        i64::from(self.settings.refresh_window.as_secs())
    }

    /// The minimum an explicit duration sets, unless this engine only renews.
    fn minimum(&self, explicit: Option<SessionDuration>) -> Option<SessionDuration> {
        explicit.filter(|_| self.duration_is_minimum)
    }

    fn sts(&self, signing: &Credentials) -> Sts {
        Sts::new(signing, &self.request.region)
    }

    fn note(&self, line: &str) {
        (self.log)(line);
    }
}

/// One `AssumeRole` step: which role session, and what shapes it.
#[derive(Clone, Copy)]
struct Hop<'s> {
    /// Cache label (target or profile name).
    label: &'s str,
    /// `--duration`, for the outermost hop only.
    requested: Option<SessionDuration>,
    /// Skip the cached session.
    refresh: bool,
    /// `SourceIdentity`, the same on every hop.
    identity: Option<&'s SourceIdentity>,
    /// Scope-down, for the outermost hop only.
    policy: Option<&'s SessionPolicy>,
}

/// Whether some hop below `spec` in its chain was authenticated by `serial`:
/// every hop with an MFA device uses it (for its MFA session, or sending the
/// code to `AssumeRole`), or skipped it because a hop below it had.
fn authenticated_below(spec: &RoleSpec, serial: &MfaSerial) -> bool {
    let mut source = &spec.source;
    while let Source::Role(inner) = source {
        if inner.mfa.as_ref().is_some_and(|m| &m.serial == serial) {
            return true;
        }
        source = &inner.source;
    }
    false
}

fn new_session(issued: Issued) -> Session {
    Session {
        credentials: issued.credentials,
        expiration: issued.expiration,
        assumed_arn: issued.assumed_arn,
        from_cache: false,
    }
}
