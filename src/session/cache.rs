//! The session cache: secrets in the keyring, expiry in the index, one lock per key.
//!
//! All keyring and file work runs on blocking threads, off the async runtime.
//! A keyring entry that does not read back as a plausible session is discarded
//! (with a notice), never handed out and never a crash. How much life a cached
//! session has left is decided here, from the expiration STS returned and the
//! clocks (see [`Lookup::left`]).

use super::index::{IndexEntry, IndexFile};
use super::lock::{KeyLock, lock_refresh};
use super::{Session, SessionError};
use crate::clock::{BootStamp, Clock};
use crate::domain::Credentials;
use crate::keyring::{SecretStore, StoreError};
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The longest session STS issues (36 h, `GetSessionToken`), plus a minute of clock skew:
/// an entry claiming more was not written by hats.
const LONGEST_SESSION_SECS: i64 = 36 * 3600 + 60;

/// What is stored in the keyring for one session. Transient: built and dropped at once.
#[derive(Serialize, Deserialize)]
struct Payload {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiration: Timestamp,
    assumed_arn: Option<String>,
    /// The wall clock when the session was stored (absent in entries of older hats).
    #[serde(default)]
    stored_at: Option<Timestamp>,
    /// The boot clock when the session was stored.
    #[serde(default)]
    stored_boot: Option<BootStamp>,
}

/// A cached session and how long it can still be trusted.
pub struct Lookup {
    pub session: Session,
    /// Seconds left: the least of what the wall clock and, within the boot that
    /// stored it, the boot clock say. Zero or less when it must not be used.
    pub left: i64,
}

/// Where notices for the user go: printed (commands) or kept for the caller (the switcher).
#[derive(Clone)]
enum Notices {
    Print,
    Keep(Arc<Mutex<Vec<String>>>),
}

/// Cached sessions.
#[derive(Clone)]
pub struct Cache {
    store: Arc<dyn SecretStore>,
    index: IndexFile,
    notices: Notices,
}

impl Cache {
    /// A cache keeping secrets in `store` and its index in `index`; notices are kept
    /// for [`Cache::take_notices`].
    pub fn new(store: Arc<dyn SecretStore>, index: IndexFile) -> Self {
        Self {
            store,
            index,
            notices: Notices::Keep(Arc::default()),
        }
    }

    /// The same cache, printing notices on stderr as they happen (for commands).
    #[must_use]
    pub fn printing_notices(mut self) -> Self {
        self.notices = Notices::Print;
        self
    }

    /// Tells the user something went wrong but was handled (a corrupt entry
    /// discarded, an old session kept). Never pass secrets.
    pub fn notice(&self, text: &str) {
        match &self.notices {
            // Not eprintln!, which panics when stderr is closed.
            Notices::Print => {
                let _ = writeln!(std::io::stderr(), "hats: {text}");
            }
            Notices::Keep(kept) => kept
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(text.to_owned()),
        }
    }

    /// Notices kept since the last call.
    pub fn take_notices(&self) -> Vec<String> {
        match &self.notices {
            Notices::Print => Vec::new(),
            Notices::Keep(kept) => {
                std::mem::take(&mut *kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
            }
        }
    }

    /// The store's name.
    pub fn store_name(&self) -> &'static str {
        self.store.name()
    }

    /// The keyring the sessions are kept in (long-term keys are filed beside them).
    pub fn store(&self) -> &Arc<dyn SecretStore> {
        &self.store
    }

    /// The session stored under `key` and its trusted life left; a corrupt entry
    /// is deleted, reported, and treated as absent.
    pub async fn get(&self, key: &str, clock: Clock) -> Result<Option<Lookup>, SessionError> {
        let (store, owned_key) = (self.store.clone(), key.to_owned());
        let (now, boot) = (clock.now(), clock.boot());
        let read = blocking(move || {
            let Some(secret) = store.get(&owned_key)? else {
                return Ok(None);
            };
            let checked = serde_json::from_str::<Payload>(secret.expose_secret())
                .map_err(|e| unreadable(&e))
                .and_then(|p| plausible(p, now));
            if checked.is_err() {
                store.delete(&owned_key)?;
            }
            Ok(Some(checked.map(|p| lookup(p, now, boot.as_ref()))))
        })
        .await?;
        match read {
            None => Ok(None),
            Some(Ok(found)) => Ok(Some(found)),
            Some(Err(why)) => {
                self.notice(&format!(
                    "discarded a corrupt cached session \"{key}\" from the {} keyring ({why}); getting a new one",
                    self.store.name()
                ));
                Ok(None)
            }
        }
    }

    /// A secret that is not a session (an Identity Center token) stored under `key`.
    pub async fn secret(&self, key: &str) -> Result<Option<SecretString>, SessionError> {
        let (store, key) = (self.store.clone(), key.to_owned());
        blocking(move || Ok(store.get(&key)?)).await
    }

