//! The helper-command panel as state transitions: lines kept per command, closed
//! on success, kept after a failure until a key, which does nothing else.

use super::key;
use crate::session::HelperEvent;
use crate::tui::fixture::{app, now};
use crate::tui::update::{Msg, update};
use crossterm::event::KeyCode;

fn event(app: &mut crate::tui::state::App, event: HelperEvent) {
    assert!(update(app, Msg::Helper(event), now()).is_empty());
}

fn line(id: u64, text: &str) -> HelperEvent {
    HelperEvent::Line {
        id,
        line: text.into(),
    }
}

#[test]
fn a_helper_shows_its_last_lines_and_closes_when_it_succeeds() {
    let mut app = app();
    let label = "mfa_process \"yk\" to print the code".to_owned();
    event(&mut app, HelperEvent::Started { id: 7, label });
    assert!(app.busy(), "the spinner turns while it runs");
    for n in 0..10 {
        event(&mut app, line(7, &format!("line {n}")));
    }
    // Another command's lines do not mix in.
    event(&mut app, line(8, "other"));
    let shown = &app.helper.as_ref().unwrap().lines;
    assert_eq!(shown.first().map(String::as_str), Some("line 4"));
    assert_eq!(shown.last().map(String::as_str), Some("line 9"));
    event(&mut app, HelperEvent::Finished { id: 7, ok: true });
    assert!(app.helper.is_none());
}

#[test]
fn a_failed_helpers_lines_stay_until_a_key_which_does_nothing_else() {
    let mut app = app();
    event(
        &mut app,
        HelperEvent::Started {
            id: 1,
            label: "assertion_process".into(),
        },
    );
    event(&mut app, line(1, "no key found"));
    event(&mut app, HelperEvent::Finished { id: 1, ok: false });
    assert!(app.helper.as_ref().is_some_and(|h| h.failed));
    assert!(!app.busy());
    let selected = app.selected;
    assert!(key(&mut app, KeyCode::Down).is_empty());
    assert!(app.helper.is_none());
    assert_eq!(app.selected, selected, "the key only closed the panel");
}

#[test]
fn a_failed_helper_that_said_nothing_leaves_no_panel() {
    let mut app = app();
    event(
        &mut app,
        HelperEvent::Started {
            id: 3,
            label: "x".into(),
        },
    );
    event(&mut app, HelperEvent::Finished { id: 3, ok: false });
    assert!(app.helper.is_none());
}
