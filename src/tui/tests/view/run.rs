//! Snapshots of a run from the switcher: marked rows, each row's status and
//! duration with the header's totals, the `x` box at its production guard,
//! and one row's output pane.

use super::render;
use crate::fanout::{Event, Status, Stream};
use crate::tui::fixture::{app, now};
use crate::tui::state::{App, OutputPane, Overlay, RunPrompt};
use crate::tui::update::{Msg, update};
use std::time::Duration;

/// The fixture with rows 1, 2 and 3 marked and run: one ok, one failed, one running.
fn ran() -> App {
    let mut app = app();
    for i in 1..=3 {
        app.marked.insert(app.entries[i].name.clone());
    }
    let names = (1..=3).map(|i| app.entries[i].name.clone()).collect();
    app.run = Some(crate::tui::state::RunState::new(
        9,
        "aws sts get-caller-identity".into(),
        names,
    ));
    let events = vec![
        Event::Started { job: 0 },
        Event::Started { job: 1 },
        Event::Started { job: 2 },
        Event::Line {
            job: 0,
            stream: Stream::Out,
            text: b"333333333333".to_vec(),
        },
        Event::Line {
            job: 0,
            stream: Stream::Err,
            text: b"a warning".to_vec(),
        },
        Event::Finished {
            job: 0,
            status: Status::Exited(0),
            duration: Duration::from_millis(420),
        },
        Event::Finished {
            job: 1,
            status: Status::Exited(255),
            duration: Duration::from_secs(75),
        },
    ];
    update(&mut app, Msg::RunEvents { run: 9, events }, now());
    app
}

#[test]
fn a_run_shows_marks_status_duration_and_totals() {
    insta::assert_snapshot!(render(&ran(), 100, 14));
}

#[test]
fn the_run_box_asks_for_the_count_of_production_targets() {
    let mut app = app();
    app.overlay = Overlay::Run(RunPrompt {
        targets: vec![0, 1],
        production: vec!["prod-admin".into()],
        input: "sh -c 'echo $HATS_TARGET'".into(),
        argv: Some(vec!["sh".into(), "-c".into(), "echo $HATS_TARGET".into()]),
        count: "1".into(),
        error: None,
    });
    insta::assert_snapshot!(render(&app, 80, 24));
}

#[test]
fn the_output_pane_shows_stdout_then_stderr() {
    let mut app = ran();
    app.overlay = Overlay::Output(OutputPane {
        name: "staging-dev".into(),
        scroll: 0,
    });
    insta::assert_snapshot!(render(&app, 80, 12));
}
