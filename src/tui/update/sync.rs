//! `S` and the background sync: organization and Identity Center discovery,
//! and putting the rebuilt rows in place without losing the user's place:
//! the selection, the pending hand-out and an open box follow their target
//! to its new row (by name); a box whose target is gone says so.

use super::modal::close_waiting_modal;
use super::{App, Effect, Overlay, filtering, mark_served, set_status};
use crate::tui::state::Entry;

/// Starts an organization and Identity Center sync unless one runs or nothing is configured.
pub fn sync(app: &mut App) -> Vec<Effect> {
    if !app.organization && !app.identity_center {
        set_status(
            app,
            "nothing to sync: no [organization] in hats config, no sso-session in the AWS config".into(),
            false,
        );
        return Vec::new();
    }
    if app.syncing {
        return Vec::new();
    }
    app.syncing = true;
    set_status(app, format!("syncing {}…", synced_what(app)), false);
    vec![Effect::Sync]
}

/// The sync failed: the rows stay.
pub(super) fn failed(app: &mut App, error: &str) {
    app.syncing = false;
    close_waiting_modal(app);
    let text = format!(
        "{} sync failed, the previous list is kept: {error}",
        sync_label(app)
    );
    set_status(app, text, true);
}

/// The sync finished: its rows replace the old ones.
pub(super) fn synced(
    app: &mut App,
    entries: Vec<Entry>,
    mfa_sessions: Vec<(String, Option<jiff::Timestamp>)>,
    partial: Option<String>,
) -> Vec<Effect> {
    close_waiting_modal(app);
    app.mfa_sessions = mfa_sessions;
    let effects = swap_entries(app, entries);
    if let Some(failure) = partial {
        let synced = app.status.take().map(|s| s.text).unwrap_or_default();
        set_status(app, format!("{synced}; {failure}"), true);
    }
    effects
}

/// The sync's name at the start of a status line.
fn sync_label(app: &App) -> &'static str {
    match (app.organization, app.identity_center) {
        (true, true) => "organization and Identity Center",
        (false, true) => "Identity Center",
        _ => "organization",
    }
}

/// What `S` discovers, for status lines.
fn synced_what(app: &App) -> &'static str {
    match (app.organization, app.identity_center) {
        (true, true) => "the organization and Identity Center",
        (false, true) => "Identity Center",
        _ => "the organization",
    }
}

/// Puts freshly built rows in place, keeping the filter and the selected
/// target; a sign-in for a target that is gone is cancelled.
fn swap_entries(app: &mut App, entries: Vec<Entry>) -> Vec<Effect> {
    let selected = app.selected_entry().map(|i| app.entries[i].name.clone());
    let count = entries.len();
    let old = std::mem::take(&mut app.entries);
    app.replace_entries(entries);
    let moved = |row: usize| {
        let name = &old.get(row)?.name;
        app.entries.iter().position(|e| e.name == *name)
    };
    // The pending hand-out follows its target (the runner answers it by row).
    app.handout = app
        .handout
        .and_then(|(g, row, purpose)| moved(row).map(|row| (g, row, purpose)));
    let gone = retarget(&mut app.overlay, &moved);
    for modal in &mut app.queued {
        modal.retry = modal.retry.and_then(|(row, p)| moved(row).map(|row| (row, p)));
    }
    app.filter.rows_changed();
    mark_served(app);
    app.syncing = false;
    app.filter.apply(&app.entries);
    // Row indexes of the old rows mean nothing now.
    app.unlisted = None;
    let target = selected.and_then(|name| app.entries.iter().position(|e| e.name == name));
    filtering::select(app, target);
    set_status(app, format!("{} synced: {count} targets", sync_label(app)), false);
    let Some(row) = gone else {
        return Vec::new();
    };
    let signing_in = matches!(app.overlay, Overlay::SignIn(_));
    app.overlay = Overlay::Message(format!(
        "{} is no longer listed after the sync: nothing was done for it. (Enter closes)",
        old[row].name
    ));
    if signing_in {
        vec![Effect::CancelSignIn]
    } else {
        Vec::new()
    }
}

/// Points the open box at its target's new row; returns its old row when the
/// target is gone (the caller replaces the box).
fn retarget(overlay: &mut Overlay, moved: &dyn Fn(usize) -> Option<usize>) -> Option<usize> {
    let row = match overlay {
        Overlay::ConfirmForget(row) | Overlay::Preset(row, _) => row,
        Overlay::Guard(guard) => &mut guard.target,
        Overlay::Region(picker) => &mut picker.target,
        Overlay::SignIn(modal) => &mut modal.target,
        Overlay::Mfa(modal) => match &mut modal.retry {
            Some((row, _)) => row,
            None => return None,
        },
        Overlay::Run(prompt) => {
            for row in &mut prompt.targets {
                match moved(*row) {
                    Some(new) => *row = new,
                    None => return Some(*row),
                }
            }
            return None;
        }
        Overlay::None | Overlay::Help(_) | Overlay::Message(_) | Overlay::Output(_) => return None,
    };
    let old = *row;
    match moved(old) {
        Some(new) => {
            *row = new;
            None
        }
        None => Some(old),
    }
}
