//! Pointer, rows and preferences as plain state transitions: mouse, favourites
//! and recent targets, sync, console, region picker, served commands, no cache.

use super::{key, resolved, selected_name, typed};
use crate::tui::fixture::{app, now};
use crate::tui::state::{Overlay, Purpose};
use crate::tui::update::{Effect, Msg, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn mouse(kind: crossterm::event::MouseEventKind, row: u16) -> Msg {
    Msg::Mouse(crossterm::event::MouseEvent {
        kind,
        column: 5,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn wheel_scrolls_click_selects_and_double_click_opens_the_shell() {
    use crossterm::event::{MouseButton, MouseEventKind};
    let mut app = app();
    update(
        &mut app,
        Msg::Resized {
            width: 80,
            height: 24,
        },
        now(),
    );
    update(&mut app, mouse(MouseEventKind::ScrollDown, 4), now());
    assert_eq!(app.selected, 3);
    // Rows start under the header and the list's top border, at line 2.
    assert!(update(&mut app, mouse(MouseEventKind::Down(MouseButton::Left), 3), now()).is_empty());
    assert_eq!(selected_name(&app), "staging-dev");
    let later = now() + jiff::SignedDuration::from_millis(200);
    let effects = update(&mut app, mouse(MouseEventKind::Down(MouseButton::Left), 3), later);
    assert!(
        matches!(
            &effects[..],
            [Effect::Resolve {
                target: 1,
                purpose: Purpose::Shell,
                ..
            }]
        ),
        "{effects:?}"
    );
    let much_later = later + jiff::SignedDuration::from_secs(5);
    update(
        &mut app,
        mouse(MouseEventKind::Down(MouseButton::Left), 4),
        much_later,
    );
    let effects = update(
        &mut app,
        mouse(MouseEventKind::Down(MouseButton::Left), 4),
        much_later + jiff::SignedDuration::from_secs(1),
    );
    assert!(effects.is_empty(), "two slow clicks are not a double-click");
    assert!(
        update(
            &mut app,
            mouse(MouseEventKind::Down(MouseButton::Left), 20),
            now()
        )
        .is_empty(),
        "below the rows"
    );
}

#[test]
fn favourites_and_recent_targets_sort_first_and_are_saved() {
    let mut app = app();
    key(&mut app, KeyCode::End);
    let effects = key(&mut app, KeyCode::Char('f'));
    let [Effect::SavePrefs(prefs)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(prefs.favourites, ["audit-via-prod"]);
    assert_eq!(
        selected_name(&app),
        "audit-via-prod",
        "the cursor stays on the pinned row"
    );
    assert_eq!(app.selected, 0, "the favourite is listed first");
    // Use data/Analyst: it becomes the most recent and sorts right after the favourite.
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "analyst");
    let Effect::Resolve { generation, .. } = key(&mut app, KeyCode::Enter)[0].clone() else {
        panic!()
    };
    let effects = update(&mut app, resolved(generation, 2, Purpose::Shell, true), now());
    let Effect::SavePrefs(prefs) = &effects[1] else {
        panic!("{effects:?}")
    };
    assert_eq!(prefs.recent, ["data/Analyst"]);
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Esc);
    let order: Vec<&str> = app
        .filter
        .matches
        .iter()
        .map(|m| app.entries[m.index].name.as_str())
        .collect();
    assert_eq!(order[..2], ["audit-via-prod", "data/Analyst"]);
}

#[test]
fn capital_s_syncs_the_organization_and_the_new_rows_keep_filter_and_selection() {
    let mut app = app();
    assert!(
        key(&mut app, KeyCode::Char('S')).is_empty(),
        "no organization configured"
    );
    app.organization = true;
    assert_eq!(key(&mut app, KeyCode::Char('S')), vec![Effect::Sync]);
    assert!(key(&mut app, KeyCode::Char('S')).is_empty(), "one sync at a time");
    update(
        &mut app,
        Msg::SyncProgress("organization: accounts 240/1200".into()),
        now(),
    );
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "organization: accounts 240/1200"
    );
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "sandbox");
    key(&mut app, KeyCode::Down);
    let mut entries = crate::tui::fixture::app().entries;
    entries.insert(
        0,
        crate::tui::fixture::entry("new/Admin", "999999999999", "Admin"),
    );
    update(
        &mut app,
        Msg::Synced {
            entries,
            mfa_sessions: Vec::new(),
            partial: None,
        },
        now(),
    );
    assert_eq!(app.filter.text, "sandbox", "the filter is kept");
    assert_eq!(
        selected_name(&app),
        "sandbox/ReadOnly",
        "the selection follows the target"
    );
    assert_eq!(app.entries.len(), 6);
    assert!(!app.syncing);
    update(&mut app, Msg::SyncFailed("ListRoots failed".into()), now());
    assert!(app.status.as_ref().unwrap().error);
}

#[test]
fn a_sync_where_one_sign_in_failed_shows_the_new_rows_and_says_which_failed() {
    let mut app = app();
    app.identity_center = true;
    assert_eq!(key(&mut app, KeyCode::Char('S')), vec![Effect::Sync]);
    let entries = crate::tui::fixture::app().entries;
    let failure = "Identity Center sign-in \"partner\" has expired; run `hats sso login partner`";
    update(
        &mut app,
        Msg::Synced {
            entries,
            mfa_sessions: Vec::new(),
            partial: Some(failure.into()),
        },
        now(),
    );
    let status = app.status.as_ref().unwrap();
    assert!(status.error, "{status:?}");
    assert!(
        status.text.starts_with("Identity Center synced: ") && status.text.ends_with(failure),
        "{}",
        status.text
    );
    assert!(!app.syncing);
}

#[test]
fn o_asks_for_the_console_like_any_hand_out() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Char('o'));
    assert!(
        matches!(
            &effects[..],
            [Effect::Resolve {
                target: 1,
                purpose: Purpose::Console,
                ..
            }]
        ),
        "{effects:?}"
    );
    update(
        &mut app,
        Msg::Notice {
            text: "opened the AWS console for staging-dev".into(),
            error: false,
        },
        now(),
    );
    assert_eq!(
        app.status.as_ref().unwrap().text,
        "opened the AWS console for staging-dev"
    );
}

