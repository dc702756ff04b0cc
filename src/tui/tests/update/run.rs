//! Marking rows and running a command on them (`Space`, `*`, `Esc`, `x`) as
//! plain state transitions: the marks, the command box and its production
//! guard, each row's status as the fan-out reports, and the output pane.

use super::{key, selected_name, typed};
use crate::fanout::{Event, Status, Stream};
use crate::tui::fixture::{app, now};
use crate::tui::state::{App, Overlay, Phase};
use crate::tui::update::{Effect, Msg, update};
use crossterm::event::KeyCode;
use std::time::Duration;

fn marked(app: &App) -> Vec<&str> {
    app.marked.iter().map(String::as_str).collect()
}

/// Selects the row of `name` (the list is not filtered).
fn select(app: &mut App, name: &str) {
    key(app, KeyCode::Home);
    while selected_name(app) != name {
        key(app, KeyCode::Down);
    }
}

/// Marks `names`, presses `x` and types `command` and Enter.
fn run_on(app: &mut App, names: &[&str], command: &str) -> Vec<Effect> {
    for name in names {
        select(app, name);
        key(app, KeyCode::Char(' '));
    }
    key(app, KeyCode::Char('x'));
    typed(app, command);
    key(app, KeyCode::Enter)
}

fn events(app: &mut App, run: u64, events: Vec<Event>) {
    update(app, Msg::RunEvents { run, events }, now());
}

#[test]
fn space_marks_and_unmarks_the_selected_row_but_types_a_space_in_the_filter() {
    let mut app = app();
    select(&mut app, "staging-dev");
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(marked(&app), ["staging-dev"]);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(marked(&app), ["data/Analyst", "staging-dev"]);
    key(&mut app, KeyCode::Char(' '));
    assert_eq!(marked(&app), ["staging-dev"], "a second Space unmarks");
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "sand box");
    assert_eq!(app.filter.text, "sand box", "Space types in the filter box");
    assert_eq!(marked(&app), ["staging-dev"]);
}

#[test]
fn star_marks_only_the_rows_the_filter_shows() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "prod");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.filter.matches.len(), 2);
    key(&mut app, KeyCode::Char('*'));
    assert_eq!(marked(&app), ["audit-via-prod", "prod-admin"]);
}

#[test]
fn esc_clears_the_marks_first_then_the_filter_then_quits() {
    let mut app = app();
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "prod");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('*'));
    key(&mut app, KeyCode::Esc);
    assert!(app.marked.is_empty());
    assert_eq!(
        app.filter.text, "prod",
        "the filter is kept while marks are cleared"
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.filter.text.is_empty() && !app.quit);
    key(&mut app, KeyCode::Esc);
    assert!(app.quit);
}

