//! Credentials for every target of a fan-out, through the one engine.
//!
//! "MFA once": targets that start from the same MFA device or Identity Center
//! sign-in form a group; one target of each group is resolved first, alone
//! (its code is asked, its MFA session cached), and only then the rest in
//! parallel, which find that session cached. When the first step itself fails
//! (no code, not signed in), the group's other targets fail with that error
//! instead of asking again. Throttling is retried with jittered backoff. A
//! target is resolved once, whatever the number of its regions.
//!
//! It never prints and never signs in: errors come back as one line per target.

use crate::aws::AwsError;
use crate::config::Settings;
use crate::context::sts_region;
use crate::domain::MfaCode;
use crate::inventory::Target;
use crate::session::{Cache, Engine, MfaPrompter, Request, Session, SessionError};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Attempts of one target's resolution while AWS throttles it.
const THROTTLED_ATTEMPTS: u32 = 6;
/// The first pause after throttling; it doubles (with jitter) up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// One target's credentials, or why there are none (one line).
pub type Resolved = Result<Session, String>;

/// Engines (one per STS region), each target's resolution, and the groups' first errors.
pub struct Sessions<'a, P> {
    engines: Vec<(String, Engine<'a, P>)>,
    cells: HashMap<*const Target, OnceCell<Resolved>>,
    groups: HashMap<*const Target, String>,
    poisoned: std::cell::RefCell<HashMap<String, String>>,
}

/// What the engines share: the same as one hand-out's, for many targets.
pub struct EngineParts<'a, P> {
    /// Resolved defaults.
    pub settings: &'a Settings,
    pub clock: crate::clock::Clock,
    /// The session cache (`None`: no keyring).
    pub cache: Option<&'a Cache>,
    /// Who asks for MFA codes.
    pub prompter: &'a P,
    /// `--mfa-code`, for the first group that needs one.
    pub mfa_code: Option<MfaCode>,
    /// `--verbose` lines.
    pub log: &'a (dyn Fn(&str) + Sync),
}

