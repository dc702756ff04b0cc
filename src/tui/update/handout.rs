//! The selection model: which target a hand-out is for, and what cancels it.
//! (ARCHITECTURE.md states the same rules; the tests in `tui/tests/selection.rs`
//! and `tests/cli/tui_selection.rs` hold them.)
//!
//! - A hand-out (`Enter` shell, `e` exports, `c` copy, `o` console) is for the
//!   row highlighted when its key was pressed; on a production row it starts
//!   only once the guard box is answered. At most one is pending
//!   (`App::handout`); the status line names its target, and `Esc` cancels it.
//! - Any new action on any row cancels it: another hand-out (opening its
//!   guard box included), `r`, `R`, `d`, `f`, `w`, `p`, `S`, a double-click,
//!   and anything that opens a box or the filter (`/`, `Tab`, `?`, `m`): keys
//!   typed there are meant for hats, and a shell opening would take them.
//!   Moving the cursor does not cancel it.
//! - A reply for a cancelled request is never handed out (its session stays
//!   cached: the row shows it once the index is read again). An MFA question
//!   it asks is answered "cancelled" at once.
//! - Credentials are handed out only while no box takes keys: with a box
//!   open (other than an MFA prompt whose code was already sent) the reply is
//!   dropped, so a key typed into a box never reaches a shell.

use super::{App, Effect, Overlay, Purpose, set_status};
use crate::tui::state::Guard;

/// Hands out credentials for the selected row, asking first when it is production.
pub(super) fn guarded(app: &mut App, purpose: Purpose) -> Vec<Effect> {
    let mut effects = supersede(app);
    let Some(target) = app.selected_entry() else {
        return effects;
    };
    let entry = &app.entries[target];
    if entry.production {
        app.overlay = Overlay::Guard(Guard {
            target,
            purpose,
            expected: entry.account_name.as_deref().unwrap_or(&entry.name).to_owned(),
            input: String::new(),
            error: None,
        });
        return effects;
    }
    effects.extend(start(app, target, purpose, false, None));
    effects
}

/// A new request: it cancels the pending hand-out; a hand-out becomes the
/// pending one, a refresh is tracked on its row. The request is the last effect.
pub(super) fn start(
    app: &mut App,
    target: usize,
    purpose: Purpose,
    refresh: bool,
    mfa_code: Option<String>,
) -> Vec<Effect> {
    let mut effects = supersede(app);
    app.generation += 1;
    let generation = app.generation;
    let name = app.entries[target].name.clone();
    if purpose == Purpose::Refresh {
        app.start_refresh(target, generation);
        set_status(app, format!("refreshing {name}…"), false);
    } else {
        app.handout = Some((generation, target, purpose));
        set_status(
            app,
            format!("getting credentials for {name}… (Esc cancels)"),
            false,
        );
    }
    effects.push(Effect::Resolve {
        generation,
        target,
        purpose,
        refresh,
        mfa_code,
        preset: app.entries[target].preset.clone(),
    });
    effects
}

/// Cancels the pending hand-out, if any: its reply will be dropped. MFA
/// questions it left waiting behind a box are answered "cancelled".
pub(super) fn supersede(app: &mut App) -> Vec<Effect> {
    let Some((generation, target, _)) = app.handout.take() else {
        return Vec::new();
    };
    let name = app.entries[target].name.clone();
    set_status(app, format!("stopped getting credentials for {name}"), false);
    let mut effects = Vec::new();
    app.queued.retain(|modal| {
        let theirs = modal.generation == Some(generation);
        if theirs && let Some(id) = modal.ask {
            effects.push(Effect::CancelMfa { id });
        }
        !theirs
    });
    effects
}

/// Whether request `generation` is still wanted: the pending hand-out or a
/// row's refresh.
pub(super) fn is_live(app: &App, generation: u64) -> bool {
    app.handout.is_some_and(|(g, _, _)| g == generation)
        || app.run.as_ref().is_some_and(|r| r.id == generation && !r.ended)
        || app.entries.iter().any(|e| e.refreshing == Some(generation))
}

/// Whether the credentials of request `generation` may leave now: no box
/// takes keys (an MFA prompt of this request, or one whose code was sent, does not).
pub(super) fn may_hand_out(app: &App, generation: u64) -> bool {
    let free = match &app.overlay {
        Overlay::None => true,
        Overlay::Mfa(modal) => modal.waiting || modal.generation == Some(generation),
        _ => false,
    };
    free && !app.filtering
}
