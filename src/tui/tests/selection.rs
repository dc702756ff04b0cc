//! The filter can never make an action hit a row the user did not pick: the
//! selection follows its target, `Tab` leaves the box keeping the filter, and
//! `Esc` clears before it quits.

use crate::tui::fixture::{app, now};
use crate::tui::state::{App, Purpose};
use crate::tui::update::{Effect, Msg, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now())
}

fn ctrl(app: &mut App, c: char) {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
        now(),
    );
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn selected_name(app: &App) -> &str {
    &app.entries[app.selected_entry().unwrap()].name
}

/// The target of the single `Resolve` effect in `effects`, by name.
fn resolved_for(app: &App, effects: &[Effect], wanted: Purpose) -> String {
    match effects {
        [Effect::Resolve { target, purpose, .. }] if *purpose == wanted => app.entries[*target].name.clone(),
        other => panic!("expected one {wanted:?} request, got {other:?}"),
    }
}

#[test]
fn tab_leaves_the_filter_box_and_every_action_key_acts_on_the_filtered_row() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "sandbox");
    key(&mut app, KeyCode::Tab);
    assert!(!app.filtering, "focus is on the list");
    assert_eq!(app.filter.text, "sandbox", "the filter is kept");
    assert_eq!(app.filter.matches.len(), 1);
    assert_eq!(selected_name(&app), "sandbox/ReadOnly");
    let effects = key(&mut app, KeyCode::Char('e'));
    assert_eq!(resolved_for(&app, &effects, Purpose::Env), "sandbox/ReadOnly");
    let effects = key(&mut app, KeyCode::Char('c'));
    assert_eq!(resolved_for(&app, &effects, Purpose::Copy), "sandbox/ReadOnly");
    let effects = key(&mut app, KeyCode::Char('r'));
    assert_eq!(resolved_for(&app, &effects, Purpose::Refresh), "sandbox/ReadOnly");
    key(&mut app, KeyCode::Char('f'));
    assert!(app.entries[3].favourite, "f pinned the filtered row");
    key(&mut app, KeyCode::Char('w'));
    assert!(matches!(app.overlay, crate::tui::state::Overlay::Region(ref p) if p.target == 3));
    key(&mut app, KeyCode::Esc);
    // `/` (or Tab) goes back to the box with the text kept.
    key(&mut app, KeyCode::Tab);
    assert!(app.filtering);
    assert_eq!(app.filter.text, "sandbox");
}

#[test]
fn esc_in_the_box_clears_the_filter_and_the_selection_stays_on_its_target() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "sandbox");
    key(&mut app, KeyCode::Esc);
    assert!(!app.filtering && app.filter.text.is_empty());
    assert_eq!(app.filter.matches.len(), 5, "every row is listed again");
    assert_eq!(selected_name(&app), "sandbox/ReadOnly", "not row 0");
    assert_ne!(app.selected, 0);
    let effects = key(&mut app, KeyCode::Char('e'));
    assert_eq!(resolved_for(&app, &effects, Purpose::Env), "sandbox/ReadOnly");
}

#[test]
fn esc_in_the_list_clears_a_kept_filter_first_and_quits_only_when_nothing_is_left() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "audit");
    // Enter acts on the match and keeps the filter, as when coming back from a subshell.
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(resolved_for(&app, &effects, Purpose::Shell), "audit-via-prod");
    assert!(!app.filtering && app.filter.text == "audit");
    let Effect::Resolve {
        generation, target, ..
    } = effects[0].clone()
    else {
        unreachable!()
    };
    update(
        &mut app,
        super::handout::granted(generation, target, Purpose::Shell),
        now(),
    );
    key(&mut app, KeyCode::Esc);
    assert!(!app.quit, "the first Esc clears the filter");
    assert!(app.filter.text.is_empty());
    assert_eq!(selected_name(&app), "audit-via-prod");
    key(&mut app, KeyCode::Esc);
    assert!(app.quit, "nothing left to clear: Esc quits");
}

#[test]
fn typing_shows_the_best_match_until_the_user_picks_a_row_which_then_stays_while_it_matches() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "a");
    assert_eq!(
        selected_name(&app),
        "prod-admin",
        "nothing picked yet: the best match"
    );
    for _ in 0..3 {
        key(&mut app, KeyCode::Down);
    }
    assert_eq!(selected_name(&app), "staging-dev");
    typed(&mut app, "d");
    assert_ne!(app.selected, 0, "not the best match for \"ad\"");
    assert_eq!(
        selected_name(&app),
        "staging-dev",
        "a picked row stays while it matches"
    );
    typed(&mut app, "m");
    assert_eq!(app.selected, 0, "staging-dev is filtered out: the best match");
    assert_eq!(selected_name(&app), "prod-admin");
    key(&mut app, KeyCode::Backspace);
    assert_eq!(
        selected_name(&app),
        "prod-admin",
        "staging-dev is back but was not picked again: the cursor does not jump to it"
    );
}

#[test]
fn a_target_filtered_out_gives_the_cursor_to_the_best_match_never_an_unlisted_row() {
    let mut app = app();
    key(&mut app, KeyCode::End);
    assert_eq!(selected_name(&app), "audit-via-prod");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "staging");
    assert_eq!(app.selected, 0);
    assert_eq!(selected_name(&app), "staging-dev");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(resolved_for(&app, &effects, Purpose::Shell), "staging-dev");
    // No match at all: nothing is selected, so no key can act.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "zzzz");
    assert_eq!(app.selected_entry(), None);
    key(&mut app, KeyCode::Tab);
    assert!(key(&mut app, KeyCode::Char('e')).is_empty());
}

#[test]
fn a_sync_that_drops_the_selected_target_moves_to_the_best_match() {
    let mut app = app();
    key(&mut app, KeyCode::End);
    let mut entries = crate::tui::fixture::app().entries;
    entries.retain(|e| e.name != "audit-via-prod");
    update(
        &mut app,
        Msg::Synced {
            entries,
            mfa_sessions: Vec::new(),
            partial: None,
        },
        now(),
    );
    assert_eq!(app.selected, 0);
    assert!(!app.chosen);
}

#[test]
fn ctrl_w_ctrl_u_and_ctrl_h_edit_the_filter_as_in_a_shell() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "prod admin");
    ctrl(&mut app, 'w');
    assert_eq!(app.filter.text, "prod ");
    ctrl(&mut app, 'h');
    assert_eq!(app.filter.text, "prod");
    ctrl(&mut app, 'u');
    assert_eq!(app.filter.text, "");
    assert_eq!(app.filter.matches.len(), 5, "the list follows the text");
    assert!(app.filtering, "still typing");
    typed(&mut app, "aud");
    assert_eq!(selected_name(&app), "audit-via-prod");
}

#[test]
fn clearing_a_filter_that_matched_nothing_returns_to_the_last_highlighted_target() {
    let mut app = app();
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Up);
    assert_eq!(selected_name(&app), "sandbox/ReadOnly");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "zzz");
    assert_eq!(app.selected_entry(), None, "nothing is highlighted");
    key(&mut app, KeyCode::Esc);
    assert_eq!(selected_name(&app), "sandbox/ReadOnly", "not row 0");
}
