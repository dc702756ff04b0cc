//! `update(&mut App, Msg, now) -> Vec<Effect>`: every state change of the
//! switcher. Pure and synchronous: no I/O, no clock, no secrets.

use super::state::{App, Guard, MfaModal, Overlay, Purpose, Status};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
use jiff::Timestamp;

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// A key was pressed.
    Key(KeyEvent),
    /// A second passed (countdowns).
    Tick,
    /// The terminal has a new size.
    Resized {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// A mouse event.
    Mouse(MouseEvent),
    /// The engine needs an MFA code for `serial`; answer with `Effect::AnswerMfa { id }`.
    MfaAsked {
        /// The question's id.
        id: u64,
        /// The device.
        serial: String,
    },
    /// A request for credentials finished.
    Resolved {
        /// The request's generation.
        generation: u64,
        /// Row index.
        target: usize,
        /// What it was for.
        purpose: Purpose,
        /// New expiry and assumed ARN, or the error text.
        outcome: Result<(Timestamp, Option<String>), String>,
        /// The scope-down preset the request used.
        preset: Option<String>,
        /// MFA session expiry per device after the request.
        mfa_sessions: Vec<(String, Option<Timestamp>)>,
    },
    /// The console opened for a target: the row is marked for this run.
    ConsoleOpened {
        /// The target's name.
        target: String,
        /// The status line.
        text: String,
    },
    /// A line for the status bar from a background task.
    Notice {
        /// The text.
        text: String,
        /// Drawn as an error.
        error: bool,
    },
    /// Organization sync progress, for the status line.
    SyncProgress(String),
    /// The organization sync failed; the old list stays.
    SyncFailed(String),
    /// The organization sync finished: the new rows.
    Synced {
        /// Rows rebuilt from the new inventory.
        entries: Vec<super::state::Entry>,
        /// MFA session expiry per device.
        mfa_sessions: Vec<(String, Option<Timestamp>)>,
        /// Why one Identity Center sign-in's discovery failed while the rest landed.
        partial: Option<String>,
    },
    /// The served commands running now (polled from the serve registry).
    Served(Vec<super::state::ServedCommand>),
    /// The sign-in times of Identity Center sessions, read from the keyring.
    SsoSignIns(Vec<super::state::SsoSignIn>),
    /// A request found its Identity Center session signed out: sign in first.
    SignInNeeded {
        /// The request's generation.
        generation: u64,
        /// Row index.
        target: usize,
        /// What it was for.
        purpose: Purpose,
        /// The sso-session.
        session: String,
    },
    /// The sign-in flow has something to show.
    SignInStep(crate::signin::Step),
    /// The sign-in ended: the token is kept, or the error text.
    SignedIn {
        /// The sso-session.
        session: String,
        /// The error text, if it failed.
        outcome: Result<(), String>,
    },
    /// A helper command started, wrote on stderr, or ended.
    Helper(crate::session::HelperEvent),
    /// A forget finished.
    Forgotten {
        /// Row index.
        target: usize,
        /// The error text, if it failed.
        outcome: Result<(), String>,
    },
}

/// Something the loop must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Get credentials for a row in the background.
    Resolve {
        /// Generation, echoed in `Msg::Resolved`.
        generation: u64,
        /// Row index.
        target: usize,
        /// What for.
        purpose: Purpose,
        /// Skip the cached role session.
        refresh: bool,
        /// A code typed after a rejected one.
        mfa_code: Option<String>,
        /// Scope-down preset picked for the row.
        preset: Option<String>,
    },
    /// Answer the engine's MFA question.
    AnswerMfa {
        /// The question's id.
        id: u64,
        /// Six digits.
        code: String,
    },
    /// Tell the engine the user cancelled.
    CancelMfa {
        /// The question's id.
        id: u64,
    },
    /// Remove a row's cached session.
    Forget {
        /// Row index.
        target: usize,
    },
    /// Hand the resolved credentials out (subshell, exports, clipboard).
    HandOut {
        /// The request's generation.
        generation: u64,
        /// Row index.
        target: usize,
        /// How.
        purpose: Purpose,
        /// Region picked for the row, overriding the configured one.
        region: Option<String>,
    },
    /// Remember favourites and recently used targets.
    SavePrefs(super::prefs::Prefs),
    /// Refresh the organization inventory in the background.
    Sync,
    /// Sign in to an Identity Center session (the modal shows the progress).
    SignIn {
        /// The sso-session.
        session: String,
    },
    /// Stop the sign-in in progress.
    CancelSignIn,
    /// Drop the credentials of a superseded request.
    Discard {
        /// The request's generation.
        generation: u64,
    },
}

