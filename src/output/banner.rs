//! The line a hats subshell opens with: which target, which assumed role, and
//! how long its credentials last. `hats shell` and the switcher's `Enter`
//! print the same line, so a shell tells the same story however it started.

use crate::domain::{CredentialsView, format_remaining};
use crate::inventory::{Spec, Target};
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// What the banner describes.
#[derive(Debug, Clone, Copy)]
pub struct ShellBanner<'a> {
    /// The target's name.
    pub target: &'a str,
    /// What the credentials are: see [`credentials_of`].
    pub who: &'a str,
    /// When the credentials expire.
    pub expires: Timestamp,
    /// Served by hats (`--serve`) and renewed, rather than fixed keys.
    pub served: bool,
    /// How to leave, e.g. `exit to leave` or `exit to return to hats`.
    pub exit_to: &'a str,
}

impl ShellBanner<'_> {
    /// The line, with the expiry in `tz` and the time left from `now`.
    pub fn text(&self, now: Timestamp, tz: &TimeZone) -> String {
        let who = self.who;
        if self.served {
            return format!(
                "hats: shell for \"{}\" ({who}); credentials are served and renewed while hats runs; {}",
                self.target, self.exit_to
            );
        }
        let local = self.expires.to_zoned(tz.clone()).strftime("%H:%M:%S %Z");
        let left = format_remaining(self.expires.as_second() - now.as_second());
        format!(
            "hats: shell for \"{}\" ({who}); credentials expire at {local} (in {left}); {}",
            self.target, self.exit_to
        )
    }
}

/// What `session`'s credentials are, for the banner: the assumed-role ARN STS
/// returned; for an Identity Center role (the portal returns no ARN) its role,
/// account and sign-in; otherwise an MFA user session.
pub fn credentials_of<'a>(target: &Target, session: impl Into<CredentialsView<'a>>) -> String {
    match (session.into().assumed_arn, &target.spec) {
        (Some(arn), _) => arn.to_owned(),
        (None, Spec::Sso(role)) => format!(
            "{} in {} through Identity Center \"{}\"",
            role.role_name,
            role.account_id,
            role.session.key()
        ),
        (None, _) => "MFA session".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_names_the_role_and_the_time_left() {
        let now: Timestamp = "2026-11-22T12:00:00Z".parse().unwrap();
        let mut banner = ShellBanner {
            target: "prod",
            who: "arn:aws:sts::222222222222:assumed-role/Admin/alice",
            expires: now + jiff::SignedDuration::from_secs(3600 + 5 * 60),
            served: false,
            exit_to: "exit to leave",
        };
        assert_eq!(
            banner.text(now, &TimeZone::UTC),
            "hats: shell for \"prod\" (arn:aws:sts::222222222222:assumed-role/Admin/alice); \
             credentials expire at 13:05:00 UTC (in 1h05m); exit to leave"
        );
        banner.served = true;
        banner.who = "MFA session";
        assert_eq!(
            banner.text(now, &TimeZone::UTC),
            "hats: shell for \"prod\" (MFA session); credentials are served and renewed while hats runs; exit to leave"
        );
    }
}
