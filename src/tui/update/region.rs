//! The region picker (`w`): typing narrows the regions, `↑ ↓` move, `Enter`
//! picks the highlighted one for the selected row (remembered in prefs; used
//! by the switcher's later exports, subshells and console), `Esc` cancels.
//!
//! The pick belongs to the switcher: `hats env`, `exec`, `shell` and
//! `use TARGET` never read it, so a script gets the same region wherever it
//! runs (the AWS config's `region`, or `--region`). The switcher says so
//! where the pick shows (picker title, detail pane, status line, help).

use super::{App, Effect, Overlay, prefs, set_status};
use crate::domain::Partition;
use crate::tui::regions::{Choice, choices};
use crate::tui::state::RegionPicker;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Opens the picker on the selected row, at its current choice.
pub(super) fn open(app: &mut App) {
    let Some(target) = app.selected_entry() else {
        return;
    };
    let current = app.entries[target].region_choice.as_deref();
    let line = choices(partition_of(app, target), "")
        .iter()
        .position(|c| matches!(c, Choice::Region(code, _) if Some(*code) == current))
        .unwrap_or(0);
    app.overlay = Overlay::Region(RegionPicker {
        target,
        query: String::new(),
        line,
    });
}

/// The partition of row `target`, whose regions the picker offers.
fn partition_of(app: &App, target: usize) -> Partition {
    app.entries.get(target).map(|e| e.partition).unwrap_or_default()
}

/// Keys while the picker is open.
pub(super) fn on_key(app: &mut App, mut picker: RegionPicker, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let count = choices(partition_of(app, picker.target), &picker.query).len();
    match key.code {
        KeyCode::Esc => {
            app.overlay = Overlay::None;
            return Vec::new();
        }
        KeyCode::Up => picker.line = picker.line.saturating_sub(1),
        KeyCode::Down => picker.line = (picker.line + 1).min(count.saturating_sub(1)),
        KeyCode::PageUp => picker.line = picker.line.saturating_sub(10),
        KeyCode::PageDown => picker.line = (picker.line + 10).min(count.saturating_sub(1)),
        KeyCode::Enter => return pick(app, &picker),
        KeyCode::Backspace => retype(&mut picker, |q| {
            q.pop();
        }),
        KeyCode::Char('h') if ctrl => retype(&mut picker, |q| {
            q.pop();
        }),
        KeyCode::Char('u') if ctrl => retype(&mut picker, String::clear),
        KeyCode::Char(c) if !ctrl => retype(&mut picker, |q| q.push(c)),
        _ => {}
    }
    app.overlay = Overlay::Region(picker);
    Vec::new()
}

/// A new query: the first match is highlighted.
fn retype(picker: &mut RegionPicker, change: impl FnOnce(&mut String)) {
    change(&mut picker.query);
    picker.line = 0;
}

/// Uses the highlighted choice; with none (nothing matches), keeps the picker open.
fn pick(app: &mut App, picker: &RegionPicker) -> Vec<Effect> {
    let Some(choice) = choices(partition_of(app, picker.target), &picker.query)
        .get(picker.line)
        .copied()
    else {
        set_status(app, format!("no region matches \"{}\"", picker.query), true);
        return Vec::new();
    };
    app.overlay = Overlay::None;
    let entry = &mut app.entries[picker.target];
    entry.region_choice = match choice {
        Choice::Configured => None,
        Choice::Region(code, _) => Some(code.to_owned()),
    };
    let shown = entry
        .region_choice
        .as_deref()
        .or(entry.region.as_deref())
        .unwrap_or("-")
        .to_owned();
    let text = format!(
        "{} uses region {shown} in this switcher (commands given a target use the AWS config's)",
        entry.name
    );
    set_status(app, text, false);
    vec![Effect::SavePrefs(prefs(app))]
}
