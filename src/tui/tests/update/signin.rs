//! The Identity Center sign-in modal and the header's sign-in times as state
//! transitions: a signed-out hand-out opens the modal and signs in, steps fill
//! it, success starts the hand-out again, `Esc` cancels, stale replies are dropped.

use super::key;
use crate::signin::Step;
use crate::tui::fixture::{app, now};
use crate::tui::state::{App, Overlay, Purpose, SsoSignIn};
use crate::tui::update::{Effect, Msg, update};
use crossterm::event::KeyCode;

/// Enter on row 1: the hand-out's generation.
fn enter_on_row_one(app: &mut App) -> u64 {
    key(app, KeyCode::Down);
    let effects = key(app, KeyCode::Enter);
    let Some(Effect::Resolve { generation, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    *generation
}

/// Enter on row 1, then the engine answers "signed out of corp".
fn signed_out_handout() -> (App, u64) {
    let mut app = app();
    let generation = enter_on_row_one(&mut app);
    let effects = update(&mut app, needed(generation), now());
    assert_eq!(
        effects,
        [Effect::SignIn {
            session: "corp".into()
        }]
    );
    (app, generation)
}

fn needed(generation: u64) -> Msg {
    Msg::SignInNeeded {
        generation,
        target: 1,
        purpose: Purpose::Shell,
        session: "corp".into(),
    }
}

#[test]
fn a_signed_out_handout_opens_the_modal_which_shows_the_code_and_url() {
    let (mut app, _) = signed_out_handout();
    assert!(app.handout.is_none());
    let Overlay::SignIn(modal) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(
        (modal.target, modal.purpose, modal.url.as_deref()),
        (1, Purpose::Shell, None)
    );
    assert!(app.busy(), "the spinner turns while the modal waits");
    let step = Step::DeviceCode {
        url: "https://verify/?code=ABCD-EFGH".into(),
        user_code: "ABCD-EFGH".into(),
        opened: true,
    };
    update(&mut app, Msg::SignInStep(step), now());
    let Overlay::SignIn(modal) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(modal.user_code.as_deref(), Some("ABCD-EFGH"));
    assert_eq!(modal.url.as_deref(), Some("https://verify/?code=ABCD-EFGH"));
    assert!(modal.browser);
}

#[test]
fn a_finished_sign_in_starts_the_same_handout_again() {
    let (mut app, generation) = signed_out_handout();
    let effects = update(
        &mut app,
        Msg::SignedIn {
            session: "corp".into(),
            outcome: Ok(()),
        },
        now(),
    );
    assert_eq!(app.overlay, Overlay::None);
    let [
        Effect::Resolve {
            generation: again,
            target: 1,
            purpose: Purpose::Shell,
            refresh: false,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}");
    };
    assert!(*again > generation);
    assert_eq!(app.handout.map(|(g, _, _)| g), Some(*again));
    // Still signed out right after signing in (the token was not kept): an error, not a second sign-in.
    let effects = update(&mut app, needed(*again), now());
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(app.overlay, Overlay::None);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.error && s.text.contains("could not be kept"))
    );
}

#[test]
fn esc_cancels_the_sign_in_and_its_late_end_changes_nothing() {
    let (mut app, _) = signed_out_handout();
    assert_eq!(
        key(&mut app, KeyCode::Char('q')),
        [],
        "other keys do nothing while signing in"
    );
    assert!(matches!(app.overlay, Overlay::SignIn(_)));
    assert_eq!(key(&mut app, KeyCode::Esc), [Effect::CancelSignIn]);
    assert_eq!(app.overlay, Overlay::None);
    assert!(!app.quit);
    let effects = update(
        &mut app,
        Msg::SignedIn {
            session: "corp".into(),
            outcome: Ok(()),
        },
        now(),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert!(app.handout.is_none());
}

#[test]
fn a_failed_sign_in_closes_the_modal_with_the_error() {
    let (mut app, _) = signed_out_handout();
    let effects = update(
        &mut app,
        Msg::SignedIn {
            session: "corp".into(),
            outcome: Err("the sign-in code expired".into()),
        },
        now(),
    );
    assert!(effects.is_empty());
    assert_eq!(app.overlay, Overlay::None);
    let status = app.status.unwrap();
    assert!(
        status.error && status.text.contains("the sign-in code expired"),
        "{status:?}"
    );
}

#[test]
fn a_signed_out_reply_for_a_superseded_request_opens_nothing() {
    let mut app = app();
    let generation = enter_on_row_one(&mut app);
    key(&mut app, KeyCode::Char('e'));
    assert!(update(&mut app, needed(generation), now()).is_empty());
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn sign_in_times_from_the_keyring_replace_the_headers_placeholders() {
    let mut app = app();
    let unknown = SsoSignIn {
        session: "corp".into(),
        known: false,
        expires: None,
        renewable: false,
    };
    app.sso_signins = vec![unknown.clone()];
    let read = SsoSignIn {
        known: true,
        expires: Some(now()),
        ..unknown
    };
    update(&mut app, Msg::SsoSignIns(vec![read.clone()]), now());
    assert_eq!(app.sso_signins, [read]);
}
