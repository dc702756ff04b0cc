//! Pointer and row bookkeeping: mouse scrolling and clicks, the recently used
//! order, what the preferences file remembers, and served-command markers.

use super::filtering::{move_by, move_to};
use super::{Effect, guarded};
use crate::tui::state::{App, Overlay, Purpose};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use jiff::Timestamp;

/// Two clicks on one row within this many milliseconds are a double-click.
const DOUBLE_CLICK_MS: i64 = 400;

pub(super) fn on_mouse(app: &mut App, mouse: MouseEvent, now: Timestamp) -> Vec<Effect> {
    if app.overlay != Overlay::None {
        return Vec::new();
    }
    match mouse.kind {
        MouseEventKind::ScrollDown => move_by(app, 3),
        MouseEventKind::ScrollUp => move_by(app, -3),
        MouseEventKind::Down(MouseButton::Left) => {
            let Some(row) = crate::tui::view::row_at(app, mouse.row) else {
                return Vec::new();
            };
            move_to(app, row);
            let double = app.last_click.is_some_and(|(r, at)| {
                r == row && now.as_millisecond() - at.as_millisecond() < DOUBLE_CLICK_MS
            });
            app.last_click = Some((row, now));
            if double {
                app.last_click = None;
                return guarded(app, Purpose::Shell);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Moves `target` to the front of the recently used list.
pub(super) fn mark_recent(app: &mut App, target: usize) {
    let previous = app.entries[target].recent;
    for entry in &mut app.entries {
        match (entry.recent, previous) {
            (Some(r), Some(p)) if r < p => entry.recent = Some(r + 1),
            (Some(r), None) => entry.recent = (r + 1 < crate::tui::prefs::RECENT_MAX).then_some(r + 1),
            _ => {}
        }
    }
    app.entries[target].recent = Some(0);
}

/// What to remember, from the rows.
pub(super) fn prefs(app: &App) -> crate::tui::prefs::Prefs {
    let mut recent: Vec<(usize, String)> = app
        .entries
        .iter()
        .filter_map(|e| e.recent.map(|r| (r, e.name.clone())))
        .collect();
    recent.sort();
    crate::tui::prefs::Prefs {
        favourites: app
            .entries
            .iter()
            .filter(|e| e.favourite)
            .map(|e| e.name.clone())
            .collect(),
        recent: recent.into_iter().map(|(_, n)| n).collect(),
        regions: app
            .entries
            .iter()
            .filter_map(|e| e.region_choice.clone().map(|r| (e.name.clone(), r)))
            .collect(),
    }
}

/// Shows each served command on its target's row.
pub(super) fn mark_served(app: &mut App) {
    for entry in app.entries.iter_mut().filter(|e| !e.served.is_empty()) {
        entry.served.clear();
    }
    for served in &app.served {
        if let Some(entry) = app.entries.iter_mut().find(|e| e.name == served.target) {
            entry.served.push(served.clone());
        }
    }
}
