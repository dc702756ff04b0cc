//! `S` and the background sync: organization and Identity Center discovery,
//! and putting the rebuilt rows in place without losing the user's place.

use super::{App, Effect, filtering, mark_served, set_status};

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

/// The sync's name at the start of a status line.
pub(super) fn sync_label(app: &App) -> &'static str {
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

/// Puts freshly built rows in place, keeping the filter and the selected target.
pub(super) fn swap_entries(app: &mut App, entries: Vec<crate::tui::state::Entry>) {
    let selected = app.selected_entry().map(|i| app.entries[i].name.clone());
    let count = entries.len();
    app.replace_entries(entries);
    app.filter.rows_changed();
    mark_served(app);
    // Requests in flight refer to the old rows: their replies are dropped.
    app.handout = None;
    app.syncing = false;
    app.filter.apply(&app.entries);
    // Row indexes of the old rows mean nothing now.
    app.unlisted = None;
    let target = selected.and_then(|name| app.entries.iter().position(|e| e.name == name));
    filtering::select(app, target);
    set_status(app, format!("{} synced: {count} targets", sync_label(app)), false);
}
