//! Every key and message of the switcher as a plain state transition: moving,
//! filtering, the MFA modal, requests, refresh, guard, forget, help and errors
//! here; pointer, rows and preferences in `rows`.

mod helper;
mod rows;
mod run;
mod sessions;
mod signin;

use crate::tui::fixture::{app, now};
use crate::tui::state::{Overlay, Purpose};
use crate::tui::update::{Effect, Msg, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut crate::tui::state::App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), now())
}

fn typed(app: &mut crate::tui::state::App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn selected_name(app: &crate::tui::state::App) -> String {
    app.entries[app.selected_entry().unwrap()].name.clone()
}

fn resolved(generation: u64, target: usize, purpose: Purpose, ok: bool) -> Msg {
    Msg::Resolved {
        generation,
        target,
        purpose,
        outcome: if ok {
            Ok((now() + jiff::SignedDuration::from_secs(3600), Some("arn".into())))
        } else {
            Err("AccessDenied".to_owned().into())
        },
        preset: None,
        mfa_sessions: Vec::new(),
    }
}

#[test]
fn moving_stays_inside_the_list() {
    let mut app = app();
    key(&mut app, KeyCode::Up);
    assert_eq!(app.selected, 0);
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Down);
    assert_eq!(selected_name(&app), "data/Analyst");
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected, 4);
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.selected, 0);
    key(&mut app, KeyCode::End);
    assert_eq!(selected_name(&app), "audit-via-prod");
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(selected_name(&app), "sandbox/ReadOnly");
}

#[test]
fn filter_matches_live_and_enter_acts_on_the_match_keeping_the_filter() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    assert!(app.filtering);
    typed(&mut app, "sbx");
    assert_eq!(selected_name(&app), "sandbox/ReadOnly");
    let first = &app.entries[app.filter.matches[0].index].name;
    assert_eq!(app.filter.highlighter().unwrap().name_hits(first), vec![0, 4, 6]);
    typed(&mut app, "zzz");
    assert!(app.filter.matches.is_empty());
    for _ in 0..3 {
        key(&mut app, KeyCode::Backspace);
    }
    let effects = key(&mut app, KeyCode::Enter);
    assert!(!app.filtering, "focus returns to the list");
    assert_eq!(app.filter.text, "sbx", "the filter is kept");
    assert!(matches!(
        effects[..],
        [Effect::Resolve {
            target: 3,
            purpose: Purpose::Shell,
            ..
        }]
    ));
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Esc);
    assert!(app.filter.text.is_empty() && !app.filtering);
    assert_eq!(app.filter.matches.len(), 5);
}

#[test]
fn filter_matches_account_ids_and_tags() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "team=core");
    assert_eq!(selected_name(&app), "data/Analyst");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "666666");
    assert_eq!(selected_name(&app), "audit-via-prod");
}

#[test]
fn mfa_modal_takes_digits_only_and_answers_the_engine() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Enter);
    let Effect::Resolve { generation, .. } = effects[0].clone() else {
        panic!("{effects:?}")
    };
    update(
        &mut app,
        Msg::MfaAsked {
            id: 7,
            serial: "arn:aws:iam::111111111111:mfa/alice".into(),
            generation: Some(generation),
        },
        now(),
    );
    let Overlay::Mfa(modal) = &app.overlay else {
        panic!("modal expected")
    };
    assert_eq!(modal.target, "staging-dev");
    typed(&mut app, "12a34");
    key(&mut app, KeyCode::Backspace);
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "5 digits are not a code"
    );
    typed(&mut app, "4567");
    let Overlay::Mfa(modal) = &app.overlay else {
        panic!()
    };
    assert_eq!(modal.input, "123456", "at most six digits");
    assert_eq!(
        key(&mut app, KeyCode::Enter),
        vec![Effect::AnswerMfa {
            id: 7,
            code: "123456".into()
        }]
    );
    assert!(matches!(&app.overlay, Overlay::Mfa(m) if m.waiting));
    let effects = update(&mut app, resolved(generation, 1, Purpose::Shell, true), now());
    assert_eq!(
        effects[0],
        Effect::HandOut {
            generation,
            target: 1,
            purpose: Purpose::Shell,
            region: None,
        }
    );
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.entries[1].expires.is_some());
}

#[test]
fn a_rejected_code_is_shown_in_the_modal_and_the_next_code_retries() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Enter);
    let Effect::Resolve { generation, .. } = effects[0].clone() else {
        panic!()
    };
    update(
        &mut app,
        Msg::MfaAsked {
            id: 1,
            serial: "dev".into(),
            generation: Some(generation),
        },
        now(),
    );
    typed(&mut app, "000000");
    key(&mut app, KeyCode::Enter);
    update(&mut app, resolved(generation, 1, Purpose::Shell, false), now());
    let Overlay::Mfa(modal) = &app.overlay else {
        panic!("the modal stays open")
    };
    assert_eq!(modal.error.as_deref(), Some("AccessDenied"));
    assert!(modal.input.is_empty() && !modal.waiting);
    typed(&mut app, "654321");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        &effects[..],
        [Effect::Resolve { target: 1, purpose: Purpose::Shell, mfa_code: Some(code), .. }] if code == "654321"
    ));
}

#[test]
fn escape_cancels_the_mfa_question() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let Effect::Resolve { generation, .. } = key(&mut app, KeyCode::Enter)[0].clone() else {
        panic!()
    };
    update(
        &mut app,
        Msg::MfaAsked {
            id: 3,
            serial: "dev".into(),
            generation: Some(generation),
        },
        now(),
    );
    assert_eq!(key(&mut app, KeyCode::Esc), vec![Effect::CancelMfa { id: 3 }]);
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.handout.is_none());
}