fn picker(app: &crate::tui::state::App) -> crate::tui::state::RegionPicker {
    match &app.overlay {
        Overlay::Region(p) => p.clone(),
        other => panic!("region picker expected, got {other:?}"),
    }
}

#[test]
fn w_picks_a_region_that_later_hand_outs_use_and_that_is_remembered() {
    let mut app = app();
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char('w'));
    assert_eq!((picker(&app).target, picker(&app).line), (1, 0));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    let effects = key(&mut app, KeyCode::Enter);
    let [Effect::SavePrefs(prefs)] = &effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(prefs.regions["staging-dev"], "us-east-2");
    assert_eq!(app.entries[1].region_choice.as_deref(), Some("us-east-2"));
    let Effect::Resolve { generation, .. } = key(&mut app, KeyCode::Char('e'))[0].clone() else {
        panic!()
    };
    let effects = update(&mut app, resolved(generation, 1, Purpose::Env, true), now());
    assert!(
        matches!(&effects[0], Effect::HandOut { region: Some(r), .. } if r == "us-east-2"),
        "{effects:?}"
    );
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(picker(&app).line, 2, "the picker opens on the current choice");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn typing_in_the_region_picker_narrows_the_regions() {
    let mut app = app();
    key(&mut app, KeyCode::Char('w'));
    typed(&mut app, "zurich");
    assert_eq!(picker(&app).query, "zurich");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(matches!(effects[..], [Effect::SavePrefs(_)]), "{effects:?}");
    assert_eq!(app.entries[0].region_choice.as_deref(), Some("eu-central-2"));
    // Letters are typed, not keys: `j`, `k` and `q` are in region names (Jakarta).
    key(&mut app, KeyCode::Char('w'));
    typed(&mut app, "jak");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.entries[0].region_choice.as_deref(), Some("ap-southeast-3"));
    // Nothing matches: Enter keeps the picker open and changes nothing.
    key(&mut app, KeyCode::Char('w'));
    typed(&mut app, "atlantis");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(app.overlay, Overlay::Region(_)));
    update(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)),
        now(),
    );
    assert_eq!(picker(&app).query, "", "Ctrl-U clears the query");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.entries[0].region_choice, None,
        "the first line is the configured region"
    );
}

