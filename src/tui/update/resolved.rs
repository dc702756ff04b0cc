//! A finished request for credentials: drop it when superseded, else record
//! the new session's expiry and hand the credentials out (or show the error,
//! in the MFA modal when a code was just sent).

use super::{App, Effect, Overlay, Purpose, mark_recent, prefs, set_status};
use jiff::Timestamp;

/// A finished request, as `Msg::Resolved` carries it.
pub(super) struct Reply {
    pub(super) generation: u64,
    pub(super) target: usize,
    pub(super) purpose: Purpose,
    pub(super) outcome: Result<(Timestamp, Option<String>), String>,
    pub(super) preset: Option<String>,
}

pub(super) fn on_resolved(
    app: &mut App,
    reply: Reply,
    mfa_sessions: Vec<(String, Option<Timestamp>)>,
) -> Vec<Effect> {
    let Reply {
        generation,
        target,
        purpose,
        outcome,
        preset,
    } = reply;
    let current = if purpose == Purpose::Refresh {
        app.entries[target].refreshing == Some(generation)
    } else {
        app.handout.is_some_and(|(g, _, _)| g == generation)
    };
    if !current {
        // A reply for a request the user has moved on from never overwrites newer state.
        return vec![Effect::Discard { generation }];
    }
    if !mfa_sessions.is_empty() {
        app.mfa_sessions = mfa_sessions;
    }
    let name = app.entries[target].name.clone();
    if purpose == Purpose::Refresh {
        app.end_refresh(target);
    } else {
        app.handout = None;
    }
    match outcome {
        Ok((expires, arn)) => {
            let entry = &mut app.entries[target];
            // Without a cache the session is used once: nothing to count down.
            let caching = app.caching;
            if caching && preset.is_some() {
                // A scoped session is a session of its own: the unscoped one keeps its countdown.
                entry.scoped_expires = Some(expires);
            } else if caching {
                entry.expires = Some(expires);
                entry.assumed_arn = arn;
            }
            if matches!(app.overlay, Overlay::Mfa(_)) {
                app.overlay = Overlay::None;
            }
            let text = match purpose {
                Purpose::Refresh => format!("refreshed {name}"),
                Purpose::Copy => format!("copied exports for {name} to the clipboard (OSC 52)"),
                Purpose::Console => format!("opening the AWS console for {name}…"),
                Purpose::Shell => format!("back from the shell for {name}"),
                Purpose::Env => String::new(),
            };
            set_status(app, text, false);
            if purpose == Purpose::Env {
                app.quit = true;
            }
            if purpose == Purpose::Refresh {
                return vec![Effect::Discard { generation }];
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
        Err(error) => {
            if let Overlay::Mfa(modal) = &mut app.overlay
                && modal.waiting
            {
                // The code was rejected (or STS failed after it): ask again in place.
                modal.waiting = false;
                modal.input.clear();
                modal.error = Some(error);
                modal.retry = Some((target, purpose));
                return Vec::new();
            }
            if matches!(app.overlay, Overlay::Mfa(_)) {
                app.overlay = Overlay::None;
            }
            set_status(app, error, true);
            Vec::new()
        }
    }
}
