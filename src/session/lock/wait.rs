//! How long a hats waits for another's refresh lock, and what it says meanwhile.
//!
//! The balance between "a person slowly typing a code keeps working" and "a
//! hats stopped with Ctrl-Z at the MFA prompt does not block every other hats
//! forever" rests on a heartbeat: while it holds the lock, the holder rewrites
//! its `.holder` file (pid and a counter) every [`super::BEAT`] from a thread of
//! its own. A person at the prompt does not stop that thread; Ctrl-Z (or a
//! background job stopped on terminal input) stops every thread of the process,
//! so the heartbeat stops with it. A waiter:
//!
//! - says once, after [`TELL_AFTER`], which hats (pid) it waits for: shorter
//!   waits (another hats calling STS) need no word;
//! - gives up when the heartbeat has been silent for [`STOPPED_GRACE`] and the
//!   system says the holder is stopped (Linux: state `T` or `t` in
//!   `/proc/PID/stat`); the heartbeat must agree, so a pid reused by an unrelated
//!   stopped process, or one in another pid namespace, cannot fool it;
//! - gives up when the heartbeat has been silent for [`SILENT_LIMIT`], whatever
//!   the reason (no `/proc`, a holder on another machine sharing the directory);
//! - gives up after [`MAX_WAIT`] even with a live holder: a prompt left alone
//!   that long is abandoned (a code lives 30 s), and nothing should hang on it.
//!
//! Giving up is an error that names the pid and what to do. The holder is never
//! disturbed: it carries on when it is resumed. This module decides only; the
//! file and the clock readings come from `lock.rs`.

use std::time::{Duration, Instant};

/// A wait shorter than this goes unmentioned.
pub const TELL_AFTER: Duration = Duration::from_secs(1);
/// A stopped holder whose heartbeat has been silent this long is given up on.
pub const STOPPED_GRACE: Duration = Duration::from_secs(3);
/// A holder whose heartbeat has been silent this long is given up on, stopped or not.
pub const SILENT_LIMIT: Duration = Duration::from_secs(30);
/// No wait is longer than this, even for a holder that is alive and prompting.
pub const MAX_WAIT: Duration = Duration::from_secs(5 * 60);

/// Why a waiter stopped waiting.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The holder is stopped (Ctrl-Z, or a background job waiting for the terminal).
    #[error(
        "another hats (pid {pid}) is getting {what} but is stopped (Ctrl-Z, or a background job waiting \
         for the terminal); bring it back with `fg` and answer its prompt, or end it with `kill {pid}`, \
         then try again"
    )]
    Stopped {
        /// The holder's process id.
        pid: u32,
        /// What it is getting, e.g. `the session of "prod"`.
        what: String,
    },
    /// The holder's heartbeat stopped.
    #[error(
        "{holder} holds the lock for {what} but has shown no sign of life for {secs}s; \
         if it hangs, end it{kill}, then try again"
    )]
    Silent {
        /// `another hats (pid N)`, or `another hats process`.
        holder: String,
        /// What it is getting.
        what: String,
        /// Seconds without a heartbeat.
        secs: u64,
        /// ` with `kill N`` when the pid is known.
        kill: String,
    },
    /// The holder is alive but has held the lock too long.
    #[error(
        "gave up after {mins}m waiting for {holder}, which is getting {what} and may be waiting for an \
         MFA code; answer or end it, then try again"
    )]
    TooLong {
        /// `another hats (pid N)`, or `another hats process`.
        holder: String,
        /// What it is getting.
        what: String,
        /// Minutes waited.
        mins: u64,
    },
}

/// What the waiter should do after one look at the holder.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Keep waiting quietly.
    Wait,
    /// Keep waiting, and say this once.
    Tell(String),
}

/// One waiter's view of the holder, updated at every poll.
#[derive(Debug)]
pub struct Watch {
    what: String,
    started: Instant,
    told: bool,
    sign: Option<String>,
    last_sign: Instant,
    pid: Option<u32>,
    me: u32,
}

