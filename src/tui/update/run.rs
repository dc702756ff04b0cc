//! Marking rows and running one command across them (`x`), the switcher's
//! front end of [`crate::fanout`] (the same engine and limits as `hats run`).
//!
//! - `Space` marks or unmarks the selected row, `*` marks every row the
//!   filter shows; in the list `Esc` clears the marks before its other
//!   meanings (a pending hand-out, a kept filter), and once nothing else is
//!   left, a finished run's results. In the filter box `Space` types a space
//!   and `Esc` keeps its meaning. Marks are target names, so a sync that
//!   rebuilds the rows keeps them.
//! - `x` runs on the marked rows, or on the selected row when none is marked.
//!   Its box takes a command line, split into words without a shell (`sh -c`
//!   when the user wants one); with production targets among them it then
//!   asks for their count, as `hats run` does, and a wrong count runs nothing.
//! - While it runs each row shows its status and duration; `Enter` on a row
//!   that ran opens its output (`Esc` closes, arrows and pages scroll).
//!
//! Pure: the run itself is `Effect::Run`, its progress comes back as
//! `Msg::RunEvents` and `Msg::RunEnded`.

use super::{App, Effect, Overlay, set_status};
use crate::fanout::{Event, Stream};
use crate::tui::state::{OutputPane, Phase, RunPrompt, RunState};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// `Space`: marks or unmarks the selected row.
pub(super) fn toggle_mark(app: &mut App) {
    let Some(target) = app.selected_entry() else {
        return;
    };
    let name = app.entries[target].name.clone();
    if !app.marked.remove(&name) {
        app.marked.insert(name);
    }
}

/// `*`: marks every row the filter shows.
pub(super) fn mark_shown(app: &mut App) {
    let names: Vec<String> = app
        .filter
        .matches
        .iter()
        .map(|m| app.entries[m.index].name.clone())
        .collect();
    app.marked.extend(names);
    let count = app.marked.len();
    set_status(app, format!("{count} marked (x runs a command on them)"), false);
}

/// `Esc` in the list: clears the marks; false when there were none.
pub(super) fn clear_marks(app: &mut App) -> bool {
    if app.marked.is_empty() {
        return false;
    }
    app.marked.clear();
    set_status(app, "marks cleared".into(), false);
    true
}

/// `Esc` in the list once nothing else is to clear: forgets a finished run's
/// results (`Enter` opens a shell on its rows again); false when there is none.
pub(super) fn clear_results(app: &mut App) -> bool {
    if app.run.as_ref().is_some_and(|r| r.ended) {
        app.run = None;
        set_status(app, "run results cleared".into(), false);
        return true;
    }
    false
}

/// `x`: opens the command-line box for the marked rows (or the selected one).
pub(super) fn open(app: &mut App) {
    if let Some(run) = app.run.as_ref().filter(|r| !r.ended) {
        let (_, _, running) = run.totals();
        set_status(app, format!("a run is in progress ({running} running)"), true);
        return;
    }
    let mut targets: Vec<usize> = app
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| app.marked.contains(&e.name))
        .map(|(i, _)| i)
        .collect();
    if targets.is_empty() {
        targets.extend(app.selected_entry());
    }
    if targets.is_empty() {
        return;
    }
    let production = targets
        .iter()
        .map(|&t| &app.entries[t])
        .filter(|e| e.production)
        .map(|e| e.name.clone())
        .collect();
    app.overlay = Overlay::Run(RunPrompt {
        targets,
        production,
        input: app.last_command.clone(),
        argv: None,
        count: String::new(),
        error: None,
    });
}

/// Keys in the `x` box: edit the command line, then the production count.
pub(super) fn on_prompt_key(app: &mut App, mut prompt: RunPrompt, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let field = if prompt.argv.is_some() {
        &mut prompt.count
    } else {
        &mut prompt.input
    };
    match key.code {
        KeyCode::Esc => {
            app.overlay = Overlay::None;
            set_status(app, "nothing ran".into(), false);
            return Vec::new();
        }
        KeyCode::Backspace => {
            field.pop();
        }
        KeyCode::Char('u') if ctrl => field.clear(),
        KeyCode::Char(c) if !ctrl => field.push(c),
        KeyCode::Enter if prompt.argv.is_some() => return confirm(app, prompt),
        KeyCode::Enter => return command_entered(app, prompt),
        _ => {}
    }
    app.overlay = Overlay::Run(prompt);
    Vec::new()
}

/// Enter on the command line: split it, then ask for the count or run.
fn command_entered(app: &mut App, mut prompt: RunPrompt) -> Vec<Effect> {
    match shlex::split(&prompt.input) {
        None => prompt.error = Some("unbalanced quotes or a trailing backslash".into()),
        Some(argv) if argv.is_empty() => prompt.error = Some("type a command to run".into()),
        Some(argv) if prompt.production.is_empty() => return start(app, prompt, argv),
        Some(argv) => {
            prompt.argv = Some(argv);
            prompt.error = None;
        }
    }
    app.overlay = Overlay::Run(prompt);
    Vec::new()
}