#[test]
fn a_govcloud_row_picks_among_govcloud_regions() {
    let mut app = app();
    app.entries[0].partition = crate::domain::Partition::AwsUsGov;
    key(&mut app, KeyCode::Char('w'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.entries[0].region_choice.as_deref(),
        Some("us-gov-east-1"),
        "the last of its two regions, not a commercial one"
    );
    key(&mut app, KeyCode::Char('w'));
    typed(&mut app, "ireland");
    assert!(
        key(&mut app, KeyCode::Enter).is_empty(),
        "eu-west-1 is not offered"
    );
    assert_eq!(app.entries[0].region_choice.as_deref(), Some("us-gov-east-1"));
}

#[test]
fn served_commands_mark_their_rows_and_survive_new_rows() {
    let mut app = app();
    let served = |command: &str| crate::tui::state::ServedCommand {
        target: "staging-dev".into(),
        command: command.into(),
        expires: now() + jiff::SignedDuration::from_secs(3000),
    };
    update(
        &mut app,
        Msg::Served(vec![served("terraform"), served("k9s")]),
        now(),
    );
    let row = |app: &crate::tui::state::App, name: &str| {
        app.entries.iter().find(|e| e.name == name).unwrap().clone()
    };
    assert_eq!(row(&app, "staging-dev").served.len(), 2);
    assert!(row(&app, "prod-admin").served.is_empty());

    // An organization sync rebuilds every row: the served marks are put back.
    let fresh = crate::tui::fixture::app().entries;
    let mfa_sessions = app.mfa_sessions.clone();
    update(
        &mut app,
        Msg::Synced {
            entries: fresh,
            mfa_sessions,
            partial: None,
        },
        now(),
    );
    assert_eq!(row(&app, "staging-dev").served.len(), 2);

    update(&mut app, Msg::Served(Vec::new()), now());
    assert!(row(&app, "staging-dev").served.is_empty());
}

#[test]
fn the_six_digits_hint_goes_once_the_sixth_digit_is_typed() {
    let mut app = app();
    update(
        &mut app,
        Msg::MfaAsked {
            id: 1,
            serial: "arn:aws:iam::111111111111:mfa/alice".into(),
            generation: None,
        },
        now(),
    );
    let error = |app: &crate::tui::state::App| match &app.overlay {
        Overlay::Mfa(m) => m.error.clone(),
        other => panic!("{other:?}"),
    };
    typed(&mut app, "123");
    key(&mut app, KeyCode::Enter);
    assert_eq!(error(&app).as_deref(), Some("the code has 6 digits"));
    typed(&mut app, "45");
    assert!(error(&app).is_some(), "five digits: still short");
    typed(&mut app, "6");
    assert_eq!(error(&app), None, "six digits: the hint is answered");
}

#[test]
fn without_a_cache_a_hand_out_starts_no_countdown() {
    let mut app = app();
    app.caching = false;
    key(&mut app, KeyCode::End);
    let Effect::Resolve {
        generation, target, ..
    } = key(&mut app, KeyCode::Enter)[0].clone()
    else {
        panic!()
    };
    assert_eq!(app.entries[target].expires, None);
    let effects = update(
        &mut app,
        resolved(generation, target, Purpose::Shell, true),
        now(),
    );
    assert!(
        matches!(effects[0], Effect::HandOut { .. }),
        "still handed out: {effects:?}"
    );
    assert_eq!(
        app.entries[target].expires, None,
        "the session is not kept: no countdown"
    );
    assert_eq!(app.entries[target].assumed_arn, None);
}