    /// Stores a secret that is not a session under `key` (not in the index: it has no expiry to show).
    pub async fn set_secret(&self, key: &str, value: SecretString) -> Result<(), SessionError> {
        let (store, key) = (self.store.clone(), key.to_owned());
        blocking(move || Ok(store.set(&key, &value)?)).await
    }

    /// Removes the secret under `key`, if any.
    pub async fn delete_secret(&self, key: &str) -> Result<(), SessionError> {
        let (store, key) = (self.store.clone(), key.to_owned());
        blocking(move || Ok(store.delete(&key)?)).await
    }

    /// Stores `session` under `key` and records it in the index; prunes expired entries.
    pub async fn put(
        &self,
        key: &str,
        entry: IndexEntry,
        session: &Session,
        clock: Clock,
    ) -> Result<(), SessionError> {
        let now = clock.now();
        let secret = encode(session, now, clock.boot());
        self.notice_damage();
        let (store, index, key) = (self.store.clone(), self.index.clone(), key.to_owned());
        blocking(move || {
            store.set(&key, &secret)?;
            crate::test_hooks::abort_point(crate::test_hooks::KEYRING_WRITE);
            let expired = index
                .update(|idx| {
                    idx.sessions.insert(key, entry);
                    let expired: Vec<String> = idx
                        .sessions
                        .iter()
                        .filter(|(_, e)| e.expires <= now)
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in &expired {
                        idx.sessions.remove(k);
                    }
                    expired
                })
                .map_err(|e| SessionError::cache_io(&e))?;
            for k in expired {
                store.delete(&k)?;
            }
            Ok(())
        })
        .await
    }

    /// Puts `key` back in the index when a session found in the keyring is
    /// missing there (the index was deleted, or another hats wrote the session
    /// without it), so `hats ls` and the switcher show the session in use.
    /// Best effort: the hand-out does not depend on it, so a failure is a notice.
    pub async fn ensure_indexed(&self, key: &str, entry: IndexEntry) {
        if self.index.read().sessions.get(key) == Some(&entry) {
            return;
        }
        self.notice_damage();
        let (index, owned_key) = (self.index.clone(), key.to_owned());
        let written = blocking(move || {
            index
                .update(|idx| {
                    idx.sessions.insert(owned_key, entry);
                })
                .map_err(|e| SessionError::cache_io(&e))
        })
        .await;
        if let Err(e) = written {
            self.notice(&format!("could not record \"{key}\" in the session index: {e}"));
        }
    }

    /// Says so when the index about to be rewritten was damaged: its unreadable entries go.
    fn notice_damage(&self) {
        if let Some(problem) = self.index.problem() {
            self.notice(&format!(
                "the session index {} was damaged ({problem}); rebuilt it from its readable entries",
                self.index.path().display()
            ));
        }
    }

    /// Removes the given keys from keyring and index; returns how many were in the index.
    pub async fn remove(&self, keys: Vec<String>) -> Result<usize, SessionError> {
        let (store, index) = (self.store.clone(), self.index.clone());
        blocking(move || {
            for key in &keys {
                store.delete(key)?;
            }
            index
                .update(|idx| keys.iter().filter(|k| idx.sessions.remove(*k).is_some()).count())
                .map_err(|e| SessionError::cache_io(&e))
        })
        .await
    }

    /// Waits for the cross-process refresh lock of `key`; the wait is bounded
    /// (see `lock.rs`). Commands say on stderr which hats they wait for; kept
    /// notices (the switcher) would only show it once the wait is over, so none is kept.
    pub async fn lock(&self, key: &str) -> Result<KeyLock, SessionError> {
        let (dir, key, cache) = (self.index.lock_dir().to_owned(), key.to_owned(), self.clone());
        let live = matches!(self.notices, Notices::Print);
        blocking(move || {
            Ok(lock_refresh(&dir, &key, |line| {
                if live {
                    cache.notice(line);
                }
            })?)
        })
        .await
    }
}

/// The keyring entry for `session`, stored at `now`.
pub(crate) fn encode(session: &Session, now: Timestamp, boot: Option<BootStamp>) -> SecretString {
    let payload = Payload {
        access_key_id: session.credentials.access_key_id.clone(),
        secret_access_key: session.credentials.secret_access_key().to_owned(),
        session_token: session.credentials.session_token().map(str::to_owned),
        expiration: session.expiration,
        assumed_arn: session.assumed_arn.clone(),
        stored_at: Some(now),
        stored_boot: boot,
    };
    SecretString::from(serde_json::to_string(&payload).expect("plain data serializes"))
}

