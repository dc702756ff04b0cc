//! The selection model as state transitions (`update::handout`): a pending
//! hand-out is cancelled by any new action on any row, never by moving; a
//! cancelled request's reply and MFA question are refused; nothing is handed
//! out while a box takes keys; a sync moves a pending hand-out and an open box
//! to their target's new row.

use crate::tui::fixture::{app, entry, now};
use crate::tui::state::{App, Overlay, Purpose};
use crate::tui::update::{Effect, Msg, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now())
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// A successful reply to request `generation` for row `target`.
pub(super) fn granted(generation: u64, target: usize, purpose: Purpose) -> Msg {
    Msg::Resolved {
        generation,
        target,
        purpose,
        outcome: Ok((now() + jiff::SignedDuration::from_secs(3600), None)),
        preset: None,
        mfa_sessions: Vec::new(),
    }
}

/// The generation of the one request in `effects`.
fn request(effects: &[Effect]) -> u64 {
    match effects {
        [.., Effect::Resolve { generation, .. }] => *generation,
        other => panic!("no request in {other:?}"),
    }
}

/// `key` on staging-dev (row 1, not production): its hand-out is pending.
fn pending(app: &mut App, code: KeyCode) -> u64 {
    key(app, KeyCode::Home);
    key(app, KeyCode::Down);
    let generation = request(&key(app, code));
    assert!(app.handout.is_some());
    generation
}

fn status(app: &App) -> String {
    app.status.as_ref().map(|s| s.text.clone()).unwrap_or_default()
}

