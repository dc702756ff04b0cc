//! The scope-down picker (`p`) as plain state transitions.

use crate::tui::fixture::{app, now};
use crate::tui::state::{Overlay, Purpose};
use crate::tui::update::{Effect, Msg, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut crate::tui::state::App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now())
}

fn resolved(generation: u64, preset: Option<&str>) -> Msg {
    Msg::Resolved {
        generation,
        target: 1,
        purpose: Purpose::Env,
        outcome: Ok((now() + jiff::SignedDuration::from_secs(3600), Some("arn".into()))),
        preset: preset.map(str::to_owned),
        mfa_sessions: Vec::new(),
    }
}

#[test]
fn p_picks_a_preset_that_later_requests_carry_and_the_row_marks() {
    let mut app = app();
    app.presets = vec!["readonly".into(), "s3".into()];
    let unscoped_expiry = app.entries[1].expires;
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('p'));
    assert_eq!(app.overlay, Overlay::Preset(1, 0));
    key(&mut app, KeyCode::Down);
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.entries[1].preset.as_deref(), Some("readonly"));
    let effects = key(&mut app, KeyCode::Char('e'));
    let [
        Effect::Resolve {
            generation,
            preset: Some(p),
            ..
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}")
    };
    assert_eq!(p, "readonly");
    update(&mut app, resolved(*generation, Some("readonly")), now());
    assert!(app.entries[1].scoped_expires.is_some());
    assert_eq!(
        app.entries[1].expires, unscoped_expiry,
        "the unscoped session keeps its own countdown"
    );

    key(&mut app, KeyCode::Char('p'));
    assert_eq!(app.overlay, Overlay::Preset(1, 1), "opens on the current choice");
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.entries[1].preset, None);
    assert_eq!(app.entries[1].scoped_expires, None);
    let effects = key(&mut app, KeyCode::Char('e'));
    assert!(
        matches!(&effects[..], [Effect::Resolve { preset: None, .. }]),
        "{effects:?}"
    );
}

#[test]
fn p_explains_when_there_is_nothing_to_pick() {
    let mut app = app();
    key(&mut app, KeyCode::Char('p'));
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.status.unwrap().text.contains("no presets in hats config"));

    let mut app = crate::tui::fixture::app();
    app.presets = vec!["readonly".into()];
    app.entries[0].is_role = false;
    key(&mut app, KeyCode::Char('p'));
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.status.unwrap().text.contains("only role sessions"));
}