/// Why an entry does not parse, by kind only: serde's messages quote the input, which is secret.
fn unreadable(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Syntax => "not JSON".into(),
        serde_json::error::Category::Eof => "cut short".into(),
        serde_json::error::Category::Data => "missing or mistyped fields".into(),
        serde_json::error::Category::Io => "unreadable".into(),
    }
}

/// Refuses entries hats cannot have written: empty keys, or a lifetime longer than STS gives.
fn plausible(p: Payload, now: Timestamp) -> Result<Payload, String> {
    let key_ok = !p.access_key_id.is_empty() && p.access_key_id.bytes().all(|b| b.is_ascii_alphanumeric());
    if !key_ok || p.secret_access_key.is_empty() || p.session_token.as_deref().is_some_and(str::is_empty) {
        return Err("incomplete credentials".into());
    }
    let from = p.stored_at.unwrap_or(now);
    if p.expiration.as_second() - from.as_second() > LONGEST_SESSION_SECS {
        return Err("an expiration further away than any AWS session lasts".into());
    }
    Ok(p)
}

/// Builds the session and decides how long it can be trusted.
///
/// The wall clock alone would let a clock set back revive an expired session.
/// So: a wall clock earlier than when the entry was stored means the clock went
/// back by an unknown amount, and the entry is not trusted; within the boot that
/// stored it, the boot clock (never set back) measures the real time since, and
/// the session's life as it was when stored bounds what is left.
fn lookup(p: Payload, now: Timestamp, boot: Option<&BootStamp>) -> Lookup {
    let by_wall = p.expiration.as_second() - now.as_second();
    let left = match p.stored_at {
        Some(stored) if now < stored => 0,
        Some(stored) => {
            let by_boot = match (p.stored_boot.as_ref(), boot) {
                (Some(then), Some(current)) if then.id == current.id => {
                    let life = p.expiration.as_second() - stored.as_second();
                    life - (current.secs - then.secs).max(0)
                }
                _ => i64::MAX,
            };
            by_wall.min(by_boot)
        }
        None => by_wall,
    };
    Lookup {
        session: Session {
            credentials: Credentials {
                access_key_id: p.access_key_id,
                secret_access_key: p.secret_access_key.into(),
                session_token: p.session_token.map(Into::into),
                expiration: Some(p.expiration),
            },
            expiration: p.expiration,
            assumed_arn: p.assumed_arn,
            from_cache: true,
        },
        left,
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SessionError> + Send + 'static,
) -> Result<T, SessionError> {
    off_thread(work).await
}

/// Runs keyring work on a blocking thread; a panic there is resumed here.
pub(super) async fn off_thread<T: Send + 'static, E: Send + 'static>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, E> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        SessionError::Store(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(stored: i64, expires: i64, boot: Option<BootStamp>) -> Payload {
        Payload {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "s".into(),
            session_token: Some("t".into()),
            expiration: Timestamp::from_second(expires).unwrap(),
            assumed_arn: None,
            stored_at: Some(Timestamp::from_second(stored).unwrap()),
            stored_boot: boot,
        }
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    fn boot(secs: i64) -> BootStamp {
        BootStamp { id: "b".into(), secs }
    }

    #[test]
    fn the_wall_clock_and_the_boot_clock_both_bound_what_is_left() {
        let stored = 1_000_000;
        let p = || payload(stored, stored + 3600, Some(boot(100)));
        // Ten minutes later by both clocks.
        assert_eq!(lookup(p(), at(stored + 600), Some(&boot(700))).left, 3000);
        // The wall clock jumped forward past the expiry.
        assert!(lookup(p(), at(stored + 7200), Some(&boot(700))).left <= 0);
        // Two hours passed, then the wall clock was set back 90 minutes: still expired.
        assert!(lookup(p(), at(stored + 1800), Some(&boot(7300))).left <= 0);
        // Set back before the session was stored: not trusted at all.
        assert_eq!(lookup(p(), at(stored - 60), Some(&boot(700))).left, 0);
        // After a reboot only the wall clock is left.
        let other = BootStamp {
            id: "c".into(),
            secs: 5,
        };
        assert_eq!(lookup(p(), at(stored + 600), Some(&other)).left, 3000);
    }

    #[test]
    fn entries_hats_cannot_have_written_are_refused() {
        let now = at(1_000_000);
        assert!(plausible(payload(1_000_000, 1_003_600, None), now).is_ok());
        let mut empty = payload(1_000_000, 1_003_600, None);
        empty.secret_access_key.clear();
        assert!(plausible(empty, now).is_err());
        assert!(plausible(payload(1_000_000, 1_000_000 + 40 * 3600, None), now).is_err());
        let mut old = payload(0, 1_003_600, None);
        old.stored_at = None;
        assert!(plausible(old, now).is_ok(), "entries of older hats still count");
    }
}
