//! `update(&mut App, Msg, now) -> Vec<Effect>`: every state change of the
//! switcher. Pure and synchronous: no I/O, no clock, no secrets.

use super::state::{App, Overlay, Purpose, Status};
use crossterm::event::{KeyEvent, MouseEvent};
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
        /// The request that asks; `None` for an organization sync.
        generation: Option<u64>,
    },
    /// A request for credentials finished.
    Resolved {
        /// The request's generation.
        generation: u64,
        /// Row index.
        target: usize,
        /// What it was for.
        purpose: Purpose,
        /// New expiry and assumed ARN, or why it failed.
        outcome: Result<(Timestamp, Option<String>), Failure>,
        /// The scope-down preset the request used.
        preset: Option<String>,
        /// MFA session expiry per device after the request.
        mfa_sessions: Vec<(String, Option<Timestamp>)>,
    },
    /// A line for the status bar from a background task.
    Notice {
        text: String,
        /// Drawn as an error.
        error: bool,
    },
    /// The console opened for a target: the row is marked for this run.
    ConsoleOpened {
        /// The target's name.
        target: String,
        /// The status line.
        text: String,
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
        /// Row index when it started.
        target: usize,
        /// The target's name (a sync may have moved its row since).
        name: String,
        /// The error text, if it failed.
        outcome: Result<(), String>,
    },
    /// The session index was read again (another process may have made,
    /// forgotten or signed out sessions): what every row and the header show.
    Sessions(Sessions),
    /// What run `run` (started by `Effect::Run`) did since the last report.
    RunEvents {
        /// The run's generation.
        run: u64,
        /// Its events, in order.
        events: Vec<crate::fanout::Event>,
    },
    /// Run `run` ended, or could not start (`error`).
    RunEnded {
        /// The run's generation.
        run: u64,
        /// Why it could not start.
        error: Option<String>,
    },
}

/// Why a request for credentials failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The error, one line.
    pub text: String,
    /// STS answered AccessDenied: right after an MFA code was typed, the code
    /// (wrong, or already used) is the likely cause.
    pub denied: bool,
}

impl From<String> for Failure {
    fn from(text: String) -> Self {
        Self { text, denied: false }
    }
}

/// The cached sessions as the index lists them now, for rows in the order of
/// `App::entries` (only the rows with a live session).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sessions {
    /// Row index, expiry and assumed-role ARN.
    pub rows: Vec<(usize, Timestamp, Option<String>)>,
    /// MFA session expiry per device.
    pub mfa_sessions: Vec<(String, Option<Timestamp>)>,
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
    /// Run a command on rows through the fan-out (`hats run`'s engine).
    Run {
        /// The run's generation, echoed in `Msg::RunEvents` and `Msg::RunEnded`.
        run: u64,
        /// Row indices, in order.
        targets: Vec<usize>,
        /// The program and its arguments (split without a shell).
        argv: Vec<String>,
    },
}

/// Applies `msg` to `app`.
pub fn update(app: &mut App, msg: Msg, now: Timestamp) -> Vec<Effect> {
    let mut effects = match msg {
        Msg::Key(key) => keys::on_key(app, key, now),
        Msg::Mouse(mouse) => on_mouse(app, mouse, now),
        Msg::Tick => Vec::new(),
        Msg::Resized { width, height } => {
            app.size = ratatui::layout::Rect::new(0, 0, width, height);
            Vec::new()
        }
        Msg::MfaAsked {
            id,
            serial,
            generation,
        } => modal::asked(app, id, serial, generation),
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
        Msg::SignInNeeded {
            generation,
            target,
            purpose,
            session,
        } => signin::needed(app, generation, target, purpose, session),
        Msg::SignedIn { session, outcome } => signin::finished(app, &session, outcome),
        Msg::Synced {
            entries,
            mfa_sessions,
            partial,
        } => sync::synced(app, entries, mfa_sessions, partial),
        msg => {
            background(app, msg);
            Vec::new()
        }
    };
    // A box just closed: the MFA question waiting behind it comes up.
    effects.extend(modal::show_queued(app));
    effects
}

/// Messages from background work that only change what is shown.
fn background(app: &mut App, msg: Msg) {
    match msg {
        Msg::Notice { text, error } => set_status(app, text, error),
        Msg::ConsoleOpened { target, text } => {
            app.consoles_opened.insert(target);
            set_status(app, text, false);
        }
        Msg::SyncProgress(text) => set_status(app, text, false),
        Msg::SyncFailed(error) => sync::failed(app, &error),
        Msg::Served(served) => {
            app.served = served;
            mark_served(app);
        }
        Msg::SsoSignIns(found) => signin::statuses(app, found),
        Msg::SignInStep(step) => signin::stepped(app, step),
        Msg::Helper(event) => helper::on_event(app, event),
        Msg::Forgotten {
            target,
            name,
            outcome,
        } => sessions::forgotten(app, target, &name, outcome),
        Msg::Sessions(read) => sessions::reread(app, read),
        Msg::RunEvents { run, events } => run::events(app, run, events),
        Msg::RunEnded { run, error } => run::ended(app, run, error),
        Msg::Key(_)
        | Msg::Mouse(_)
        | Msg::Tick
        | Msg::Resized { .. }
        | Msg::MfaAsked { .. }
        | Msg::Resolved { .. }
        | Msg::SignInNeeded { .. }
        | Msg::SignedIn { .. }
        | Msg::Synced { .. } => {}
    }
}

mod filtering;
mod handout;
mod helper;
mod keys;
mod modal;
mod preset;
mod region;
mod resolved;
mod rows;
mod run;
mod sessions;
mod signin;
mod sync;

use handout::{guarded, start, supersede};
use resolved::{Reply, on_resolved};
use rows::{mark_recent, mark_served, on_mouse, prefs};
pub use sync::sync;

/// Says at start that entries of the configuration were left out, and why
/// (`m` shows the whole list; the list's title keeps the count): a missing
/// row is never silent.
pub fn skipped<E: std::fmt::Display>(app: &mut App, broken: &[(String, E)]) {
    app.skipped = broken.len();
    if broken.is_empty() {
        return;
    }
    let why: Vec<String> = broken
        .iter()
        .map(|(name, e)| format!("\"{name}\": {e}"))
        .collect();
    let count = broken.len();
    let noun = if count == 1 { "entry" } else { "entries" };
    let text = format!(
        "{count} {noun} of the configuration skipped, not listed: {}",
        why.join("; ")
    );
    set_status(app, text, true);
}

fn set_status(app: &mut App, text: String, error: bool) {
    app.status = (!text.is_empty()).then_some(Status { text, error });
}
