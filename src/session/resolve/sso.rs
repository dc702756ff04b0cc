//! The Identity Center source: a role's credentials from the portal
//! (`GetRoleCredentials`), cached like every role session, signed by the
//! sign-in token of its sso-session.
//!
//! The token comes from the keyring, else the AWS CLI's cache; one that is about
//! to expire is refreshed with its refresh token (under the token's lock, since
//! refresh tokens are good once). This module never signs in: without a usable
//! token it fails at once with "run hats sso login", so hats never waits on a
//! terminal that is not there.

use super::{Engine, Pending, Want, new_session};
use crate::aws::{AwsError, Grant, Oidc, Portal};
use crate::config::{Settings, SsoRole, SsoSession};
use crate::session::sso_token::{SsoToken, read_cli_cache_async, token_key, write_cli_cache};
use crate::session::{Cache, MfaPrompter, Session, SessionError, sso_key};
use secrecy::ExposeSecret;

/// A token with less than this left is refreshed first when it can be (the AWS CLI's window).
const REFRESH_AHEAD_SECS: i64 = 15 * 60;
/// A token with less than this left is not used at all: a request could outlive it.
const USABLE_SECS: i64 = 60;

impl<P: MfaPrompter> Engine<'_, P> {
    /// The credentials of Identity Center role `sso`, cached under `label`.
    /// Boxed, as `role` is: the two call each other's futures for chains.
    pub(super) fn sso_role<'s>(&'s self, sso: &'s SsoRole, label: &'s str, refresh: bool) -> Pending<'s> {
        Box::pin(self.sso_role_inner(sso, label, refresh))
    }

    async fn sso_role_inner(
        &self,
        sso: &SsoRole,
        label: &str,
        refresh: bool,
    ) -> Result<Session, SessionError> {
        let key = sso_key(label, sso);
        let want = Want {
            refresh,
            at_least: None,
        };
        self.cached(&key, label, "sso", want, async {
            let session = &sso.session;
            let token = self.sso_token(session).await?;
            let portal = Portal::new(&session.region);
            let account = sso.account_id.as_str();
            self.note(&format!(
                "{label}: GetRoleCredentials {}/{} from {}",
                account,
                sso.role_name,
                session.key()
            ));
            match portal
                .role_credentials(&token.access_token, account, &sso.role_name)
                .await
            {
                Ok(issued) => Ok(new_session(issued)),
                Err(AwsError::SsoSignedOut) => {
                    // Revoked or signed out elsewhere: the token is of no more use. One
                    // refresh may still work (a new access token); otherwise sign in again.
                    self.note(&format!(
                        "{label}: the portal refused the token of {}",
                        session.key()
                    ));
                    let renewed = self.replace_refused_token(session, token).await?;
                    portal
                        .role_credentials(&renewed.access_token, account, &sso.role_name)
                        .await
                        .map(new_session)
                        .map_err(|e| match e {
                            AwsError::SsoSignedOut => signed_out(session, "the portal refused the token"),
                            other => other.into(),
                        })
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// A usable sign-in token of `session`: the keyring's, else the AWS CLI's,
    /// refreshed first when it is close to expiring and can be.
    pub(crate) async fn sso_token(&self, session: &SsoSession) -> Result<SsoToken, SessionError> {
        let now = self.clock.now();
        let (found, problem) = self.stored_token(session).await?;
        match found {
            Some(token) if token.left(now) > REFRESH_AHEAD_SECS || !token.refreshable(now) => {
                if token.left(now) > USABLE_SECS {
                    return Ok(token);
                }
                Err(signed_out(session, "the sign-in has expired"))
            }
            Some(_) => self.refresh_token(session).await,
            None => Err(signed_out(
                session,
                match problem {
                    Some(problem) => format!("no sign-in token in the keyring, and {problem}"),
                    None => "no sign-in token in the keyring or the AWS CLI's cache".to_owned(),
                },
            )),
        }
    }

    /// The keyring's token when it is usable, else the AWS CLI's (hats' own
    /// first); with why the AWS CLI's file gave none when it exists.
    async fn stored_token(
        &self,
        session: &SsoSession,
    ) -> Result<(Option<SsoToken>, Option<String>), SessionError> {
        let now = self.clock.now();
        let ours = kept_token(self.tokens, session).await?;
        if ours
            .as_ref()
            .is_some_and(|t| t.left(now) > USABLE_SECS || t.refreshable(now))
        {
            return Ok((ours, None));
        }
        let theirs = read_cli_cache_async(session).await;
        if theirs.token.is_some() {
            self.note(&format!("{}: using the AWS CLI's sign-in", session.key()));
        }
        if let Some(problem) = &theirs.problem {
            self.note(&format!("{}: {problem}", session.key()));
        }
        Ok((theirs.token.or(ours), theirs.problem))
    }

    /// Refreshes `session`'s token under its lock; another hats may have just done it.
    async fn refresh_token(&self, session: &SsoSession) -> Result<SsoToken, SessionError> {
        let key = token_key(session);
        let _lock = match self.tokens {
            Some(cache) => Some(cache.lock(&key).await?),
            None => None,
        };
        let now = self.clock.now();
        let token = self
            .stored_token(session)
            .await?
            .0
            .ok_or_else(|| signed_out(session, "no sign-in token"))?;
        if token.left(now) > REFRESH_AHEAD_SECS || !token.refreshable(now) {
            return match token.left(now) > USABLE_SECS {
                true => Ok(token),
                false => Err(signed_out(session, "the sign-in has expired")),
            };
        }
        match self.refreshed(session, &token).await {
            Ok(fresh) => Ok(fresh),
            Err(e) if token.left(now) > USABLE_SECS => {
                self.note(&format!(
                    "{}: refresh failed ({e}); using the current token",
                    session.key()
                ));
                Ok(token)
            }
            Err(_) => Err(signed_out(
                session,
                "the sign-in has expired and could not be refreshed",
            )),
        }
    }

    /// After the portal refused `token`: forgets it, then refreshes once if it can.
    async fn replace_refused_token(
        &self,
        session: &SsoSession,
        token: SsoToken,
    ) -> Result<SsoToken, SessionError> {
        if let Some(cache) = self.tokens {
            cache.delete_secret(&token_key(session)).await?;
        }
        if !token.refreshable(self.clock.now()) {
            return Err(signed_out(session, "the portal refused the token"));
        }
        self.refreshed(session, &token).await.map_err(|_| {
            signed_out(
                session,
                "the portal refused the token and it could not be refreshed",
            )
        })
    }

    /// `CreateToken` with the refresh token; stores the result.
    async fn refreshed(&self, session: &SsoSession, token: &SsoToken) -> Result<SsoToken, SessionError> {
        let (Some(refresh), Some(registration)) = (&token.refresh_token, &token.registration) else {
            return Err(signed_out(session, "the token has no refresh token"));
        };
        self.note(&format!("{}: refreshing the sign-in token", session.key()));
        let grant = Oidc::new(&session.region)
            .create_token(registration, Grant::RefreshToken(refresh))
            .await
            .map_err(|e| {
                self.note(&format!("{}: refresh refused: {e}", session.key()));
                signed_out(session, "the refresh token was refused")
            })?;
        let fresh = SsoToken {
            start_url: session.start_url.clone(),
            region: session.region.clone(),
            access_token: grant.access_token,
            expires_at: self.clock.now() + jiff::SignedDuration::from_secs(grant.expires_in),
            // Refresh tokens may rotate; keep the old one when none came back.
            refresh_token: grant.refresh_token.or_else(|| token.refresh_token.clone()),
            registration: token.registration.clone(),
        };
        self.store_token(session, &fresh).await?;
        Ok(fresh)
    }

    /// Keeps `token` in the keyring and, when shared, in the AWS CLI's cache.
    async fn store_token(&self, session: &SsoSession, token: &SsoToken) -> Result<(), SessionError> {
        keep_sso_token(self.tokens, self.settings, session, token).await
    }
}

/// Keeps `token` of `session` in the keyring (`sso/<session>`) and, when the user
/// shares sign-ins with the AWS CLI, in the CLI's cache file too.
pub async fn keep_sso_token(
    cache: Option<&Cache>,
    settings: &Settings,
    session: &SsoSession,
    token: &SsoToken,
) -> Result<(), SessionError> {
    if let Some(cache) = cache {
        cache.set_secret(&token_key(session), token.to_json()).await?;
    }
    if settings.sso_share_with_aws_cli {
        let (session, token) = (session.clone(), token.clone());
        tokio::task::spawn_blocking(move || write_cli_cache(&session, &token))
            .await
            .map_err(|e| SessionError::CacheIo(e.to_string()))?
            .map_err(|e| SessionError::CacheIo(format!("the AWS CLI's token cache: {e}")))?;
    }
    Ok(())
}

/// The token the keyring keeps for `session` (`sso/<session>`), if it is one
/// for the session's start URL.
pub async fn kept_token(
    cache: Option<&Cache>,
    session: &SsoSession,
) -> Result<Option<SsoToken>, SessionError> {
    let Some(cache) = cache else {
        return Ok(None);
    };
    Ok(cache
        .secret(&token_key(session))
        .await?
        .and_then(|s| SsoToken::from_json(s.expose_secret()))
        .filter(|t| t.start_url == session.start_url))
}

fn signed_out(session: &SsoSession, why: impl Into<String>) -> SessionError {
    SessionError::SsoSignIn {
        session: session.key().to_owned(),
        why: why.into(),
    }
}
