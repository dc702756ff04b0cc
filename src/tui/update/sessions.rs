//! What the rows and the header say about cached sessions, kept true while
//! other processes make, forget or sign out sessions: the runner reads the
//! session index again (when it changed, and when the terminal regains focus)
//! and every row takes what it lists. A forget in the switcher clears its row.

use super::{App, Sessions, set_status};

/// The index as read now: every row counts down what it lists, and only that.
pub(super) fn reread(app: &mut App, read: Sessions) {
    if !app.caching {
        return;
    }
    let mut live = read.rows.into_iter().peekable();
    for (i, entry) in app.entries.iter_mut().enumerate() {
        let found = live.next_if(|(row, _, _)| *row == i);
        // A refresh in flight reports its own result.
        if entry.refreshing.is_some() {
            continue;
        }
        match found {
            Some((_, expires, arn)) => {
                entry.expires = Some(expires);
                entry.assumed_arn = arn;
            }
            None => {
                entry.expires = None;
                entry.assumed_arn = None;
            }
        }
    }
    app.mfa_sessions = read.mfa_sessions;
}

/// A forget finished; the row is found by name (a sync may have moved it).
pub(super) fn forgotten(app: &mut App, target: usize, name: &str, outcome: Result<(), String>) {
    match outcome {
        Ok(()) => {
            let row = if app.entries.get(target).is_some_and(|e| e.name == name) {
                Some(target)
            } else {
                app.entries.iter().position(|e| e.name == name)
            };
            if let Some(row) = row {
                app.entries[row].expires = None;
                app.entries[row].assumed_arn = None;
            }
            set_status(app, format!("forgot the cached session of {name}"), false);
        }
        Err(e) => set_status(app, e, true),
    }
}