#[test]
fn a_reply_to_a_superseded_request_is_dropped() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let first = key(&mut app, KeyCode::Char('e'));
    let Effect::Resolve { generation: old, .. } = first[0].clone() else {
        panic!()
    };
    key(&mut app, KeyCode::Down);
    let second = key(&mut app, KeyCode::Char('e'));
    let Effect::Resolve { generation: new, .. } = second[0].clone() else {
        panic!()
    };
    let effects = update(&mut app, resolved(old, 1, Purpose::Env, true), now());
    assert_eq!(effects, vec![Effect::Discard { generation: old }]);
    assert!(
        app.entries[1]
            .expires
            .is_some_and(|t| t < now() + jiff::SignedDuration::from_secs(600)),
        "untouched"
    );
    assert!(!app.quit);
    let effects = update(&mut app, resolved(new, 2, Purpose::Env, true), now());
    assert_eq!(
        effects[0],
        Effect::HandOut {
            generation: new,
            target: 2,
            purpose: Purpose::Env,
            region: None,
        }
    );
    assert!(app.quit, "e quits after printing");
}

#[test]
fn refresh_renews_the_selected_session_and_stale_refreshes_are_ignored() {
    let mut app = app();
    let effects = key(&mut app, KeyCode::Char('r'));
    let Effect::Resolve {
        generation: first,
        refresh: true,
        purpose: Purpose::Refresh,
        ..
    } = effects[0].clone()
    else {
        panic!("{effects:?}")
    };
    let Effect::Resolve {
        generation: second, ..
    } = key(&mut app, KeyCode::Char('r'))[0].clone()
    else {
        panic!()
    };
    assert!(app.busy());
    assert_eq!(
        update(&mut app, resolved(first, 0, Purpose::Refresh, true), now()),
        vec![Effect::Discard { generation: first }]
    );
    assert_eq!(app.entries[0].refreshing, Some(second));
    update(&mut app, resolved(second, 0, Purpose::Refresh, true), now());
    assert_eq!(
        app.entries[0].expires,
        Some(now() + jiff::SignedDuration::from_secs(3600))
    );
    assert_eq!(app.entries[0].refreshing, None);
    assert!(
        !app.busy(),
        "a second `r` on the same row is one refresh, and it is over"
    );
    assert_eq!(app.status.as_ref().unwrap().text, "refreshed prod-admin");
}

#[test]
fn capital_r_refreshes_only_sessions_expiring_soon() {
    let mut app = app();
    let effects = key(&mut app, KeyCode::Char('R'));
    assert!(
        matches!(
            &effects[..],
            [Effect::Resolve {
                target: 1,
                purpose: Purpose::Refresh,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn capital_r_counts_a_session_with_exactly_15_minutes_left_as_due() {
    let mut app = app();
    for entry in &mut app.entries {
        entry.expires = None;
    }
    app.entries[3].expires = Some(now() + jiff::SignedDuration::from_secs(15 * 60));
    app.entries[4].expires = Some(now() + jiff::SignedDuration::from_secs(15 * 60 + 1));
    let effects = key(&mut app, KeyCode::Char('R'));
    assert!(
        matches!(
            &effects[..],
            [Effect::Resolve {
                target: 3,
                purpose: Purpose::Refresh,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn production_targets_ask_for_the_alias_before_handing_out() {
    let mut app = app();
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(&app.overlay, Overlay::Guard(g) if g.expected == "production"));
    typed(&mut app, "prod");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(&app.overlay, Overlay::Guard(g) if g.error.is_some() && g.input.is_empty()));
    typed(&mut app, "production");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(matches!(
        &effects[..],
        [Effect::Resolve {
            target: 0,
            purpose: Purpose::Shell,
            ..
        }]
    ));
    assert_eq!(app.overlay, Overlay::None);
    key(&mut app, KeyCode::Char('c'));
    typed(&mut app, "yes");
    assert!(matches!(
        &key(&mut app, KeyCode::Enter)[..],
        [Effect::Resolve {
            purpose: Purpose::Copy,
            ..
        }]
    ));
}

#[test]
fn forget_asks_first() {
    let mut app = app();
    key(&mut app, KeyCode::Char('d'));
    assert_eq!(app.overlay, Overlay::ConfirmForget(0));
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    key(&mut app, KeyCode::Char('d'));
    assert_eq!(
        key(&mut app, KeyCode::Char('y')),
        vec![Effect::Forget { target: 0 }]
    );
    update(
        &mut app,
        Msg::Forgotten {
            target: 0,
            name: "prod-admin".into(),
            outcome: Ok(()),
        },
        now(),
    );
    assert_eq!(app.entries[0].expires, None);
    key(&mut app, KeyCode::Char('d'));
    assert_eq!(app.overlay, Overlay::None, "nothing to forget");
}

#[test]
fn help_opens_and_any_key_closes_it_and_q_or_ctrl_c_quit() {
    let mut app = app();
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay, Overlay::Help(0));
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(app.overlay, Overlay::None);
    key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
    let mut app = crate::tui::fixture::app();
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        now(),
    );
    assert!(app.quit);
}

#[test]
fn errors_land_in_the_status_line_without_closing_anything_else() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let Effect::Resolve { generation, .. } = key(&mut app, KeyCode::Enter)[0].clone() else {
        panic!()
    };
    update(&mut app, resolved(generation, 1, Purpose::Shell, false), now());
    let status = app.status.clone().unwrap();
    assert!(status.error && status.text == "AccessDenied");
    assert!(!app.quit);
}
