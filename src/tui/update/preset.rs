//! The scope-down picker (`p`): chooses a preset from hats config for the
//! selected row; later hand-outs of that row get a session scoped down by it.
//!
//! Pure state changes like the rest of `update`; the preset's policy is read
//! and checked by the runner when credentials are requested.

use super::{App, Effect, Overlay, set_status};
use crossterm::event::{KeyCode, KeyEvent};

/// Opens the picker on the selected row, at its current preset.
pub(super) fn open(app: &mut App) {
    let Some(target) = app.selected_entry() else {
        return;
    };
    if app.presets.is_empty() {
        set_status(
            app,
            "no presets in hats config; add [preset.NAME] with policy_arns or policy".into(),
            false,
        );
        return;
    }
    if !app.entries[target].is_role {
        set_status(
            app,
            format!(
                "{} is an MFA user session; only role sessions can be scoped down",
                app.entries[target].name
            ),
            true,
        );
        return;
    }
    let current = app.entries[target].preset.as_ref();
    let line = current
        .and_then(|p| app.presets.iter().position(|n| n == p))
        .map_or(0, |i| i + 1);
    app.overlay = Overlay::Preset(target, line);
}

/// Keys while the picker is open.
pub(super) fn on_key(app: &mut App, target: usize, line: usize, key: KeyEvent) -> Vec<Effect> {
    let last = app.presets.len();
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => app.overlay = Overlay::None,
        KeyCode::Up | KeyCode::Char('k') => app.overlay = Overlay::Preset(target, line.saturating_sub(1)),
        KeyCode::Down | KeyCode::Char('j') => app.overlay = Overlay::Preset(target, (line + 1).min(last)),
        KeyCode::Enter => {
            app.overlay = Overlay::None;
            let chosen = line.checked_sub(1).and_then(|i| app.presets.get(i)).cloned();
            let entry = &mut app.entries[target];
            if entry.preset != chosen {
                // The scoped countdown belonged to the previous preset.
                entry.scoped_expires = None;
            }
            entry.preset = chosen;
            let text = match &entry.preset {
                Some(p) => format!("{} hands out sessions scoped down by preset {p}", entry.name),
                None => format!("{} hands out unscoped sessions", entry.name),
            };
            set_status(app, text, false);
        }
        _ => {}
    }
    Vec::new()
}