/// Enter on the production count: the right count runs, any other runs nothing.
fn confirm(app: &mut App, mut prompt: RunPrompt) -> Vec<Effect> {
    let count = prompt.production.len();
    let typed = prompt.count.trim().to_owned();
    let Some(argv) = prompt.argv.take() else {
        return Vec::new();
    };
    if typed == count.to_string() {
        return start(app, prompt, argv);
    }
    app.overlay = Overlay::None;
    app.last_command.clone_from(&prompt.input);
    let typed = crate::domain::clean_text(&typed);
    set_status(
        app,
        format!("not confirmed (typed \"{typed}\", not {count}); nothing ran"),
        true,
    );
    Vec::new()
}

/// Starts the run: every target queued, the effect that runs it.
fn start(app: &mut App, prompt: RunPrompt, argv: Vec<String>) -> Vec<Effect> {
    app.overlay = Overlay::None;
    app.generation += 1;
    let run = app.generation;
    let names = prompt
        .targets
        .iter()
        .map(|&t| app.entries[t].name.clone())
        .collect();
    app.last_command.clone_from(&prompt.input);
    let count = prompt.targets.len();
    app.run = Some(RunState::new(run, prompt.input, names));
    let noun = if count == 1 { "target" } else { "targets" };
    set_status(app, format!("running on {count} {noun}…"), false);
    vec![Effect::Run {
        run,
        targets: prompt.targets,
        argv,
    }]
}

/// `Enter` in the list on a row that ran: opens its output; false otherwise.
pub(super) fn open_output(app: &mut App) -> bool {
    let Some(target) = app.selected_entry() else {
        return false;
    };
    let name = &app.entries[target].name;
    let ran = app
        .run
        .as_ref()
        .and_then(|r| r.row(name))
        .is_some_and(|row| row.phase != Phase::Queued);
    if ran {
        app.overlay = Overlay::Output(OutputPane {
            name: name.clone(),
            scroll: 0,
        });
    }
    ran
}

/// Keys in the output pane: scroll, or close.
pub(super) fn on_output_key(app: &mut App, mut pane: OutputPane, code: KeyCode) {
    let last = app
        .run
        .as_ref()
        .and_then(|r| r.row(&pane.name))
        .map_or(0, |row| row.stdout.lines.len() + row.stderr.lines.len() + 4);
    pane.scroll = match code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => {
            app.overlay = Overlay::None;
            return;
        }
        KeyCode::Up | KeyCode::Char('k') => pane.scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => pane.scroll + 1,
        KeyCode::PageUp => pane.scroll.saturating_sub(10),
        KeyCode::PageDown => pane.scroll + 10,
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => last,
        _ => pane.scroll,
    }
    .min(last);
    app.overlay = Overlay::Output(pane);
}

/// What the fan-out reports for run `run`; a run replaced since is ignored.
pub(super) fn events(app: &mut App, run: u64, events: Vec<Event>) {
    let Some(state) = app.run.as_mut().filter(|r| r.id == run) else {
        return;
    };
    for event in events {
        match event {
            Event::Started { job } => {
                if let Some(row) = state.rows.get_mut(job) {
                    row.phase = Phase::Running;
                }
            }
            Event::Line { job, stream, text } => {
                let Some(row) = state.rows.get_mut(job) else {
                    continue;
                };
                let line = crate::domain::clean_text(&String::from_utf8_lossy(&text));
                match stream {
                    Stream::Out => row.stdout.push(line),
                    Stream::Err => row.stderr.push(line),
                }
            }
            Event::Finished {
                job,
                status,
                duration,
            } => {
                if let Some(row) = state.rows.get_mut(job) {
                    row.phase = Phase::Ended(status);
                    row.duration = Some(duration);
                }
            }
        }
    }
    // Credentials came: an MFA box whose code was sent for this run has done its job.
    close_waiting_mfa(app, run);
}

/// The fan-out of run `run` returned, or (`error`) could not start.
pub(super) fn ended(app: &mut App, run: u64, error: Option<String>) {
    let Some(state) = app.run.as_mut().filter(|r| r.id == run) else {
        return;
    };
    state.ended = true;
    let (done, failed, _) = state.totals();
    let total = state.rows.len();
    let text = match &error {
        Some(why) => format!("the run could not start: {why}"),
        None => format!("run ended: {done}/{total} done · {failed} failed"),
    };
    state.error = error;
    set_status(
        app,
        text,
        failed > 0 || app.run.as_ref().is_some_and(|r| r.error.is_some()),
    );
    close_waiting_mfa(app, run);
}

fn close_waiting_mfa(app: &mut App, run: u64) {
    if matches!(&app.overlay, Overlay::Mfa(m) if m.waiting && m.generation == Some(run)) {
        app.overlay = Overlay::None;
    }
}