impl Watch {
    /// Starts watching at `now` from process `me`; `what` names what is being
    /// got, e.g. `the session of "prod"`.
    pub fn new(what: String, now: Instant, me: u32) -> Self {
        Self {
            what,
            started: now,
            told: false,
            sign: None,
            last_sign: now,
            pid: None,
            me,
        }
    }

    /// Takes in one reading of the holder's file (`None` when missing) at `now`;
    /// `stopped(pid)` says whether the system reports that process as stopped.
    pub fn observe(
        &mut self,
        now: Instant,
        holder_file: Option<&str>,
        stopped: impl Fn(u32) -> bool,
    ) -> Result<Step, WaitError> {
        let sign = holder_file.map(str::trim).filter(|s| !s.is_empty());
        if let Some(sign) = sign
            && self.sign.as_deref() != Some(sign)
        {
            self.sign = Some(sign.to_owned());
            self.last_sign = now;
            self.pid = sign.split_whitespace().next().and_then(|p| p.parse().ok());
        }
        let silent = now.saturating_duration_since(self.last_sign);
        if let Some(pid) = self.pid
            && silent >= STOPPED_GRACE
            && stopped(pid)
        {
            return Err(WaitError::Stopped {
                pid,
                what: self.what.clone(),
            });
        }
        if silent >= SILENT_LIMIT {
            return Err(WaitError::Silent {
                holder: self.holder(),
                what: self.what.clone(),
                secs: silent.as_secs(),
                kill: self.pid.map(|p| format!(" with `kill {p}`")).unwrap_or_default(),
            });
        }
        let waited = now.saturating_duration_since(self.started);
        if waited >= MAX_WAIT {
            return Err(WaitError::TooLong {
                holder: self.holder(),
                what: self.what.clone(),
                mins: waited.as_secs() / 60,
            });
        }
        // A holder in this very process (two tasks of the switcher or of a served
        // command wanting the same session) is not "another hats": nothing to say.
        if !self.told && waited >= TELL_AFTER && self.pid != Some(self.me) {
            self.told = true;
            return Ok(Step::Tell(format!(
                "waiting for {}, which is getting {} and may be asking for an MFA code",
                self.holder(),
                self.what
            )));
        }
        Ok(Step::Wait)
    }

    fn holder(&self) -> String {
        self.pid.map_or_else(
            || "another hats process".to_owned(),
            |pid| format!("another hats (pid {pid})"),
        )
    }
}

