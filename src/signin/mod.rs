//! Identity Center sign-in (`hats sso login`): the authorization-code flow with
//! PKCE and a loopback redirect when a browser can be opened, else the device
//! flow. Returns the token; keeping it is the session module's business (the
//! OIDC client registration it signed in with is kept here, for the next one).
//!
//! Never waits past the code's expiry. The person approving is at a browser,
//! not necessarily at this terminal: the flows tell the user what to do through
//! a [`Report`]. [`sign_in`] prints it as [`Lines`] (stderr for `hats sso
//! login`, so a script, an IDE task or an SSH session shows the URL and the
//! code; the terminal for a hand-out whose output is captured) and Ctrl-C
//! cancels it; the switcher passes its own to [`sign_in_with`] and shows a
//! modal instead, since a line written to the terminal would tear its screen.

mod device;
mod pkce;
mod registration;

use crate::aws::{AwsError, Oidc, OidcError, Registration, TokenGrant};
use crate::config::SsoSession;
use crate::session::{Cache, SsoToken};
use registration::Flow;
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
    /// The user pressed Ctrl-C.
    #[error("sign-in cancelled")]
    Cancelled,
    /// The code expired before it was approved.
    #[error("the sign-in code expired before it was approved; run \"hats sso login {0}\" again")]
    Expired(String),
    /// The user denied the request, or the service refused the code.
    #[error("the sign-in to \"{session}\" was refused: {why}; run \"hats sso login {session}\" again")]
    Refused {
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

/// Lines for the user on a stream: stderr, or the terminal.
pub struct Lines(Box<dyn Write + Send>);

impl Report for Lines {
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

impl Lines {
    /// hats' stderr.
    pub fn stderr() -> Self {
        Self(Box::new(std::io::stderr()))
    }

    /// The controlling terminal; `None` without one.
    pub fn terminal() -> Option<Self> {
        let (_, output) = crate::session::open_terminal().ok()?;
        Some(Self(Box::new(output)))
    }

    /// Writes one line for the user.
    pub fn say(&mut self, line: &str) {
        let _ = writeln!(self.0, "{line}");
    }
}

/// Signs in to `session`, telling `lines` what the user must do, and returns
/// its token; Ctrl-C cancels. Client registrations are reused from `store`.
pub async fn sign_in(
    session: &SsoSession,
    options: Options,
    now: jiff::Timestamp,
    store: Option<&Cache>,
    lines: &mut Lines,
) -> Result<SsoToken, SignInError> {
    tokio::select! {
        done = sign_in_with(session, options, now, store, lines) => done,
        _ = tokio::signal::ctrl_c() => Err(SignInError::Cancelled),
    }
}

/// Signs in to `session`, telling `report` what the user must do; cancelled by
/// dropping the future. Client registrations are reused from `store`.
pub async fn sign_in_with(
    session: &SsoSession,
    options: Options,
    now: jiff::Timestamp,
    store: Option<&Cache>,
    report: &mut dyn Report,
) -> Result<SsoToken, SignInError> {
    let oidc = Oidc::new(&session.region);
    let browser = !options.no_browser && !options.use_device_code;
    let granted = if browser {
        match pkce(&oidc, session, now, store, report).await {
            Err(SignInError::NoBrowser) => {
                report.step(session, Step::NoBrowser);
                device(&oidc, session, now, store, report, true).await
            }
            done => done,
        }
    } else {
        device(&oidc, session, now, store, report, options.no_browser).await
    };
    let (registration, grant) = granted?;
    Ok(SsoToken {
        start_url: session.start_url.clone(),
        region: session.region.clone(),
        access_token: grant.access_token,
        expires_at: now + jiff::SignedDuration::from_secs(grant.expires_in),
        refresh_token: grant.refresh_token,
        registration: Some(registration),
    })
}

/// The PKCE flow with a kept or new registration, kept again once it worked.
async fn pkce(
    oidc: &Oidc,
    session: &SsoSession,
    now: jiff::Timestamp,
    store: Option<&Cache>,
    report: &mut dyn Report,
) -> Result<Granted, SignInError> {
    let loopback = pkce::Loopback::bind().await?;
    let redirect_uri = loopback.redirect_uri.clone();
    let flow = Flow::Pkce(&redirect_uri);
    let registration = registration::obtain(oidc, session, flow, store, now).await?;
    let granted = pkce::run(oidc, session, report, loopback, registration).await;
    if let Ok((kept, _)) = &granted {
        registration::keep(session, flow, store, kept).await;
    }
    granted
}

/// The device flow with a kept or new registration, kept again once it worked.
async fn device(
    oidc: &Oidc,
    session: &SsoSession,
    now: jiff::Timestamp,
    store: Option<&Cache>,
    report: &mut dyn Report,
    print_only: bool,
) -> Result<Granted, SignInError> {
    let registration = registration::obtain(oidc, session, Flow::Device, store, now).await?;
    let granted = device::run(oidc, session, report, registration, print_only).await;
    if let Ok((kept, _)) = &granted {
        registration::keep(session, Flow::Device, store, kept).await;
    }
    granted
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
