//! A finished request for credentials: drop it when superseded, else record
//! the new session's expiry and hand the credentials out (or show the error,
//! in the MFA modal when a code was just sent).

use super::handout::may_hand_out;
use super::{App, Effect, Failure, Overlay, Purpose, mark_recent, prefs, set_status};
use jiff::Timestamp;

/// A finished request, as `Msg::Resolved` carries it.
pub(super) struct Reply {
    pub(super) generation: u64,
    pub(super) target: usize,
    pub(super) purpose: Purpose,
    pub(super) outcome: Result<(Timestamp, Option<String>), Failure>,
    pub(super) preset: Option<String>,
}

/// What leads an AccessDenied that follows a typed code: the code is the
/// usual cause, and the modal must not cut that part off.
const CODE_REFUSED: &str =
    "the code was wrong or already used (each code works once: wait for the next one), or access was denied:";

pub(super) fn on_resolved(
    app: &mut App,
    reply: Reply,
    mfa_sessions: Vec<(String, Option<Timestamp>)>,
) -> Vec<Effect> {
    let Some(target) = current_row(app, &reply) else {
        return superseded(app, &reply);
    };
    if !mfa_sessions.is_empty() {
        app.mfa_sessions = mfa_sessions;
    }
    if reply.purpose == Purpose::Refresh {
        app.end_refresh(target);
    } else {
        app.handout = None;
    }
    let generation = reply.generation;
    match reply.outcome {
        Ok((expires, arn)) => {
            record(app, target, expires, arn, reply.preset.is_some());
            granted(app, target, generation, reply.purpose)
        }
        Err(failure) => {
            failed(app, (generation, target, reply.purpose), failure);
            Vec::new()
        }
    }
}

/// The row of the request if it is still wanted (the pending hand-out, whose
/// row a sync may have moved, or the row's refresh).
fn current_row(app: &App, reply: &Reply) -> Option<usize> {
    if reply.purpose == Purpose::Refresh {
        let row = app.entries.get(reply.target)?;
        return (row.refreshing == Some(reply.generation)).then_some(reply.target);
    }
    match app.handout {
        Some((g, target, _)) if g == reply.generation => Some(target),
        _ => None,
    }
}

/// A reply for a request the user has moved on from never overwrites newer
/// state and is never handed out.
fn superseded(app: &mut App, reply: &Reply) -> Vec<Effect> {
    let quiet = reply.purpose == Purpose::Refresh || app.handout.is_some() || reply.outcome.is_err();
    if !quiet {
        set_status(
            app,
            "an earlier request finished after you moved on: nothing was handed out".into(),
            false,
        );
    }
    vec![Effect::Discard {
        generation: reply.generation,
    }]
}

/// Records the new session's expiry on the row. Without a cache the session
/// is used once: nothing to count down.
fn record(app: &mut App, target: usize, expires: Timestamp, arn: Option<String>, scoped: bool) {
    if !app.caching {
        return;
    }
    let entry = &mut app.entries[target];
    if scoped {
        // A scoped session is a session of its own: the unscoped one keeps its countdown.
        entry.scoped_expires = Some(expires);
    } else {
        entry.expires = Some(expires);
        entry.assumed_arn = arn;
    }
}

/// Hands the credentials out, unless a box takes keys now.
fn granted(app: &mut App, target: usize, generation: u64, purpose: Purpose) -> Vec<Effect> {
    let name = app.entries[target].name.clone();
    if purpose == Purpose::Refresh {
        set_status(app, format!("refreshed {name}"), false);
        return vec![Effect::Discard { generation }];
    }
    if !may_hand_out(app, generation) {
        let text = format!("credentials for {name} came while a box was open: not handed out");
        set_status(app, text, true);
        return vec![Effect::Discard { generation }];
    }
    if matches!(app.overlay, Overlay::Mfa(_)) {
        app.overlay = Overlay::None;
    }
    let text = match purpose {
        Purpose::Copy => format!("copied exports for {name} to the clipboard (OSC 52)"),
        Purpose::Console => format!("opening the AWS console for {name}…"),
        Purpose::Shell => format!("back from the shell for {name}"),
        Purpose::Env | Purpose::Refresh => String::new(),
    };
    set_status(app, text, false);
    if purpose == Purpose::Env {
        app.quit = true;
    }
    mark_recent(app, target);
    let region = app.entries[target].region_choice.clone();
    vec![
        Effect::HandOut {
            generation,
            target,
            purpose,
            region,
        },
        Effect::SavePrefs(prefs(app)),
    ]
}

/// Shows why request (generation, row, purpose) failed: in its MFA modal
/// when a code was just sent (asking again in place), else in the status line.
fn failed(app: &mut App, (generation, target, purpose): (u64, usize, Purpose), failure: Failure) {
    if let Overlay::Mfa(modal) = &mut app.overlay
        && modal.waiting
        && modal.generation == Some(generation)
    {
        modal.waiting = false;
        modal.input.clear();
        modal.error = Some(if failure.denied {
            format!("{CODE_REFUSED} {}", failure.text)
        } else {
            failure.text
        });
        modal.retry = Some((target, purpose));
        return;
    }
    if matches!(&app.overlay, Overlay::Mfa(m) if m.generation == Some(generation)) {
        app.overlay = Overlay::None;
    }
    set_status(app, failure.text, true);
}