/// What a cache key stands for, for people: `the session of "prod"` for a role
/// key (`role/LABEL/MODE/FINGERPRINT`, where the label may hold slashes),
/// `the MFA session of "base" (DEVICE)` for an MFA key (`mfa/SOURCE/SERIAL`).
pub fn describe_key(key: &str) -> String {
    if let Some(rest) = key.strip_prefix("role/") {
        let mut parts = rest.rsplitn(3, '/');
        if let (Some(_), Some(_), Some(label)) = (parts.next(), parts.next(), parts.next()) {
            return format!("the session of \"{label}\"");
        }
    }
    if let Some(rest) = key.strip_prefix("mfa/") {
        // The device is an ARN (which holds slashes) or a hardware serial (which does not).
        let split = rest.find("/arn:").or_else(|| rest.rfind('/'));
        if let Some(at) = split {
            return format!("the MFA session of \"{}\" ({})", &rest[..at], &rest[at + 1..]);
        }
    }
    if let Some(source) = key.strip_prefix("user/") {
        return format!("the user session of \"{source}\"");
    }
    format!("the session \"{key}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEAT: Duration = Duration::from_secs(1);

    fn watch() -> (Watch, Instant) {
        let start = Instant::now();
        (Watch::new("the session of \"prod\"".into(), start, 1), start)
    }

    fn beat(n: u64) -> String {
        format!("4242 {n}\n")
    }

    #[test]
    fn says_once_which_pid_it_waits_for_after_a_second() {
        let (mut w, t0) = watch();
        assert_eq!(w.observe(t0, Some(&beat(0)), |_| false).unwrap(), Step::Wait);
        let Step::Tell(said) = w.observe(t0 + TELL_AFTER, Some(&beat(1)), |_| false).unwrap() else {
            panic!("nothing said");
        };
        assert_eq!(
            said,
            "waiting for another hats (pid 4242), which is getting the session of \"prod\" and may be \
             asking for an MFA code"
        );
        let later = w.observe(t0 + TELL_AFTER + BEAT, Some(&beat(2)), |_| false);
        assert_eq!(later.unwrap(), Step::Wait, "said once only");
    }

    #[test]
    fn a_live_holder_at_the_prompt_is_waited_for_up_to_the_bound() {
        let (mut w, t0) = watch();
        let mut n = 0;
        let mut now = t0;
        // Reported stopped by the system, yet beating: the heartbeat wins (a reused pid).
        while now < t0 + MAX_WAIT - BEAT {
            assert!(w.observe(now, Some(&beat(n)), |_| true).is_ok(), "{now:?}");
            n += 1;
            now += BEAT;
        }
        let err = w.observe(t0 + MAX_WAIT, Some(&beat(n)), |_| false).unwrap_err();
        assert!(matches!(err, WaitError::TooLong { mins: 5, .. }), "{err}");
        assert!(err.to_string().contains("(pid 4242)"), "{err}");
    }

    #[test]
    fn a_stopped_holder_is_given_up_on_once_its_heartbeat_has_been_silent_a_while() {
        let (mut w, t0) = watch();
        w.observe(t0, Some(&beat(7)), |_| true).unwrap();
        assert!(
            w.observe(t0 + STOPPED_GRACE - BEAT, Some(&beat(7)), |_| true)
                .is_ok()
        );
        let err = w
            .observe(t0 + STOPPED_GRACE, Some(&beat(7)), |pid| pid == 4242)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "another hats (pid 4242) is getting the session of \"prod\" but is stopped (Ctrl-Z, or a \
             background job waiting for the terminal); bring it back with `fg` and answer its prompt, or \
             end it with `kill 4242`, then try again"
        );
    }

    #[test]
    fn a_silent_holder_not_known_to_be_stopped_is_given_up_on_later() {
        let (mut w, t0) = watch();
        w.observe(t0, Some(&beat(7)), |_| false).unwrap();
        assert!(
            w.observe(t0 + SILENT_LIMIT - BEAT, Some(&beat(7)), |_| false)
                .is_ok()
        );
        let err = w
            .observe(t0 + SILENT_LIMIT, Some(&beat(7)), |_| false)
            .unwrap_err();
        assert!(matches!(err, WaitError::Silent { secs: 30, .. }), "{err}");
        assert!(err.to_string().contains("end it with `kill 4242`"), "{err}");
    }

    #[test]
    fn a_holder_in_this_process_goes_unmentioned() {
        let (mut w, t0) = watch();
        let sign = "1 0\n";
        assert_eq!(
            w.observe(t0 + TELL_AFTER, Some(sign), |_| false).unwrap(),
            Step::Wait
        );
    }

    #[test]
    fn a_holder_that_never_wrote_its_pid_is_described_without_one() {
        let (mut w, t0) = watch();
        let Step::Tell(said) = w.observe(t0 + TELL_AFTER, None, |_| true).unwrap() else {
            panic!("nothing said");
        };
        assert!(said.starts_with("waiting for another hats process,"), "{said}");
        let err = w.observe(t0 + SILENT_LIMIT, Some(""), |_| true).unwrap_err();
        assert!(err.to_string().starts_with("another hats process holds"), "{err}");
        assert!(err.to_string().contains("end it, then"), "{err}");
    }

    #[test]
    fn keys_are_described_by_target_or_source_and_device() {
        assert_eq!(describe_key("role/prod/mfa/0123abcd"), "the session of \"prod\"");
        assert_eq!(
            describe_key("role/team-1/ReadOnly/role/0123abcd"),
            "the session of \"team-1/ReadOnly\""
        );
        assert_eq!(
            describe_key("mfa/base/arn:aws:iam::111111111111:mfa/alice"),
            "the MFA session of \"base\" (arn:aws:iam::111111111111:mfa/alice)"
        );
        assert_eq!(
            describe_key("mfa/base/GAHT12345678"),
            "the MFA session of \"base\" (GAHT12345678)"
        );
        assert_eq!(describe_key("index"), "the session \"index\"");
    }
}
