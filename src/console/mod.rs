//! The AWS console for a target: where it lands (`landing`), which launcher
//! opens it (`launcher`: the system browser, a Firefox container, a Chromium
//! profile of the target's own, a command template), whether the shared
//! browser signs out first (`signed_in`), and, with the console's
//! multi-session, the Identity Center portal's shortcut instead of a
//! federation token. `hats login` and the switcher's `o` both come here.
//!
//! It gets sign-in tokens through `aws::console` and starts browsers through
//! `browser`; it never holds a session longer than one sign-in URL.

mod browsers;
mod container;
#[cfg(test)]
mod fixture;
mod landing;
mod launcher;
mod signed_in;

pub use container::{COLOR_TAG, Container, container_url};
pub use landing::{Landing, landing_url};
pub use launcher::{ChromeProfile, Launcher};

use crate::config::{ConsoleEntry, LauncherKind, SignOut};
use crate::context::Context;
use crate::domain::{Credentials, Partition};
use crate::inventory::{Spec, Target};
use signed_in::SignedIn;

/// One target's console, ready to open.
#[derive(Debug, Clone)]
pub struct Console {
    /// The target's name.
    pub target: String,
    /// Its partition (which console, which sign-in host).
    pub partition: Partition,
    /// How it opens.
    pub launcher: Launcher,
    /// The page it lands on.
    pub landing: String,
    choice: ConsoleEntry,
    portal: Option<String>,
}

impl Console {
    /// The console of `target` landing on `landing` in `region`, opened by
    /// `launcher` or the one configured; the error is a sentence.
    pub fn new(
        ctx: &Context,
        target: &Target,
        launcher: Option<LauncherKind>,
        landing: &Landing,
        region: &str,
    ) -> Result<Self, String> {
        let choice = ctx
            .settings
            .console
            .for_target(&target.name, target.alias.as_deref());
        let production = target.production || ctx.settings.is_production_name(&target.name);
        let kind = launcher.or(choice.launcher).unwrap_or_default();
        let launcher = Launcher::new(kind, &choice, target, production, &ctx.paths.data_dir)?;
        let partition = target.partition();
        let landing = landing_url(partition, region, landing)?;
        let portal = match &target.spec {
            Spec::Sso(sso) if choice.multi_session == Some(true) => Some(portal_shortcut(
                &sso.session.start_url,
                sso.account_id.as_str(),
                &sso.role_name,
                &landing,
            )),
            _ => None,
        };
        Ok(Self {
            target: target.name.clone(),
            partition,
            launcher,
            landing,
            choice,
            portal,
        })
    }

    /// The Identity Center portal's shortcut, when multi-session is on and the
    /// target is an Identity Center role: the portal signs in with the user's
    /// own portal session and AWS adds it as another console session, so no
    /// credentials and no federation token are needed.
    pub fn portal_url(&self) -> Option<&str> {
        self.portal.as_deref()
    }

    /// Whether to sign the browser out before signing in: forced, or the
    /// launcher shares the browser (no container or own profile, no
    /// multi-session) and `sign_out` says so: always, or (auto) when hats last
    /// signed this browser in to another target whose session is still live.
    pub fn should_sign_out(&self, ctx: &Context, forced: bool) -> bool {
        if forced {
            return true;
        }
        if self.launcher.kind().isolates() || self.choice.multi_session == Some(true) {
            return false;
        }
        match self.choice.sign_out.unwrap_or_default() {
            SignOut::Never => false,
            SignOut::Always => true,
            SignOut::Auto => {
                SignedIn::load(&ctx.paths.cache_dir).conflicts(self.partition, &self.target, ctx.clock.now())
            }
        }
    }

    /// The URL that signs in as `credentials` (through `endpoint`, the
    /// federation endpoint) and lands on the page; with `sign_out`, one that
    /// signs the browser out first. Blocks on the federation endpoint.
    pub fn signin_url(
        &self,
        credentials: &Credentials,
        endpoint: &str,
        sign_out: bool,
    ) -> Result<String, crate::aws::AwsError> {
        let token = crate::aws::signin_token(credentials, endpoint)?;
        if !sign_out {
            return Ok(crate::aws::login_url(endpoint, &token, &self.landing));
        }
        let at = if endpoint == self.partition.federation_endpoint() {
            self.partition.signout_federation_endpoint()
        } else {
            endpoint
        };
        let login = crate::aws::login_url(at, &token, &self.landing);
        Ok(crate::aws::signout_then(at, &login))
    }

