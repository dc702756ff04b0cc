//! The helper-command panel: a command hats runs for a value (`mfa_process`,
//! `web_identity_token_process`, a SAML `assertion_process`) writes on stderr,
//! which the runner captures so the screen never tears. The panel shows the
//! last lines while it runs, closes when it succeeds, and stays after a failure
//! until a key is pressed.

use super::App;
use crate::session::HelperEvent;
use crate::tui::state::HelperOutput;

/// Lines kept: the panel shows the end of what the command wrote.
const KEPT: usize = 6;

pub(super) fn on_event(app: &mut App, event: HelperEvent) {
    match event {
        HelperEvent::Started { id, label } => {
            app.helper = Some(HelperOutput {
                id,
                label,
                lines: Vec::new(),
                failed: false,
            });
        }
        HelperEvent::Line { id, line } => {
            if let Some(helper) = app.helper.as_mut().filter(|h| h.id == id) {
                helper.lines.push(line);
                let extra = helper.lines.len().saturating_sub(KEPT);
                helper.lines.drain(..extra);
            }
        }
        HelperEvent::Finished { id, ok } => {
            if let Some(helper) = app.helper.as_mut().filter(|h| h.id == id) {
                if ok || helper.lines.is_empty() {
                    app.helper = None;
                } else {
                    // What it said is why it failed: keep it on screen.
                    helper.failed = true;
                }
            }
        }
    }
}

/// A key closes the panel of a failed command (and does nothing else).
pub(super) fn dismiss(app: &mut App) -> bool {
    if app.helper.as_ref().is_some_and(|h| h.failed) {
        app.helper = None;
        return true;
    }
    false
}