/// Applies `msg` to `app`.
pub fn update(app: &mut App, msg: Msg, now: Timestamp) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(app, key, now),
        Msg::Tick => Vec::new(),
        Msg::Resized { width, height } => {
            app.size = ratatui::layout::Rect::new(0, 0, width, height);
            Vec::new()
        }
        Msg::Mouse(mouse) => on_mouse(app, mouse, now),
        Msg::Notice { text, error } => {
            set_status(app, text, error);
            Vec::new()
        }
        Msg::ConsoleOpened { target, text } => {
            app.consoles_opened.insert(target);
            set_status(app, text, false);
            Vec::new()
        }
        Msg::SyncProgress(text) => {
            set_status(app, text, false);
            Vec::new()
        }
        Msg::SyncFailed(error) => {
            app.syncing = false;
            close_waiting_modal(app);
            set_status(
                app,
                format!(
                    "{} sync failed, the previous list is kept: {error}",
                    sync_label(app)
                ),
                true,
            );
            Vec::new()
        }
        Msg::Served(served) => {
            app.served = served;
            mark_served(app);
            Vec::new()
        }
        Msg::Synced {
            entries,
            mfa_sessions,
            partial,
        } => {
            close_waiting_modal(app);
            app.mfa_sessions = mfa_sessions;
            swap_entries(app, entries);
            if let Some(failure) = partial {
                let synced = app.status.take().map(|s| s.text).unwrap_or_default();
                set_status(app, format!("{synced}; {failure}"), true);
            }
            Vec::new()
        }
        Msg::MfaAsked { id, serial } => {
            let target = app
                .handout
                .map(|(_, t, _)| t)
                .or_else(|| app.entries.iter().position(|e| e.refreshing.is_some()))
                .map_or_else(
                    || {
                        if app.syncing {
                            "organization sync".to_owned()
                        } else {
                            String::new()
                        }
                    },
                    |t| app.entries[t].name.clone(),
                );
            app.overlay = Overlay::Mfa(MfaModal {
                serial,
                target,
                input: String::new(),
                ask: Some(id),
                retry: None,
                error: None,
                waiting: false,
            });
            Vec::new()
        }
        Msg::Resolved {
            generation,
            target,
            purpose,
            outcome,
            preset,
            mfa_sessions,
        } => on_resolved(
            app,
            Reply {
                generation,
                target,
                purpose,
                outcome,
                preset,
            },
            mfa_sessions,
        ),
        Msg::SsoSignIns(found) => {
            signin::statuses(app, found);
            Vec::new()
        }
        Msg::SignInNeeded {
            generation,
            target,
            purpose,
            session,
        } => signin::needed(app, generation, target, purpose, session),
        Msg::SignInStep(step) => {
            signin::stepped(app, step);
            Vec::new()
        }
        Msg::SignedIn { session, outcome } => signin::finished(app, &session, outcome),
        Msg::Helper(event) => {
            helper::on_event(app, event);
            Vec::new()
        }
        Msg::Forgotten { target, outcome } => {
            let name = app.entries[target].name.clone();
            match outcome {
                Ok(()) => {
                    app.entries[target].expires = None;
                    app.entries[target].assumed_arn = None;
                    set_status(app, format!("forgot the cached session of {name}"), false);
                }
                Err(e) => set_status(app, e, true),
            }
            Vec::new()
        }
    }
}

fn on_key(app: &mut App, key: KeyEvent, now: Timestamp) -> Vec<Effect> {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl_c {
        app.quit = true;
        if matches!(app.overlay, Overlay::SignIn(_)) {
            return vec![Effect::CancelSignIn];
        }
        return cancel_pending_mfa(app);
    }
    if helper::dismiss(app) {
        return Vec::new();
    }
    match app.overlay.clone() {
        Overlay::Help(first) => {
            // Arrows scroll a help taller than the terminal; any other key closes it.
            let last = super::view::help_scroll_max(app.size.height);
            app.overlay = match key.code {
                KeyCode::Up | KeyCode::Char('k') => Overlay::Help(first.saturating_sub(1)),
                KeyCode::Down | KeyCode::Char('j') => Overlay::Help((first + 1).min(last)),
                KeyCode::PageUp => Overlay::Help(first.saturating_sub(10)),
                KeyCode::PageDown => Overlay::Help((first + 10).min(last)),
                _ => Overlay::None,
            };
            Vec::new()
        }
        Overlay::Mfa(modal) => on_mfa_key(app, modal, key),
        Overlay::ConfirmForget(target) => {
            app.overlay = Overlay::None;
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                vec![Effect::Forget { target }]
            } else {
                Vec::new()
            }
        }
        Overlay::Guard(guard) => on_guard_key(app, guard, key),
        Overlay::Region(picker) => region::on_key(app, picker, key),
        Overlay::Preset(target, line) => preset::on_key(app, target, line, key),
        Overlay::SignIn(modal) => signin::on_key(app, &modal, key),
        Overlay::None if app.filtering => filtering::on_key(app, key),
        Overlay::None => on_list_key(app, key, now),
    }
}

