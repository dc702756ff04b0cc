//! The modal prompts: the MFA code (digits only, six of them, sent to the
//! engine's waiting question or retried after a rejected code; a question
//! that comes while another box is open waits its turn) and the production
//! guard (type the alias or `yes`).

use super::handout::is_live;
use super::{App, Effect, Overlay, Purpose, set_status, start};
use crate::tui::state::{Guard, MfaModal};
use crossterm::event::{KeyCode, KeyEvent};

/// Shown when Enter is pressed before six digits are typed.
const SIX_DIGITS: &str = "the code has 6 digits";

/// The engine asks for a code for request `generation` (`None`: a sync). A
/// cancelled request is answered "cancelled" at once; otherwise the prompt
/// opens, or waits for the open box to close.
pub(super) fn asked(app: &mut App, id: u64, serial: String, generation: Option<u64>) -> Vec<Effect> {
    if generation.is_some_and(|g| !is_live(app, g)) {
        return vec![Effect::CancelMfa { id }];
    }
    let run = app.run.as_ref().filter(|r| generation == Some(r.id));
    let target = generation.and_then(|g| asking_row(app, g)).map_or_else(
        || {
            if let Some(run) = run {
                let n = run.rows.len();
                format!("run on {n} target{}", if n == 1 { "" } else { "s" })
            } else if app.syncing {
                "organization sync".to_owned()
            } else {
                String::new()
            }
        },
        |t| app.entries[t].name.clone(),
    );
    let modal = MfaModal {
        serial,
        target,
        input: String::new(),
        ask: Some(id),
        retry: None,
        error: None,
        waiting: false,
        generation,
    };
    if app.overlay == Overlay::None {
        app.overlay = Overlay::Mfa(modal);
    } else {
        app.queued.push(modal);
    }
    Vec::new()
}

/// The row request `generation` is for.
fn asking_row(app: &App, generation: u64) -> Option<usize> {
    match app.handout {
        Some((g, target, _)) if g == generation => Some(target),
        _ => app.entries.iter().position(|e| e.refreshing == Some(generation)),
    }
}

/// Opens the next waiting MFA prompt once no box is open; questions of
/// requests cancelled meanwhile are answered "cancelled".
pub(super) fn show_queued(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    while app.overlay == Overlay::None && !app.queued.is_empty() {
        let modal = app.queued.remove(0);
        if modal.generation.is_some_and(|g| !is_live(app, g)) {
            effects.extend(modal.ask.map(|id| Effect::CancelMfa { id }));
        } else {
            app.overlay = Overlay::Mfa(modal);
        }
    }
    effects
}

pub(super) fn on_mfa_key(app: &mut App, mut modal: MfaModal, key: KeyEvent) -> Vec<Effect> {
    if modal.waiting {
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc => {
            app.overlay = Overlay::None;
            if app.handout.is_some_and(|(g, _, _)| Some(g) == modal.generation) {
                app.handout = None;
            }
            set_status(app, "MFA cancelled".into(), false);
            return modal.ask.map(|id| Effect::CancelMfa { id }).into_iter().collect();
        }
        KeyCode::Backspace => {
            modal.input.pop();
        }
        KeyCode::Char(c) if c.is_ascii_digit() && modal.input.len() < 6 => {
            modal.input.push(c);
            // The hint is answered once the sixth digit is in.
            if modal.input.len() == 6 && modal.error.as_deref() == Some(SIX_DIGITS) {
                modal.error = None;
            }
        }
        KeyCode::Enter if modal.input.len() == 6 => return send_code(app, modal),
        KeyCode::Enter => modal.error = Some(SIX_DIGITS.into()),
        _ => {}
    }
    app.overlay = Overlay::Mfa(modal);
    Vec::new()
}

/// Answers the engine's question with the typed code, or starts the request
/// again with it after a rejected one.
fn send_code(app: &mut App, mut modal: MfaModal) -> Vec<Effect> {
    modal.waiting = true;
    modal.error = None;
    let code = modal.input.clone();
    let effects = match (modal.ask.take(), modal.retry.take()) {
        (Some(id), _) => vec![Effect::AnswerMfa { id, code }],
        (None, Some((target, purpose))) => {
            let effects = start(app, target, purpose, purpose == Purpose::Refresh, Some(code));
            modal.generation = Some(app.generation);
            effects
        }
        (None, None) => Vec::new(),
    };
    app.overlay = Overlay::Mfa(modal);
    effects
}

pub(super) fn on_guard_key(app: &mut App, mut guard: Guard, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            app.overlay = Overlay::None;
            return Vec::new();
        }
        KeyCode::Backspace => {
            guard.input.pop();
        }
        KeyCode::Char(c) => guard.input.push(c),
        KeyCode::Enter => {
            let answer = guard.input.trim();
            if answer == "yes" || answer == guard.expected {
                app.overlay = Overlay::None;
                return start(app, guard.target, guard.purpose, false, None);
            }
            guard.error = Some(format!("type \"{}\" or \"yes\"", guard.expected));
            guard.input.clear();
        }
        _ => {}
    }
    app.overlay = Overlay::Guard(guard);
    Vec::new()
}

/// Tells the engine every pending MFA question is cancelled (Ctrl-C quits).
pub(super) fn cancel_pending_mfa(app: &mut App) -> Vec<Effect> {
    let open = match &app.overlay {
        Overlay::Mfa(MfaModal { ask: Some(id), .. }) => Some(*id),
        _ => None,
    };
    open.into_iter()
        .chain(app.queued.drain(..).filter_map(|m| m.ask))
        .map(|id| Effect::CancelMfa { id })
        .collect()
}

/// Closes an MFA modal whose code was sent for a request that has now finished.
pub(super) fn close_waiting_modal(app: &mut App) {
    if matches!(&app.overlay, Overlay::Mfa(m) if m.waiting) {
        app.overlay = Overlay::None;
    }
}