    /// Opens `url` with the launcher (making its profile directory first).
    pub fn open(&self, url: &str) -> Result<(), String> {
        use crate::browser::Wait;
        self.launcher
            .prepare()
            .map_err(|e| format!("cannot make the browser profile directory: {e}"))?;
        match self.launcher {
            Launcher::Default => crate::browser::open(url, Wait::Settle),
            _ => crate::browser::run(&self.launcher.command(url), Wait::Settle),
        }
        .map_err(|e| e.to_string())
    }

    /// Remembers that a launcher sharing the browser signed it in to this
    /// target until `until` (the next target signs out first).
    pub fn remember(&self, ctx: &Context, until: jiff::Timestamp) {
        if !self.launcher.kind().isolates() && self.portal.is_none() {
            SignedIn::record(&ctx.paths.cache_dir, self.partition, &self.target, until);
        }
    }

    /// One line for people: the launcher, its container or profile, and multi-session.
    pub fn describe(&self) -> String {
        let mut text = self.launcher.describe();
        if self.choice.multi_session == Some(true) {
            text.push_str(if self.portal.is_some() {
                "; multi-session through the access portal"
            } else {
                "; multi-session"
            });
        }
        text
    }
}

/// How `o` and `hats login` open `target`'s console, in one line for the
/// switcher's detail pane; `None` for targets the console does not take.
pub fn describe(ctx: &Context, target: &Target) -> Option<String> {
    if matches!(target.spec, Spec::UserSession { .. }) {
        return None;
    }
    let region = crate::context::sts_region(target, None);
    Some(match Console::new(ctx, target, None, &Landing::Home, &region) {
        Ok(console) => console.describe(),
        Err(e) => {
            let choice = ctx
                .settings
                .console
                .for_target(&target.name, target.alias.as_deref());
            format!("{}: {e}", choice.launcher.unwrap_or_default())
        }
    })
}

/// The Identity Center portal's shortcut to `role` in `account`, landing on
/// `destination`: `START/#/console?account_id=…&role_name=…&destination=…`.
pub fn portal_shortcut(start_url: &str, account: &str, role: &str, destination: &str) -> String {
    let encode = crate::aws::percent_encode;
    let start = start_url.trim_end_matches(['#', '/']);
    format!(
        "{start}/#/console?account_id={}&role_name={}&destination={}",
        encode(account),
        encode(role),
        encode(destination)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConsoleConfig;
    use crate::inventory::TargetSet;

    #[test]
    fn with_multi_session_identity_center_opens_the_portal_and_nothing_signs_out() {
        let sso = fixture::sso(
            "corp-admin",
            "https://d-1.awsapps.com/start",
            "123456789012",
            "Admin",
        );
        let role = fixture::role("prod", "arn:aws:iam::222222222222:role/Admin");
        let mut ctx = crate::fuzzing::context_for(TargetSet::default());
        let multi = ConsoleEntry {
            multi_session: Some(true),
            ..ConsoleEntry::default()
        };
        ctx.settings.console = ConsoleConfig::new(&multi, &[]).unwrap();
        let portal = Console::new(&ctx, &sso, None, &Landing::Home, "eu-west-1").unwrap();
        assert_eq!(
            portal.portal_url(),
            Some(
                "https://d-1.awsapps.com/start/#/console?account_id=123456789012&role_name=Admin\
                 &destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3Deu-west-1"
            )
        );
        assert!(!portal.should_sign_out(&ctx, false));
        assert!(portal.should_sign_out(&ctx, true), "--sign-out still forces it");
        assert!(
            portal
                .describe()
                .ends_with("; multi-session through the access portal")
        );
        let federated = Console::new(&ctx, &role, None, &Landing::Home, "eu-west-1").unwrap();
        assert_eq!(federated.portal_url(), None, "a role has no portal shortcut");
        assert_eq!(
            federated.describe(),
            "default (the system browser); multi-session"
        );
        ctx.settings.console = ConsoleConfig::default();
        let single = Console::new(&ctx, &sso, None, &Landing::Home, "eu-west-1").unwrap();
        assert_eq!(
            single.portal_url(),
            None,
            "without multi-session the portal would replace the session"
        );
    }

    #[test]
    fn the_portal_shortcut_names_account_role_and_destination_encoded() {
        for start in [
            "https://d-123.awsapps.com/start",
            "https://d-123.awsapps.com/start/",
            "https://d-123.awsapps.com/start/#/",
        ] {
            assert_eq!(
                portal_shortcut(
                    start,
                    "123456789012",
                    "Admin&x=1",
                    "https://console.aws.amazon.com/s3/buckets?region=eu-west-1"
                ),
                "https://d-123.awsapps.com/start/#/console?account_id=123456789012&role_name=Admin%26x%3D1\
                 &destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fbuckets%3Fregion%3Deu-west-1"
            );
        }
    }
}
