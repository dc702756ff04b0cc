//! The modal prompts: the MFA code (digits only, six of them, sent to the
//! engine's waiting question or retried after a rejected code) and the
//! production guard (type the alias or `yes`).

use super::{App, Effect, Guard, MfaModal, Overlay, Purpose, set_status, start};
use crossterm::event::{KeyCode, KeyEvent};

/// Shown when Enter is pressed before six digits are typed.
const SIX_DIGITS: &str = "the code has 6 digits";

pub(super) fn on_mfa_key(app: &mut App, mut modal: MfaModal, key: KeyEvent) -> Vec<Effect> {
    if modal.waiting {
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc => {
            app.overlay = Overlay::None;
            app.handout = None;
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
        KeyCode::Enter if modal.input.len() == 6 => {
            modal.waiting = true;
            modal.error = None;
            let code = modal.input.clone();
            let effect = match (modal.ask.take(), modal.retry.take()) {
                (Some(id), _) => Some(Effect::AnswerMfa { id, code }),
                (None, Some((target, purpose))) => Some(start(
                    app,
                    target,
                    purpose,
                    purpose == Purpose::Refresh,
                    Some(code),
                )),
                (None, None) => None,
            };
            app.overlay = Overlay::Mfa(modal);
            return effect.into_iter().collect();
        }
        KeyCode::Enter => modal.error = Some(SIX_DIGITS.into()),
        _ => {}
    }
    app.overlay = Overlay::Mfa(modal);
    Vec::new()
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
                return vec![start(app, guard.target, guard.purpose, false, None)];
            }
            guard.error = Some(format!("type \"{}\" or \"yes\"", guard.expected));
            guard.input.clear();
        }
        _ => {}
    }
    app.overlay = Overlay::Guard(guard);
    Vec::new()
}

/// Tells the engine a pending MFA question is cancelled (Ctrl-C quits).
pub(super) fn cancel_pending_mfa(app: &mut App) -> Vec<Effect> {
    match &app.overlay {
        Overlay::Mfa(MfaModal { ask: Some(id), .. }) => vec![Effect::CancelMfa { id: *id }],
        _ => Vec::new(),
    }
}

/// Closes an MFA modal whose code was sent for a request that has now finished.
pub(super) fn close_waiting_modal(app: &mut App) {
    if matches!(&app.overlay, Overlay::Mfa(m) if m.waiting) {
        app.overlay = Overlay::None;
    }
}