fn on_list_key(app: &mut App, key: KeyEvent, now: Timestamp) -> Vec<Effect> {
    let page = 10;
    match key.code {
        KeyCode::Char('q') => app.quit = true,
        // A kept filter is cleared first: quitting needs a second Esc.
        KeyCode::Esc if !app.filter.text.is_empty() => filtering::clear(app),
        KeyCode::Esc => app.quit = true,
        KeyCode::Char('/') | KeyCode::Tab | KeyCode::BackTab => app.filtering = true,
        KeyCode::Up | KeyCode::Char('k') => move_by(app, -1),
        KeyCode::Down | KeyCode::Char('j') => move_by(app, 1),
        KeyCode::PageUp => move_by(app, -page),
        KeyCode::PageDown => move_by(app, page),
        KeyCode::Home | KeyCode::Char('g') => move_to(app, 0),
        KeyCode::End | KeyCode::Char('G') => move_to(app, usize::MAX),
        KeyCode::Char('?') => app.overlay = Overlay::Help(0),
        KeyCode::Char('w') => region::open(app),
        KeyCode::Char('p') => preset::open(app),
        KeyCode::Char('S') => return sync(app),
        KeyCode::Char('f') => {
            if let Some(target) = app.selected_entry() {
                let entry = &mut app.entries[target];
                entry.favourite = !entry.favourite;
                let text = format!(
                    "{} {}",
                    if entry.favourite { "pinned" } else { "unpinned" },
                    entry.name
                );
                set_status(app, text, false);
                // Re-sort now, keeping the cursor on the row the user pinned.
                app.chosen = true;
                filtering::relist(app, false);
                return vec![Effect::SavePrefs(prefs(app))];
            }
        }
        KeyCode::Enter => return guarded(app, Purpose::Shell),
        KeyCode::Char('e') => return guarded(app, Purpose::Env),
        KeyCode::Char('c') => return guarded(app, Purpose::Copy),
        KeyCode::Char('o') => return guarded(app, Purpose::Console),
        KeyCode::Char('r') => {
            if let Some(target) = app.selected_entry() {
                return vec![start(app, target, Purpose::Refresh, true, None)];
            }
        }
        KeyCode::Char('R') => return refresh_expiring(app, now),
        KeyCode::Char('d') => {
            if let Some(target) = app.selected_entry() {
                if app.entries[target].expires.is_some() {
                    app.overlay = Overlay::ConfirmForget(target);
                } else {
                    set_status(
                        app,
                        format!("{} has no cached session", app.entries[target].name),
                        false,
                    );
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Hands out credentials for the selected row, asking first when it is production.
fn guarded(app: &mut App, purpose: Purpose) -> Vec<Effect> {
    let Some(target) = app.selected_entry() else {
        return Vec::new();
    };
    let entry = &app.entries[target];
    if entry.production {
        app.overlay = Overlay::Guard(Guard {
            target,
            purpose,
            expected: entry.account_name.clone().unwrap_or_else(|| entry.name.clone()),
            input: String::new(),
            error: None,
        });
        return Vec::new();
    }
    vec![start(app, target, purpose, false, None)]
}

/// A new request; hand-outs supersede earlier ones, refreshes are tracked per row.
fn start(app: &mut App, target: usize, purpose: Purpose, refresh: bool, mfa_code: Option<String>) -> Effect {
    app.generation += 1;
    let generation = app.generation;
    let name = app.entries[target].name.clone();
    if purpose == Purpose::Refresh {
        app.start_refresh(target, generation);
        set_status(app, format!("refreshing {name}…"), false);
    } else {
        app.handout = Some((generation, target, purpose));
        set_status(app, format!("getting credentials for {name}…"), false);
    }
    Effect::Resolve {
        generation,
        target,
        purpose,
        refresh,
        mfa_code,
        preset: app.entries[target].preset.clone(),
    }
}

fn refresh_expiring(app: &mut App, now: Timestamp) -> Vec<Effect> {
    let window = 15 * 60;
    let due: Vec<usize> = app
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.expires
                .is_some_and(|t| t.as_second() - now.as_second() < window)
        })
        .map(|(i, _)| i)
        .collect();
    if due.is_empty() {
        set_status(app, "no cached session expires within 15 minutes".into(), false);
    }
    due.into_iter()
        .map(|t| start(app, t, Purpose::Refresh, true, None))
        .collect()
}

mod filtering;
mod helper;
mod modal;
mod preset;
mod region;
mod resolved;
mod rows;
mod signin;
mod sync;

use filtering::{move_by, move_to};
use modal::{cancel_pending_mfa, close_waiting_modal, on_guard_key, on_mfa_key};
use resolved::{Reply, on_resolved};
use rows::{mark_recent, mark_served, on_mouse, prefs};
pub use sync::sync;
use sync::{swap_entries, sync_label};

fn set_status(app: &mut App, text: String, error: bool) {
    app.status = (!text.is_empty()).then_some(Status { text, error });
}