impl<'a, P: MfaPrompter> Sessions<'a, P> {
    /// Ready to resolve `targets`.
    pub fn new(parts: EngineParts<'a, P>, targets: &[&'a Target]) -> Self {
        let mut engines: Vec<(String, Engine<'a, P>)> = Vec::new();
        let mut code = parts.mfa_code;
        for target in targets {
            let region = sts_region(target, None);
            if engines.iter().any(|(r, _)| *r == region) {
                continue;
            }
            let request = Request {
                mfa_code: code.take(),
                region: region.clone(),
                ..Request::default()
            };
            let engine = Engine::new(
                parts.settings,
                parts.clock,
                parts.cache,
                parts.prompter,
                request,
                parts.log,
            );
            engines.push((region, engine));
        }
        let cells = targets
            .iter()
            .map(|t| (std::ptr::from_ref(*t), OnceCell::new()))
            .collect();
        let groups = targets
            .iter()
            .filter_map(|t| group_of(t).map(|g| (std::ptr::from_ref(*t), g)))
            .collect();
        Self {
            engines,
            cells,
            groups,
            poisoned: std::cell::RefCell::default(),
        }
    }

    /// Resolves the first target of every group, one at a time, so each MFA
    /// code or sign-in is asked once. `targets` in selection order.
    pub async fn warm_up(&self, targets: &[&'a Target]) {
        let mut seen: Vec<&String> = Vec::new();
        for target in targets {
            let Some(group) = self.groups.get(&std::ptr::from_ref(*target)) else {
                continue;
            };
            if seen.contains(&group) {
                continue;
            }
            seen.push(group);
            // The result stays in the target's cell for its jobs.
            let _ = self.get(target).await;
        }
    }

    /// `target`'s credentials, resolved once.
    pub async fn get(&self, target: &Target) -> Resolved {
        let key = std::ptr::from_ref(target);
        let Some(cell) = self.cells.get(&key) else {
            return Err(format!("\"{}\" is not part of this run", target.name));
        };
        cell.get_or_init(|| self.resolve(target)).await.clone()
    }

    async fn resolve(&self, target: &Target) -> Resolved {
        let group = self.groups.get(&std::ptr::from_ref(target));
        if let Some(first) = group.and_then(|g| self.poisoned.borrow().get(g).cloned()) {
            return Err(first);
        }
        let region = sts_region(target, None);
        crate::context::check_partition(target, &region)?;
        let Some((_, engine)) = self.engines.iter().find(|(r, _)| *r == region) else {
            return Err(format!("no engine for region \"{region}\""));
        };
        let mut attempt = 0;
        loop {
            match engine.resolve(target).await {
                Ok(session) => return Ok(session),
                Err(e) if throttled(&e) && attempt + 1 < THROTTLED_ATTEMPTS => {
                    tokio::time::sleep(backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => {
                    let line = e.to_string();
                    if let Some(group) = group.filter(|_| first_step_failed(&e)) {
                        self.poisoned
                            .borrow_mut()
                            .entry(group.clone())
                            .or_insert_with(|| line.clone());
                    }
                    return Err(line);
                }
            }
        }
    }
}

/// The first step `target` shares with others: its MFA device or its Identity Center sign-in.
fn group_of(target: &Target) -> Option<String> {
    if let Some(mfa) = target.mfa_device() {
        return Some(format!("mfa {}", mfa.serial));
    }
    target.sso_session().map(|s| format!("sso {}", s.key()))
}

/// Whether the error is about the step a group shares (the code, the sign-in,
/// the source's keys), so the group's other targets would fail the same way.
fn first_step_failed(e: &SessionError) -> bool {
    match e {
        SessionError::Mfa(_)
        | SessionError::SsoSignIn { .. }
        | SessionError::Lock(_)
        | SessionError::NeedsUser(_) => true,
        SessionError::Aws(aws) => matches!(
            aws,
            AwsError::AccessDenied {
                action: "GetSessionToken",
                ..
            } | AwsError::ExpiredSource { .. }
                | AwsError::InvalidSource { .. }
                | AwsError::SourceCredentials { .. }
                | AwsError::SsoSignedOut
        ),
        _ => false,
    }
}

/// Whether AWS asked hats to slow down.
fn throttled(e: &SessionError) -> bool {
    let SessionError::Aws(AwsError::Service { code, .. }) = e else {
        return false;
    };
    matches!(
        code.as_str(),
        "Throttling" | "ThrottlingException" | "TooManyRequestsException" | "RequestLimitExceeded"
    )
}

/// The pause before attempt `attempt + 1`: doubling, capped, with up to half of it random.
fn backoff(attempt: u32) -> Duration {
    let full = FIRST_BACKOFF.saturating_mul(1 << attempt.min(8)).min(MAX_BACKOFF);
    let mut byte = [0u8; 1];
    let jitter = getrandom::fill(&mut byte).map_or(0, |()| u32::from(byte[0]));
    full / 2 + full / 2 * jitter / 255
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stays_bounded() {
        for attempt in 0..20 {
            let pause = backoff(attempt);
            let full = FIRST_BACKOFF.saturating_mul(1 << attempt.min(8)).min(MAX_BACKOFF);
            assert!(pause >= full / 2 && pause <= full, "{attempt}: {pause:?}");
        }
        assert_eq!(backoff(30).max(MAX_BACKOFF), MAX_BACKOFF);
    }

    #[test]
    fn only_throttling_codes_are_retried() {
        let service = |code: &str| {
            SessionError::Aws(AwsError::Service {
                service: "STS",
                action: "AssumeRole",
                code: code.into(),
                detail: "slow down".into(),
            })
        };
        assert!(throttled(&service("Throttling")));
        assert!(throttled(&service("TooManyRequestsException")));
        assert!(!throttled(&service("ValidationError")));
        assert!(!throttled(&SessionError::CacheIo("disk".into())));
    }
}