#[test]
fn x_runs_on_the_marked_rows_with_the_command_split_without_a_shell() {
    let mut app = app();
    let effects = run_on(
        &mut app,
        &["staging-dev", "sandbox/ReadOnly"],
        "sh -c 'echo $HATS_TARGET'",
    );
    let [Effect::Run { run, targets, argv }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(targets, &[1, 3]);
    assert_eq!(argv, &["sh", "-c", "echo $HATS_TARGET"]);
    assert_eq!(app.overlay, Overlay::None);
    let state = app.run.as_ref().unwrap();
    assert_eq!((state.id, state.rows.len(), state.totals()), (*run, 2, (0, 0, 0)));
    assert!(app.busy());
}

#[test]
fn x_without_marks_runs_on_the_selected_row_and_refuses_bad_quotes() {
    let mut app = app();
    select(&mut app, "data/Analyst");
    key(&mut app, KeyCode::Char('x'));
    typed(&mut app, "echo 'open");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    let Overlay::Run(prompt) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(prompt.targets, [2]);
    assert!(prompt.error.as_deref().unwrap().contains("unbalanced quotes"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.run.is_none(), "nothing ran");
}

#[test]
fn the_guard_wants_the_count_of_production_targets_and_a_wrong_one_runs_nothing() {
    let mut app = app();
    let effects = run_on(&mut app, &["prod-admin", "staging-dev"], "true");
    assert!(effects.is_empty(), "the guard asks first: {effects:?}");
    let Overlay::Run(prompt) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(prompt.production, ["prod-admin"]);
    typed(&mut app, "2");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(app.run.is_none());
    let status = app.status.as_ref().unwrap();
    assert!(
        status.error
            && status
                .text
                .contains("not confirmed (typed \"2\", not 1); nothing ran")
    );

    key(&mut app, KeyCode::Char('x'));
    let Overlay::Run(prompt) = &app.overlay else {
        panic!("{:?}", app.overlay);
    };
    assert_eq!(prompt.input, "true", "the command line is offered again");
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "1");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(matches!(&effects[..], [Effect::Run { targets, .. }] if targets == &[0, 1]));
}

#[test]
fn rows_go_from_queued_to_running_to_their_end_and_the_totals_follow() {
    let mut app = app();
    run_on(
        &mut app,
        &["staging-dev", "data/Analyst", "sandbox/ReadOnly"],
        "aws sts get-caller-identity",
    );
    let run = app.run.as_ref().unwrap().id;
    events(
        &mut app,
        run,
        vec![Event::Started { job: 0 }, Event::Started { job: 1 }],
    );
    let line = |job, stream, text: &str| Event::Line {
        job,
        stream,
        text: text.as_bytes().to_vec(),
    };
    events(
        &mut app,
        run,
        vec![
            line(0, Stream::Out, "333333333333"),
            line(1, Stream::Err, "boom \x1b[31m"),
            Event::Finished {
                job: 0,
                status: Status::Exited(0),
                duration: Duration::from_millis(400),
            },
            Event::Finished {
                job: 1,
                status: Status::Exited(3),
                duration: Duration::from_secs(1),
            },
            Event::Finished {
                job: 2,
                status: Status::NoCredentials("MFA cancelled".into()),
                duration: Duration::ZERO,
            },
        ],
    );
    // A report of an older run changes nothing.
    events(&mut app, run - 1, vec![Event::Started { job: 0 }]);
    let state = app.run.as_ref().unwrap();
    assert_eq!(state.totals(), (3, 2, 0));
    assert_eq!(state.rows[0].phase, Phase::Ended(Status::Exited(0)));
    assert_eq!(state.rows[0].stdout.lines, ["333333333333"]);
    assert_eq!(
        state.rows[1].stderr.lines,
        ["boom [31m"],
        "control characters removed"
    );
    assert_eq!(crate::tui::state::phase_text(&state.rows[1].phase), "exit 3");
    assert_eq!(
        crate::tui::state::phase_text(&state.rows[2].phase),
        "no credentials"
    );
    assert!(!state.ended);
    update(&mut app, Msg::RunEnded { run, error: None }, now());
    assert!(app.run.as_ref().unwrap().ended && !app.busy());
    assert!(app.status.as_ref().unwrap().text.contains("3/3 done · 2 failed"));
}

#[test]
fn enter_on_a_row_that_ran_opens_its_output_and_esc_closes_it() {
    let mut app = app();
    run_on(&mut app, &["staging-dev"], "echo hi");
    let run = app.run.as_ref().unwrap().id;
    events(&mut app, run, vec![Event::Started { job: 0 }]);
    select(&mut app, "staging-dev");
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(matches!(&app.overlay, Overlay::Output(p) if p.name == "staging-dev"));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    select(&mut app, "data/Analyst");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::Resolve { target: 2, .. }]),
        "{effects:?}"
    );
}

#[test]
fn the_runs_mfa_question_opens_the_modal_and_x_waits_for_the_run_to_end() {
    let mut app = app();
    run_on(&mut app, &["staging-dev"], "true");
    let run = app.run.as_ref().unwrap().id;
    let asked = Msg::MfaAsked {
        id: 7,
        serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        generation: Some(run),
    };
    assert!(update(&mut app, asked, now()).is_empty(), "not cancelled");
    assert!(matches!(&app.overlay, Overlay::Mfa(m) if m.target == "run on 1 target"));
    typed(&mut app, "123456");
    let effects = key(&mut app, KeyCode::Enter);
    assert_eq!(
        effects,
        [Effect::AnswerMfa {
            id: 7,
            code: "123456".into()
        }]
    );
    events(&mut app, run, vec![Event::Started { job: 0 }]);
    assert_eq!(
        app.overlay,
        Overlay::None,
        "the waiting modal closes once credentials came"
    );
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(app.overlay, Overlay::None, "one run at a time");
    assert!(app.status.as_ref().unwrap().text.contains("a run is in progress"));
}

#[test]
fn output_keeps_the_last_mebibyte_of_each_stream() {
    let mut captured = crate::tui::state::Captured::default();
    let line = "x".repeat(1023);
    for _ in 0..1100 {
        captured.push(line.clone());
    }
    assert_eq!(captured.lines.len(), 1024);
    assert_eq!(captured.dropped, 76);
}

#[test]
fn esc_forgets_a_finished_runs_results_only_once_the_filter_is_cleared() {
    let mut app = app();
    run_on(&mut app, &["staging-dev"], "true");
    let run = app.run.as_ref().unwrap().id;
    update(&mut app, Msg::RunEnded { run, error: None }, now());
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "stag");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Esc);
    assert!(app.marked.is_empty() && app.run.is_some(), "the marks first");
    key(&mut app, KeyCode::Esc);
    assert!(app.filter.text.is_empty() && app.run.is_some(), "then the filter");
    key(&mut app, KeyCode::Esc);
    assert!(app.run.is_none() && !app.quit, "then the results");
    key(&mut app, KeyCode::Esc);
    assert!(app.quit);
}
