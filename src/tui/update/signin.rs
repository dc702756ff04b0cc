//! Identity Center in the switcher: the header's sign-in times, and the
//! sign-in modal that opens when a hand-out finds its sso-session signed out.
//! The modal shows where to approve (and the code, in the device flow) and,
//! once signed in, starts the hand-out again; `Esc` cancels the sign-in.

use super::{App, Effect, Overlay, Purpose, set_status, start};
use crate::signin::Step;
use crate::tui::state::{SignInModal, SsoSignIn};
use crossterm::event::{KeyCode, KeyEvent};

/// A request found `session` signed out: the header says so, and unless the
/// request was superseded or a sign-in just happened for it, the modal opens
/// and signing in starts.
pub(super) fn needed(
    app: &mut App,
    generation: u64,
    target: usize,
    purpose: Purpose,
    session: String,
) -> Vec<Effect> {
    signed_out(app, &session);
    let row = if purpose == Purpose::Refresh {
        (app.entries.get(target).and_then(|e| e.refreshing) == Some(generation)).then_some(target)
    } else {
        app.handout
            .and_then(|(g, row, _)| (g == generation).then_some(row))
    };
    let Some(target) = row else {
        return Vec::new();
    };
    if purpose == Purpose::Refresh {
        app.end_refresh(target);
    } else {
        app.handout = None;
    }
    if app.signed_in_for == Some(generation) {
        // Signed in a moment ago, yet still no token: it was not kept (no keyring).
        set_status(
            app,
            format!(
                "signed in to \"{session}\", but the token could not be kept (HATS_KEYRING=none?); use a keyring, or set sso_share_with_aws_cli"
            ),
            true,
        );
        return Vec::new();
    }
    if app.overlay != Overlay::None || app.filtering {
        // A box took the keys meanwhile: it is not replaced by a sign-in.
        set_status(
            app,
            format!("signed out of \"{session}\"; press the key again to sign in"),
            true,
        );
        return Vec::new();
    }
    set_status(app, format!("signing in to \"{session}\"…"), false);
    app.overlay = Overlay::SignIn(SignInModal {
        session: session.clone(),
        target,
        purpose,
        url: None,
        user_code: None,
        browser: false,
    });
    vec![Effect::SignIn { session }]
}

/// The engine found `session` without a usable token: the header must not count down.
fn signed_out(app: &mut App, session: &str) {
    if let Some(known) = app.sso_signins.iter_mut().find(|s| s.session == session) {
        known.known = true;
        known.expires = None;
        known.renewable = false;
    }
}

/// The flow reached `step`: the modal shows it.
pub(super) fn stepped(app: &mut App, step: Step) {
    let Overlay::SignIn(modal) = &mut app.overlay else {
        return;
    };
    match step {
        Step::Browser { url } => {
            modal.url = Some(url);
            modal.browser = true;
        }
        Step::NoBrowser => modal.browser = false,
        Step::DeviceCode {
            url,
            user_code,
            opened,
        } => {
            modal.url = Some(url);
            modal.user_code = Some(user_code);
            modal.browser = opened;
        }
    }
}

/// The sign-in finished: the hand-out starts again, or the error is shown.
pub(super) fn finished(app: &mut App, session: &str, outcome: Result<(), String>) -> Vec<Effect> {
    let Overlay::SignIn(modal) = &app.overlay else {
        // Cancelled meanwhile.
        return Vec::new();
    };
    if modal.session != session {
        return Vec::new();
    }
    let (target, purpose) = (modal.target, modal.purpose);
    app.overlay = Overlay::None;
    match outcome {
        Ok(()) => {
            let effects = start(app, target, purpose, purpose == Purpose::Refresh, None);
            app.signed_in_for = Some(app.generation);
            effects
        }
        Err(e) => {
            set_status(app, format!("sign-in to \"{session}\" failed: {e}"), true);
            Vec::new()
        }
    }
}

/// Keys while the modal is open: only `Esc` (cancel) means something.
pub(super) fn on_key(app: &mut App, modal: &SignInModal, key: KeyEvent) -> Vec<Effect> {
    if key.code != KeyCode::Esc {
        return Vec::new();
    }
    app.overlay = Overlay::None;
    set_status(app, format!("sign-in to \"{}\" cancelled", modal.session), false);
    vec![Effect::CancelSignIn]
}

/// New sign-in times from the keyring: each replaces its session's line.
pub(super) fn statuses(app: &mut App, found: Vec<SsoSignIn>) {
    for new in found {
        match app.sso_signins.iter_mut().find(|s| s.session == new.session) {
            Some(known) => *known = new,
            None => app.sso_signins.push(new),
        }
    }
}
