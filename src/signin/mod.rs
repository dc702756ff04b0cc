//! Identity Center sign-in (`hats sso login`): the authorization-code flow with
//! PKCE and a loopback redirect when a browser can be opened, else the device
//! flow. Returns the token; keeping it is the session module's business.
//!
//! Never waits past the code's expiry. The flows tell the user what to do through
//! a [`Report`]: [`sign_in`] prints it on the terminal (`/dev/tty`; without one
//! there is nobody to approve, so it fails at once) and Ctrl-C cancels it; the
//! switcher passes its own to [`sign_in_with`] and shows a modal instead, since a
//! line written to the terminal would tear its screen.

mod device;
mod pkce;

use crate::aws::{AwsError, Oidc, OidcError, Registration, TokenGrant};
use crate::config::SsoSession;
use crate::session::SsoToken;
use std::io::Write;

/// How to sign in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Print the URL instead of opening a browser.
    pub no_browser: bool,
    /// Use the device flow even when a browser could be opened.
    pub use_device_code: bool,
}

/// Why no sign-in happened.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// No terminal to show the code on.
    #[error(
        "cannot sign in to \"{0}\" without a terminal (there is nobody to approve it); run \"hats sso login {0}\" in a terminal"
    )]
    NoTerminal(String),
    /// The user pressed Ctrl-C.
    #[error("sign-in cancelled")]
    Cancelled,
    /// The code expired before it was approved.
    #[error("the sign-in code expired before it was approved; run \"hats sso login {0}\" again")]
    Expired(String),
    /// The user denied the request, or the service refused the code.
    #[error("the sign-in to \"{session}\" was refused: {why}; run \"hats sso login {session}\" again")]
    Refused {
        /// The session.
        session: String,
        /// What was refused.
        why: String,
    },
    /// The loopback redirect could not be set up or answered.
    #[error("the browser sign-in failed: {0}; try hats sso login --use-device-code")]
    Loopback(String),
    /// No browser could be started (the caller falls back to the device flow).
    #[error("no browser could be opened")]
    NoBrowser,
    /// AWS could not be reached or refused a call.
    #[error("{0}")]
    Aws(#[from] AwsError),
}

/// What a sign-in flow has to tell the user, as it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The browser was sent to the authorization page `url`; waiting for it to come back.
    Browser {
        /// The page, for when the browser did not show it.
        url: String,
    },
    /// No browser could be started: the device flow follows.
    NoBrowser,
    /// Approve `user_code` at `url`; waiting for the approval.
    DeviceCode {
        /// The verification page.
        url: String,
        /// The code the page must show.
        user_code: String,
        /// Whether the page was opened in a browser.
        opened: bool,
    },
}

/// Where a sign-in flow reports its [`Step`]s.
pub trait Report: Send {
    /// Tells the user about `step`.
    fn step(&mut self, session: &SsoSession, step: Step);
}

/// The terminal the user reads; `None` without a controlling terminal.
pub struct Tty(std::fs::File);

impl Report for Tty {
    fn step(&mut self, session: &SsoSession, step: Step) {
        match step {
            Step::Browser { url } => {
                self.say(&format!("Sign in to \"{}\" in your browser.", session.key()));
                self.say(&format!("If it did not open, visit: {url}"));
                self.say("Waiting for the browser (Ctrl-C cancels)...");
            }
            Step::NoBrowser => {
                self.say("No browser could be opened ($BROWSER, xdg-open); using a device code instead.");
            }
            Step::DeviceCode {
                url,
                user_code,
                opened,
            } => {
                self.say(&format!("Sign in to \"{}\" at: {url}", session.key()));
                self.say(&format!("and check that the page shows the code: {user_code}"));
                if opened {
                    self.say("(opened in your browser)");
                }
                self.say("Waiting for approval (Ctrl-C cancels)...");
            }
        }
    }
}

impl Tty {
    /// Opens `/dev/tty`.
    pub fn open() -> Option<Self> {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/tty")
            .ok()
            .map(Self)
    }

    /// Writes one line for the user.
    pub fn say(&mut self, line: &str) {
        let _ = writeln!(self.0, "{line}");
    }
}

/// Signs in to `session` on the terminal and returns its token; Ctrl-C cancels.
pub async fn sign_in(
    session: &SsoSession,
    options: Options,
    now: jiff::Timestamp,
) -> Result<SsoToken, SignInError> {
    let mut tty = Tty::open().ok_or_else(|| SignInError::NoTerminal(session.key().to_owned()))?;
    tokio::select! {
        done = sign_in_with(session, options, now, &mut tty) => done,
        _ = tokio::signal::ctrl_c() => Err(SignInError::Cancelled),
    }
}

/// Signs in to `session`, telling `report` what the user must do; cancelled by
/// dropping the future.
pub async fn sign_in_with(
    session: &SsoSession,
    options: Options,
    now: jiff::Timestamp,
    report: &mut dyn Report,
) -> Result<SsoToken, SignInError> {
    let oidc = Oidc::new(&session.region);
    let browser = !options.no_browser && !options.use_device_code;
    let (registration, grant) = if browser {
        match pkce::run(&oidc, session, report).await {
            Err(SignInError::NoBrowser) => {
                report.step(session, Step::NoBrowser);
                device::run(&oidc, session, report, true).await
            }
            done => done,
        }
    } else {
        device::run(&oidc, session, report, options.no_browser).await
    }?;
    Ok(SsoToken {
        start_url: session.start_url.clone(),
        region: session.region.clone(),
        access_token: grant.access_token,
        expires_at: now + jiff::SignedDuration::from_secs(grant.expires_in),
        refresh_token: grant.refresh_token,
        registration: Some(registration),
    })
}

/// What a finished flow hands back.
type Granted = (Registration, TokenGrant);

fn refused(session: &SsoSession, e: OidcError) -> SignInError {
    match e {
        OidcError::Expired => SignInError::Expired(session.key().to_owned()),
        OidcError::Aws(e) => SignInError::Aws(e),
        other => SignInError::Refused {
            session: session.key().to_owned(),
            why: other.to_string(),
        },
    }
}

/// Opens `url` in the user's browser (`crate::browser`: each `$BROWSER`
/// entry, else the platform's opener) without waiting for it: the browser comes
/// straight back to hats' loopback listener. Whether one could be started.
pub fn open_browser(url: &str) -> bool {
    crate::browser::open(url, crate::browser::Wait::Started).is_ok()
}
