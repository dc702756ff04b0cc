//! Keys: the open box gets them first (one `Overlay` at a time), then the
//! filter box, then the list. In the list, moving the cursor is free; every
//! other key is an action, and an action first cancels a pending hand-out
//! (`handout`).

use super::filtering::{self, move_by, move_to};
use super::modal::{cancel_pending_mfa, on_guard_key, on_mfa_key};
use super::{App, Effect, Overlay, Purpose, guarded, prefs, preset, region, set_status, start, supersede};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

/// Routes `key` to the open box, the filter box or the list.
pub(super) fn on_key(app: &mut App, key: KeyEvent, now: Timestamp) -> Vec<Effect> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return interrupt(app);
    }
    if super::helper::dismiss(app) {
        return Vec::new();
    }
    match app.overlay.clone() {
        Overlay::Help(first) => {
            on_help_key(app, first, key.code);
            Vec::new()
        }
        Overlay::Message(_) => {
            // Only keys that mean "close": a word being typed when the box
            // opened must not spill into the list as commands.
            if matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | 'm')) {
                app.overlay = Overlay::None;
            }
            Vec::new()
        }
        Overlay::Mfa(modal) => on_mfa_key(app, modal, key),
        Overlay::ConfirmForget(target) => {
            app.overlay = Overlay::None;
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                vec![Effect::Forget { target }]
            } else {
                Vec::new()
            }
        }
        Overlay::Guard(guard) => on_guard_key(app, guard, key),
        Overlay::Region(picker) => region::on_key(app, picker, key),
        Overlay::Preset(target, line) => preset::on_key(app, target, line, key),
        Overlay::SignIn(modal) => super::signin::on_key(app, &modal, key),
        Overlay::Run(prompt) => super::run::on_prompt_key(app, prompt, key),
        Overlay::Output(pane) => {
            super::run::on_output_key(app, pane, key.code);
            Vec::new()
        }
        Overlay::None if app.filtering => filtering::on_key(app, key),
        Overlay::None => on_list_key(app, key.code, now),
    }
}

/// Ctrl-C: quit at once (exit status 130), telling a pending sign-in or MFA question.
fn interrupt(app: &mut App) -> Vec<Effect> {
    app.quit = true;
    app.interrupted = true;
    if matches!(app.overlay, Overlay::SignIn(_)) {
        return vec![Effect::CancelSignIn];
    }
    cancel_pending_mfa(app)
}

/// Arrows scroll a help taller than the terminal; any other key closes it.
fn on_help_key(app: &mut App, first: usize, code: KeyCode) {
    let last = crate::tui::view::help_scroll_max(app.size.height);
    app.overlay = match code {
        KeyCode::Up | KeyCode::Char('k') => Overlay::Help(first.saturating_sub(1)),
        KeyCode::Down | KeyCode::Char('j') => Overlay::Help((first + 1).min(last)),
        KeyCode::PageUp => Overlay::Help(first.saturating_sub(10)),
        KeyCode::PageDown => Overlay::Help((first + 10).min(last)),
        _ => Overlay::None,
    };
}

fn on_list_key(app: &mut App, code: KeyCode, now: Timestamp) -> Vec<Effect> {
    if navigate(app, code) {
        return Vec::new();
    }
    match code {
        KeyCode::Char('q') => app.quit = true,
        // Marking is not an action on a row: a pending hand-out stays.
        KeyCode::Char(' ') => super::run::toggle_mark(app),
        KeyCode::Char('*') => super::run::mark_shown(app),
        // Esc takes back the last thing first: marks, a pending hand-out, a
        // kept filter, then a finished run's results.
        KeyCode::Esc if super::run::clear_marks(app) => {}
        KeyCode::Esc if app.handout.is_some() => return supersede(app),
        KeyCode::Esc if !app.filter.text.is_empty() => filtering::clear(app),
        KeyCode::Esc if super::run::clear_results(app) => {}
        KeyCode::Esc => app.quit = true,
        code if is_action(code) => {
            let mut effects = supersede(app);
            effects.extend(act(app, code, now));
            return effects;
        }
        _ => {}
    }
    Vec::new()
}