#[test]
fn the_production_box_cancels_the_pending_hand_out_whose_late_reply_is_dropped() {
    let mut app = app();
    let staging = pending(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Up);
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(app.overlay, Overlay::Guard(_)));
    assert_eq!(app.handout, None);
    assert_eq!(status(&app), "stopped getting credentials for staging-dev");
    let effects = update(&mut app, granted(staging, 1, Purpose::Shell), now());
    assert_eq!(effects, [Effect::Discard { generation: staging }]);
    assert!(matches!(app.overlay, Overlay::Guard(_)), "the box stays");
    assert!(
        status(&app).contains("nothing was handed out"),
        "{}",
        status(&app)
    );
    // What is typed goes to the box, and confirms production only.
    typed(&mut app, "yes");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(
            effects[..],
            [Effect::Resolve {
                target: 0,
                purpose: Purpose::Shell,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn every_action_on_any_row_cancels_the_pending_hand_out_and_moving_does_not() {
    let actions = [
        KeyCode::Enter,
        KeyCode::Tab,
        KeyCode::Esc,
        KeyCode::Char('e'),
        KeyCode::Char('c'),
        KeyCode::Char('o'),
        KeyCode::Char('r'),
        KeyCode::Char('R'),
        KeyCode::Char('d'),
        KeyCode::Char('f'),
        KeyCode::Char('w'),
        KeyCode::Char('p'),
        KeyCode::Char('S'),
        KeyCode::Char('/'),
        KeyCode::Char('?'),
        KeyCode::Char('m'),
    ];
    for action in actions {
        let mut app = app();
        let first = pending(&mut app, KeyCode::Char('e'));
        key(&mut app, KeyCode::Down);
        key(&mut app, action);
        assert!(
            app.handout.is_none_or(|(g, _, _)| g != first),
            "{action:?} left the first hand-out pending"
        );
        let effects = update(&mut app, granted(first, 1, Purpose::Env), now());
        assert_eq!(effects, [Effect::Discard { generation: first }], "{action:?}");
        assert!(!app.quit, "{action:?}: the exports were not printed");
    }
    for moving in [
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageDown,
        KeyCode::Char('j'),
        KeyCode::Char('g'),
    ] {
        let mut app = app();
        let first = pending(&mut app, KeyCode::Char('e'));
        key(&mut app, moving);
        let effects = update(&mut app, granted(first, 1, Purpose::Env), now());
        assert!(
            matches!(effects[0], Effect::HandOut { target: 1, .. }),
            "{moving:?}"
        );
    }
}

#[test]
fn the_mfa_question_of_a_cancelled_request_is_answered_cancelled_and_never_shown() {
    let mut app = app();
    let staging = pending(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('w'));
    let asked = Msg::MfaAsked {
        id: 9,
        serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        generation: Some(staging),
    };
    assert_eq!(update(&mut app, asked, now()), [Effect::CancelMfa { id: 9 }]);
    assert!(matches!(app.overlay, Overlay::Region(_)), "the picker stays");
}

#[test]
fn an_mfa_question_that_comes_while_a_box_is_open_waits_behind_it() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let refresh = request(&key(&mut app, KeyCode::Char('r')));
    key(&mut app, KeyCode::Char('?'));
    let asked = Msg::MfaAsked {
        id: 4,
        serial: "alice".into(),
        generation: Some(refresh),
    };
    assert!(update(&mut app, asked, now()).is_empty());
    assert_eq!(app.overlay, Overlay::Help(0), "the help is not replaced");
    key(&mut app, KeyCode::Char('x'));
    let Overlay::Mfa(modal) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!((modal.ask, modal.target.as_str()), (Some(4), "staging-dev"));
}

#[test]
fn credentials_that_come_while_another_box_takes_keys_are_not_handed_out() {
    let mut app = app();
    app.syncing = true;
    let staging = pending(&mut app, KeyCode::Enter);
    // The sync asks for a code: its prompt opens over the list.
    let asked = Msg::MfaAsked {
        id: 2,
        serial: "alice".into(),
        generation: None,
    };
    update(&mut app, asked, now());
    typed(&mut app, "12");
    let effects = update(&mut app, granted(staging, 1, Purpose::Shell), now());
    assert_eq!(effects, [Effect::Discard { generation: staging }]);
    assert!(
        matches!(&app.overlay, Overlay::Mfa(m) if m.input == "12"),
        "{:?}",
        app.overlay
    );
    assert!(status(&app).contains("not handed out"), "{}", status(&app));
}

#[test]
fn a_sync_moves_the_pending_hand_out_and_an_open_box_to_their_targets_new_rows() {
    let mut app = app();
    let staging = pending(&mut app, KeyCode::Char('c'));
    let mut entries = crate::tui::fixture::app().entries;
    entries.insert(0, entry("new/Admin", "999999999999", "Admin"));
    let synced = Msg::Synced {
        entries: entries.clone(),
        mfa_sessions: Vec::new(),
        partial: None,
    };
    update(&mut app, synced, now());
    // The reply names the row the request started on; the hand-out goes to the target's new row.
    let effects = update(&mut app, granted(staging, 1, Purpose::Copy), now());
    assert!(
        matches!(effects[0], Effect::HandOut { target: 2, .. }),
        "{effects:?}"
    );
    assert_eq!(app.entries[2].name, "staging-dev");

    let mut app = crate::tui::fixture::app();
    key(&mut app, KeyCode::Enter);
    assert!(matches!(&app.overlay, Overlay::Guard(g) if g.target == 0));
    let synced = Msg::Synced {
        entries,
        mfa_sessions: Vec::new(),
        partial: None,
    };
    update(&mut app, synced, now());
    let Overlay::Guard(guard) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(app.entries[guard.target].name, "prod-admin");
}

#[test]
fn a_box_whose_target_a_sync_removed_says_so_and_keys_typed_into_it_do_nothing() {
    let mut app = app();
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "y");
    let mut entries = crate::tui::fixture::app().entries;
    entries.retain(|e| e.name != "prod-admin");
    let synced = Msg::Synced {
        entries,
        mfa_sessions: Vec::new(),
        partial: None,
    };
    update(&mut app, synced, now());
    assert!(matches!(&app.overlay, Overlay::Message(m) if m.contains("prod-admin is no longer listed")));
    // The rest of "yes": the `e` must not start exports for the row under the box.
    for c in ['e', 's'] {
        assert!(key(&mut app, KeyCode::Char(c)).is_empty());
    }
    assert!(matches!(app.overlay, Overlay::Message(_)));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn esc_cancels_a_pending_hand_out_before_it_clears_the_filter_or_quits() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "staging");
    let staging = request(&key(&mut app, KeyCode::Enter));
    assert!(status(&app).contains("Esc cancels"), "{}", status(&app));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.handout, None);
    assert_eq!(app.filter.text, "staging", "the filter is still there");
    assert!(!app.quit);
    let effects = update(&mut app, granted(staging, 1, Purpose::Shell), now());
    assert_eq!(effects, [Effect::Discard { generation: staging }]);
}

#[test]
fn ctrl_c_quits_as_interrupted_and_q_does_not() {
    let mut app = app();
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    update(&mut app, Msg::Key(ctrl_c), now());
    assert!(app.quit && app.interrupted);
    let mut app = crate::tui::fixture::app();
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit && !app.interrupted);
}
