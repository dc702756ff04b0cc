//! Reuse of cached sessions: a lookup, then under the key's lock a second look
//! and a fetch, falling back to a still-working session when renewal fails.
//! It decides nothing about how a session is fetched (the callers pass that in).

use super::{Engine, Want};
use crate::session::index::IndexEntry;
use crate::session::prompt::MfaPrompter;
use crate::session::{Cache, Session, SessionError};
use std::future::Future;

/// A session that is still valid but due for renewal, with its seconds left.
type Stale = Option<(Session, i64)>;

/// The index kind of MFA sessions, which `--no-cache` still reuses.
const MFA_KIND: &str = "mfa";

/// A session with less than this left is not worth handing out when renewal fails.
const FALLBACK_MIN_LEFT_SECS: i64 = 60;

/// Where a session is cached, and how the index describes it.
#[derive(Clone, Copy)]
struct Slot<'k> {
    key: &'k str,
    label: &'k str,
    kind: &'k str,
}

impl<P: MfaPrompter> Engine<'_, P> {
    /// Returns the cached session under `key` if it serves `want`; otherwise
    /// takes the key's lock, looks again (another process may have just fetched
    /// it), then fetches and stores. When renewing a session that still works
    /// fails (the endpoint is down, no code could be asked for), the old session
    /// is used, with a notice: a failed renewal never loses a working session.
    /// An explicit refresh or a `--duration` the old session cannot meet asked
    /// for a new session, so those never fall back.
    pub(super) async fn cached(
        &self,
        key: &str,
        label: &str,
        kind: &str,
        want: Want,
        fetch: impl Future<Output = Result<Session, SessionError>> + Send,
    ) -> Result<Session, SessionError> {
        let Some(cache) = self.cache.filter(|_| self.keeps_sessions || kind == MFA_KIND) else {
            return self.arrived(fetch.await?);
        };
        let slot = Slot { key, label, kind };
        if !want.refresh
            && let Some(session) = self.fresh(cache, slot, want, false).await?.ok()
        {
            return Ok(session);
        }
        let _lock = cache.lock(key).await?;
        let held = match self.fresh(cache, slot, want, true).await? {
            Ok(session) if !want.refresh => return Ok(session),
            Ok(_) => None,
            Err(stale) => stale.filter(|(_, left)| want.met_by(*left, self.window())),
        };
        let session = match fetch.await.and_then(|s| self.arrived(s)) {
            Ok(session) => session,
            Err(e) => {
                return match held.filter(|(_, left)| !want.refresh && *left >= FALLBACK_MIN_LEFT_SECS) {
                    Some((session, left)) => {
                        cache.notice(&format!(
                            "could not renew the session for {label} ({e}); using the cached one, \
                             which expires in {}m{:02}s",
                            left / 60,
                            left % 60
                        ));
                        Ok(session)
                    }
                    None => Err(e),
                };
            }
        };
        cache
            .put(key, index_entry(label, kind, &session), &session, self.clock)
            .await?;
        Ok(session)
    }

    /// The cached session under `key` when it serves `want`: more than the
    /// refresh window left and, for an explicit `--duration`, enough left to
    /// meet it. Otherwise `Err` with the session that still works (if any) and
    /// its seconds left. A session found but missing from the index (deleted,
    /// or written before the index was) is put back, so listings show it.
    /// `say` notes a session that falls short (once per lookup pair, not twice).
    async fn fresh(
        &self,
        cache: &Cache,
        slot: Slot<'_>,
        want: Want,
        say: bool,
    ) -> Result<Result<Session, Stale>, SessionError> {
        let Slot { key, label, kind } = slot;
        let Some(found) = cache.get(key, self.clock).await? else {
            return Ok(Err(None));
        };
        let left = found.left;
        let window = self.window();
        if left <= window {
            return Ok(Err((left > 0).then_some((found.session, left))));
        }
        if let Some(needed) = want.at_least.filter(|_| !want.met_by(left, window)) {
            if say {
                self.note(&format!(
                    "{key}: cached in {}, {left}s left, less than the {needed} asked for; getting a new session",
                    cache.store_name(),
                ));
            }
            return Ok(Err(Some((found.session, left))));
        }
        self.note(&format!("{key}: cached in {}, {left}s left", cache.store_name()));
        cache
            .ensure_indexed(key, index_entry(label, kind, &found.session))
            .await;
        Ok(Ok(found.session))
    }

    /// Refuses a session that has already expired by this machine's clock when
    /// it arrives: caching it would be pointless, handing it out would fail later.
    pub(super) fn arrived(&self, session: Session) -> Result<Session, SessionError> {
        let now = self.clock.now();
        if session.expiration <= now {
            return Err(SessionError::ExpiredOnArrival {
                expiration: session.expiration,
                now,
            });
        }
        Ok(session)
    }
}

fn index_entry(label: &str, kind: &str, session: &Session) -> IndexEntry {
    IndexEntry {
        label: label.to_owned(),
        kind: kind.to_owned(),
        expires: session.expiration,
        arn: session.assumed_arn.clone(),
    }
}