/// Moves the cursor for a movement key; false for any other key.
fn navigate(app: &mut App, code: KeyCode) -> bool {
    let page = 10;
    match code {
        KeyCode::Up | KeyCode::Char('k') => move_by(app, -1),
        KeyCode::Down | KeyCode::Char('j') => move_by(app, 1),
        KeyCode::PageUp => move_by(app, -page),
        KeyCode::PageDown => move_by(app, page),
        KeyCode::Home | KeyCode::Char('g') => move_to(app, 0),
        KeyCode::End | KeyCode::Char('G') => move_to(app, usize::MAX),
        _ => return false,
    }
    true
}

/// Keys that act on a row or open a box (the filter box included).
fn is_action(code: KeyCode) -> bool {
    matches!(
        code,
        KeyCode::Enter
            | KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Char(
                '/' | '?' | 'm' | 'w' | 'p' | 'S' | 'f' | 'e' | 'c' | 'o' | 'r' | 'R' | 'd' | 'x'
            )
    )
}

fn act(app: &mut App, code: KeyCode, now: Timestamp) -> Vec<Effect> {
    match code {
        KeyCode::Char('/') | KeyCode::Tab | KeyCode::BackTab => app.filtering = true,
        KeyCode::Char('?') => app.overlay = Overlay::Help(0),
        KeyCode::Char('m') => show_message(app),
        KeyCode::Char('w') => region::open(app),
        KeyCode::Char('p') => preset::open(app),
        KeyCode::Char('S') => return super::sync(app),
        KeyCode::Char('f') => return pin(app),
        // A row that ran shows its output; any other opens a shell.
        KeyCode::Enter if super::run::open_output(app) => {}
        KeyCode::Enter => return guarded(app, Purpose::Shell),
        KeyCode::Char('x') => super::run::open(app),
        KeyCode::Char('e') => return guarded(app, Purpose::Env),
        KeyCode::Char('c') => return guarded(app, Purpose::Copy),
        KeyCode::Char('o') => return guarded(app, Purpose::Console),
        KeyCode::Char('r') => {
            if let Some(target) = app.selected_entry() {
                return start(app, target, Purpose::Refresh, true, None);
            }
        }
        KeyCode::Char('R') => return refresh_expiring(app, now),
        KeyCode::Char('d') => confirm_forget(app),
        _ => {}
    }
    Vec::new()
}

/// `m`: the status line's whole text in a box (the line cuts it at the terminal's width).
fn show_message(app: &mut App) {
    match &app.status {
        Some(status) => app.overlay = Overlay::Message(status.text.clone()),
        None => set_status(app, "no message to show".into(), false),
    }
}

/// `f`: pins or unpins the selected row and re-sorts, keeping the cursor on it.
fn pin(app: &mut App) -> Vec<Effect> {
    let Some(target) = app.selected_entry() else {
        return Vec::new();
    };
    let entry = &mut app.entries[target];
    entry.favourite = !entry.favourite;
    let text = format!(
        "{} {}",
        if entry.favourite { "pinned" } else { "unpinned" },
        entry.name
    );
    set_status(app, text, false);
    app.chosen = true;
    filtering::relist(app, false);
    vec![Effect::SavePrefs(prefs(app))]
}

/// `d`: asks before forgetting the selected row's cached session.
fn confirm_forget(app: &mut App) {
    let Some(target) = app.selected_entry() else {
        return;
    };
    if app.entries[target].expires.is_some() {
        app.overlay = Overlay::ConfirmForget(target);
    } else {
        let text = format!("{} has no cached session", app.entries[target].name);
        set_status(app, text, false);
    }
}

/// `R`: renews every cached session that expires within 15 minutes, the
/// bound included: a row reading "15:00" is due, and so is a fresh session of
/// STS' shortest duration (15 minutes), whatever the sub-second clocks say.
fn refresh_expiring(app: &mut App, now: Timestamp) -> Vec<Effect> {
    let window = 15 * 60;
    let due: Vec<usize> = app
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.expires
                .is_some_and(|t| t.as_second() - now.as_second() <= window)
        })
        .map(|(i, _)| i)
        .collect();
    if due.is_empty() {
        set_status(app, "no cached session expires within 15 minutes".into(), false);
    }
    due.into_iter()
        .flat_map(|t| start(app, t, Purpose::Refresh, true, None))
        .collect()
}
