//! Gets a SAML assertion for a `[saml.NAME]` source: runs its
//! `assertion_process` (without a shell, bounded in time) only when no assertion
//! held in memory is still valid, checks it, and records the roles it grants
//! (no secrets) in `saml-roles.json` so listings show them without a run.
//!
//! The assertion is a secret: it stays in this process's memory (zeroed when
//! dropped), is reused only while its `NotOnOrAfter` allows, and is never
//! written, logged or quoted in an error.

use super::SessionError;
use super::helper_command::run_bounded;
use crate::config::{DiscoveredRole, DiscoveredSource, SamlSource, load_saml_roles};
use crate::domain::{AssertionFacts, read_assertion};
use crate::fs_private::{create_dir, write_atomic};
use jiff::Timestamp;
use secrecy::SecretString;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// An assertion with less than this left is not reused: the call might reach STS after it expired.
const REUSE_MARGIN_SECS: i64 = 30;

/// How long an identity provider command may take when `HATS_MFA_PROCESS_TIMEOUT`
/// is not set: signing in to an IdP (password, push, browser) takes longer than a code.
const DEFAULT_LIMIT: Duration = Duration::from_secs(180);

/// A checked assertion and what it says.
pub struct Assertion {
    /// The base64 `SAMLResponse`, as the command printed it (trimmed).
    pub text: SecretString,
    /// Its roles, duration and expiry.
    pub facts: AssertionFacts,
}

/// Assertions held by this process, by source; the lock also makes concurrent
/// requests (the switcher's) wait for one run of the command, not start several.
static HELD: tokio::sync::Mutex<Option<HashMap<Vec<String>, Arc<Assertion>>>> =
    tokio::sync::Mutex::const_new(None);

/// Whether an assertion expiring at `not_on_or_after` may still be sent at `now`.
pub fn reusable(not_on_or_after: Option<Timestamp>, now: Timestamp) -> bool {
    not_on_or_after.is_some_and(|at| at.as_second() - now.as_second() > REUSE_MARGIN_SECS)
}

/// An assertion for `source` valid at `now`: the one held in memory, or a new
/// one from its command (`fresh` always runs the command). A new one's roles
/// are written to `saml-roles.json` in `cache_dir`.
pub async fn assertion_for(
    source: &SamlSource,
    now: Timestamp,
    cache_dir: &Path,
    fresh: bool,
) -> Result<Arc<Assertion>, SessionError> {
    let mut held = HELD.lock().await;
    let held = held.get_or_insert_with(HashMap::new);
    let key = held_key(source);
    if !fresh
        && let Some(found) = held.get(&key)
        && reusable(found.facts.not_on_or_after, now)
    {
        return Ok(Arc::clone(found));
    }
    held.remove(&key);
    let assertion = Arc::new(run(source, now).await?);
    remember_roles(cache_dir, &source.name, &assertion.facts, now);
    if reusable(assertion.facts.not_on_or_after, now) {
        held.insert(key, Arc::clone(&assertion));
    }
    Ok(assertion)
}

/// The assertion this process holds for `source`, if it is still valid at
/// `now`; never runs the command (the prompt hook's way).
pub async fn held_assertion(source: &SamlSource, now: Timestamp) -> Option<Arc<Assertion>> {
    let held = HELD.lock().await;
    held.as_ref()?
        .get(&held_key(source))
        .filter(|found| reusable(found.facts.not_on_or_after, now))
        .map(Arc::clone)
}

fn held_key(source: &SamlSource) -> Vec<String> {
    std::iter::once(source.name.clone())
        .chain(source.command.iter().cloned())
        .collect()
}

/// Runs the command and checks what it printed.
async fn run(source: &SamlSource, now: Timestamp) -> Result<Assertion, SessionError> {
    let shown = format!(
        "[saml.{}] assertion_process \"{}\"",
        crate::domain::clean_text(&source.name),
        crate::domain::clean_text(&source.command.join(" "))
    );
    let fail = |detail: String| SessionError::SamlAssertion(format!("{shown} {detail}"));
    let limit = limit_from_env()?;
    let (program, args) = source
        .command
        .split_first()
        .ok_or_else(|| fail("names no program".into()))?;
    let mut command = tokio::process::Command::new(program);
    command.args(args);
    let waiting = format!("{shown} to print the SAML assertion");
    let (status, out) = run_bounded(command, &waiting, limit)
        .await
        .map_err(|e| fail(e.explain("an assertion", limit)))?;
    if !status.success() {
        return Err(fail(format!("failed ({status}); run it on its own to see why")));
    }
    let text = String::from_utf8(out)
        .map_err(|_| fail("printed bytes that are not text, not an assertion".into()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(fail(
            "printed nothing; check that you are signed in to the identity provider".into(),
        ));
    }
    let facts = read_assertion(text).map_err(|e| fail(format!("printed an assertion that {e}")))?;
    facts
        .check_fresh(now)
        .map_err(|e| fail(format!("printed an assertion that {e}")))?;
    Ok(Assertion {
        text: SecretString::from(text.to_owned()),
        facts,
    })
}

/// `HATS_MFA_PROCESS_TIMEOUT` when set (the bound of every helper command), else [`DEFAULT_LIMIT`].
fn limit_from_env() -> Result<Duration, SessionError> {
    if std::env::var_os("HATS_MFA_PROCESS_TIMEOUT").is_some_and(|v| !v.is_empty()) {
        return Ok(super::mfa_process::timeout_from_env()?);
    }
    Ok(DEFAULT_LIMIT)
}

/// Records the roles `facts` grants as `source`'s discovered roles. A failure to
/// write only means the listing stays as it was, so it is not an error.
fn remember_roles(cache_dir: &Path, source: &str, facts: &AssertionFacts, now: Timestamp) {
    let mut all = load_saml_roles(cache_dir);
    let discovered = DiscoveredSource {
        fetched_at: now,
        session_duration: facts.session_duration,
        roles: facts
            .roles
            .iter()
            .map(|r| DiscoveredRole {
                role_arn: r.role_arn.to_string(),
                principal_arn: r.principal_arn.clone(),
            })
            .collect(),
    };
    if all
        .get(source)
        .is_some_and(|d| d.roles == discovered.roles && d.session_duration == discovered.session_duration)
    {
        return;
    }
    all.insert(source.to_owned(), discovered);
    if let Ok(bytes) = serde_json::to_vec_pretty(&all) {
        let _ = create_dir(cache_dir)
            .and_then(|()| write_atomic(&crate::config::saml_roles_path(cache_dir), &bytes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assertion_is_reused_only_well_before_its_not_on_or_after() {
        let now: Timestamp = "2026-01-01T10:00:00Z".parse().unwrap();
        let at = |s: &str| Some(s.parse::<Timestamp>().unwrap());
        assert!(reusable(at("2026-01-01T10:05:00Z"), now));
        assert!(!reusable(at("2026-01-01T10:00:20Z"), now), "too close to expiry");
        assert!(!reusable(at("2026-01-01T09:59:00Z"), now), "expired");
        assert!(!reusable(None, now), "no expiry: cannot tell, so not reused");
    }
}
