//! The filter box and where the selection goes when the visible list changes.
//!
//! The rule that keeps actions on the row the user sees: the selection is a
//! *target*, not a row number. Whenever the list changes (typing, clearing the
//! filter, an organization sync, a re-sort) the cursor stays on the same
//! target if it is still listed. Only two things move it elsewhere, always to
//! the best match at the top, where the user is looking:
//! - the target is no longer listed (filtered out, or gone after a sync);
//! - the user is typing and has not picked a row yet (`App::chosen` unset),
//!   so the best match is what they are asking for, as in fzf.
//!
//! Focus: while `App::filtering`, keys edit the filter (with the shell's
//! `Ctrl-W`, `Ctrl-U`, `Ctrl-H`); `Tab` leaves the box keeping the filter, so
//! every action key works on the filtered list; `Enter` acts on the match;
//! `Esc` clears the filter. In the list, `Esc` clears a kept filter first and
//! quits only when there is nothing to clear (see `on_list_key`).

use super::{App, Effect, Purpose, guarded};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Keys while the filter box has focus.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => {
            app.filtering = false;
            clear(app);
        }
        KeyCode::Tab | KeyCode::BackTab => app.filtering = false,
        KeyCode::Enter => {
            app.filtering = false;
            app.chosen = true;
            return guarded(app, Purpose::Shell);
        }
        KeyCode::Up => move_by(app, -1),
        KeyCode::Down => move_by(app, 1),
        KeyCode::Backspace => edit(app, |text| {
            text.pop();
        }),
        KeyCode::Char('h') if ctrl => edit(app, |text| {
            text.pop();
        }),
        KeyCode::Char('w') if ctrl => edit(app, delete_word),
        KeyCode::Char('u') if ctrl => edit(app, String::clear),
        KeyCode::Char(c) if !ctrl => edit(app, |text| text.push(c)),
        _ => {}
    }
    Vec::new()
}

/// Changes the filter text as typed and re-lists the rows.
fn edit(app: &mut App, change: impl FnOnce(&mut String)) {
    let before = app.filter.text.len();
    change(&mut app.filter.text);
    if app.filter.text.len() != before {
        relist(app, true);
    }
}

/// `Ctrl-W` as in a shell: the word before the cursor (at the end), and the
/// blanks after it.
fn delete_word(text: &mut String) {
    let kept = text.trim_end().len();
    text.truncate(kept);
    let start = text.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    text.truncate(start);
}

/// Clears a kept filter; the selection stays on its target.
pub(super) fn clear(app: &mut App) {
    if !app.filter.text.is_empty() {
        app.filter.text.clear();
        relist(app, false);
    }
}

/// Recomputes the visible rows, keeping the selection on its target (see the
/// module docs). `typed`: the change comes from typing in the filter box.
pub(super) fn relist(app: &mut App, typed: bool) {
    let target = app.selected_entry().or(app.unlisted);
    app.filter.apply(&app.entries);
    app.unlisted = target.filter(|_| app.filter.matches.is_empty());
    let follow = !typed || app.chosen;
    select(app, target.filter(|_| follow));
}

/// Puts the cursor on `target` if it is listed, else on the best match.
pub(super) fn select(app: &mut App, target: Option<usize>) {
    let row = target.and_then(|t| app.filter.matches.iter().position(|m| m.index == t));
    if let Some(row) = row {
        app.selected = row;
    } else {
        app.selected = 0;
        app.chosen = false;
    }
}

/// Moves the cursor by `delta` rows; the row it lands on is the user's choice.
pub(super) fn move_by(app: &mut App, delta: isize) {
    let last = app.filter.matches.len().saturating_sub(1);
    app.selected = app.selected.saturating_add_signed(delta).min(last);
    app.chosen = true;
}

/// Puts the cursor on row `row` of the visible list, as chosen by the user.
pub(super) fn move_to(app: &mut App, row: usize) {
    app.selected = row.min(app.filter.matches.len().saturating_sub(1));
    app.chosen = true;
}

#[cfg(test)]
mod tests {
    use super::delete_word;

    #[test]
    fn ctrl_w_deletes_the_last_word_and_the_blanks_after_it() {
        for (before, after) in [
            ("prod admin", "prod "),
            ("prod admin  ", "prod "),
            ("admin", ""),
            ("", ""),
            ("   ", ""),
            ("a b c", "a b "),
            ("équipe données", "équipe "),
        ] {
            let mut text = before.to_owned();
            delete_word(&mut text);
            assert_eq!(text, after, "{before:?}");
        }
    }
}
