//! The engine: resolves a target to a session, reusing cached sessions and
//! asking for an MFA code at most once per run.

mod sso;

pub use sso::{keep_sso_token, kept_token};

use super::base_source::{base_credentials, runs_a_command};
use super::keys::user_key;
use super::long_term::{KeyStore, KeyringKeyError};
use super::prompt::MfaPrompter;
use super::{Cache, Session, SessionError};
use crate::aws::{Issued, Sts};
use crate::clock::Clock;
use crate::config::Settings;
use crate::domain::{CredentialSource, Credentials, MfaCode, SessionDuration, SessionPolicy};
use crate::inventory::{KeysAt, MfaDevice, Spec, Target};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

mod cached;
mod chain;
mod federated;
mod mfa_code;

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

    /// The credentials of a base source. A quiet engine refuses a source
    /// profile whose `credential_process` aws-config would run.
    async fn source_credentials(&self, source: &CredentialSource) -> Result<Credentials, SessionError> {
        if let CredentialSource::Keyring(profile) = source {
            return self.long_term_key(profile).await;
        }
        if self.quiet && runs_a_command(source).await {
            self.may_run(|| format!("the credential_process of profile \"{}\"", source.describe()))?;
        }
        Ok(base_credentials(source).await?)
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
            Spec::Role(chain) => self.chain(chain, &target.name).await,
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
            } => self.user_session(profile, *keys, mfa.as_ref(), *duration).await,
        }
    }

    /// The `GetSessionToken` session of an IAM user's own keys (MFA-authenticated
    /// when the user has a device).
    async fn user_session(
        &self,
        profile: &str,
        keys: KeysAt,
        mfa: Option<&MfaDevice>,
        duration: Option<SessionDuration>,
    ) -> Result<Session, SessionError> {
        let wanted = self
            .request
            .duration
            .or(duration)
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
        self.mfa_session(&keys.source(profile), mfa, wanted, want).await
    }

    /// The `GetSessionToken` session of `source`: authenticated by `mfa` when
    /// given (an MFA session, shared by every role of that source and device).
    async fn mfa_session(
        &self,
        source: &CredentialSource,
        mfa: Option<&MfaDevice>,
        duration: SessionDuration,
        want: Want,
    ) -> Result<Session, SessionError> {
        let key = user_key(source, mfa.map(|m| &m.serial));
        let kind = if mfa.is_some() { "mfa" } else { "user" };
        self.cached(&key, &source.describe(), kind, want, async {
            let base = self.source_credentials(source).await?;
            let sts = self.sts(&base);
            let Some(mfa) = mfa else {
                self.note(&format!(
                    "GetSessionToken for {} with no MFA device for {duration}",
                    source.describe()
                ));
                return Ok(new_session(sts.get_session_token(duration, None).await?));
            };
            let code = self.code(mfa).await?;
            self.note(&format!(
                "GetSessionToken for {} with {} for {duration}",
                source.describe(),
                mfa.serial
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

fn new_session(issued: Issued) -> Session {
    Session {
        credentials: issued.credentials,
        expiration: issued.expiration,
        assumed_arn: issued.assumed_arn,
        from_cache: false,
    }
}
