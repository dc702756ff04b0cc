//! The switcher's state: rows, filter, selection, overlays, pending requests.
//!
//! Plain data, owned by the UI loop; changed only by `update`. Holds no secrets.

mod run;

pub use run::{Captured, OUTPUT_CAP, OutputPane, Phase, RunPrompt, RunRow, RunState, phase_text};

use super::filter::Filter;
use jiff::Timestamp;
use std::collections::BTreeSet;
use std::sync::Arc;

/// One target as the switcher shows it.
///
/// Kept small: the switcher builds one per target (15,000 for a large
/// organization) before its first frame. What only the detail pane shows is in
/// [`Detail`], made for the selected row when it is first drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Target name.
    pub name: String,
    /// Account id, when known.
    pub account: Option<crate::domain::AccountId>,
    /// Account alias, when known (shared with the target, as `ou` and `region` are).
    pub account_name: Option<Arc<str>>,
    /// OU path in the organization, when known.
    pub ou: Option<Arc<str>>,
    /// Role name, or `-` for a user session (shared by the rows of one role name).
    pub role: Arc<str>,
    /// A role, as opposed to an MFA user session.
    pub is_role: bool,
    /// What the detail pane shows; `None` until the row is first selected.
    pub detail: Option<Box<Detail>>,
    /// Region from the configuration.
    pub region: Option<Arc<str>>,
    /// Region picked in the switcher (`w`), used for exports, subshell and console.
    pub region_choice: Option<String>,
    /// The target's partition: the region picker offers only its regions.
    pub partition: crate::domain::Partition,
    /// Scope-down preset picked with `p`: hand-outs get a scoped session.
    pub preset: Option<String>,
    /// Expiry of the scoped session made in this run, if any.
    pub scoped_expires: Option<Timestamp>,
    /// Guarded as production.
    pub production: bool,
    /// Tags, `k=v`; shared by the rows of one account.
    pub tags: Arc<[String]>,
    /// Expiry of the cached session, if any.
    pub expires: Option<Timestamp>,
    /// Assumed-role ARN of the cached session.
    pub assumed_arn: Option<String>,
    /// A refresh in flight, by generation.
    pub refreshing: Option<u64>,
    /// Pinned by the user with `f`.
    pub favourite: bool,
    /// Position among recently used targets (0 = most recent).
    pub recent: Option<usize>,
    /// Commands this target's credentials are served to right now (`--serve`).
    pub served: Vec<ServedCommand>,
}

/// What only the detail pane shows about a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// Role ARN; `None` for a user session.
    pub role_arn: Option<String>,
    /// Source profile chain, `base -> prod -> target`.
    pub chain: String,
    /// Where the long-term keys at the chain's start are kept, when known.
    pub keys: Option<String>,
    /// MFA device.
    pub mfa_serial: Option<String>,
    /// How the session is obtained (`mfa-session`, `long-session`, ...).
    pub mode: &'static str,
    /// Session length asked for.
    pub duration: String,
    /// `SourceIdentity` sent when assuming the role.
    pub source_identity: Option<String>,
    /// How `o` opens the console (launcher, container or profile); `None` for user sessions.
    pub console: Option<String>,
}

/// A command running under `hats exec/shell --serve`, from the serve registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedCommand {
    /// Target name.
    pub target: String,
    /// The command's program name.
    pub command: String,
    /// Expiry of the session it was handed last; renewed as it asks.
    pub expires: Timestamp,
}

/// What a request for credentials is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Open a subshell.
    Shell,
    /// Print exports on exit.
    Env,
    /// Copy exports to the clipboard (OSC 52).
    Copy,
    /// Open the AWS console signed in as the target.
    Console,
    /// Renew the session now.
    Refresh,
}

/// The box that asks for an MFA code, and what has been typed into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaModal {
    /// The device.
    pub serial: String,
    /// The target the code is for.
    pub target: String,
    /// Digits typed so far.
    pub input: String,
    /// The engine's pending question, answered on Enter.
    pub ask: Option<u64>,
    /// After a rejected code: what to request again with the next code.
    pub retry: Option<(usize, Purpose)>,
    /// The last error, shown in the modal.
    pub error: Option<String>,
    /// A code was sent and STS is being called.
    pub waiting: bool,
    /// The request that asked; `None` for an organization sync.
    pub generation: Option<u64>,
}

/// What a production guard protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// Row index.
    pub target: usize,
    /// The action waiting for confirmation.
    pub purpose: Purpose,
    /// What the user must type (besides `yes`).
    pub expected: String,
    /// Typed so far.
    pub input: String,
    /// Shown after a wrong answer.
    pub error: Option<String>,
}

/// The region picker (`w`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionPicker {
    /// Row index.
    pub target: usize,
    /// Typed so far: narrows the regions (`tui::regions::choices`).
    pub query: String,
    /// Highlighted line of the choices for `query`.
    pub line: usize,
}

/// An Identity Center sign-in, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSignIn {
    /// The sso-session's name (the start URL for legacy profiles).
    pub session: String,
    /// The keyring and the AWS CLI's cache have been read (in the background).
    pub known: bool,
    /// When its access token expires, if there is one.
    pub expires: Option<Timestamp>,
    /// An expired token renews itself on use (refresh token and registration valid).
    pub renewable: bool,
}

/// The sign-in modal: `Enter` on an Identity Center target that is signed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInModal {
    /// The sso-session being signed in to.
    pub session: String,
    /// The row whose hand-out continues after the sign-in.
    pub target: usize,
    /// What the hand-out is for.
    pub purpose: Purpose,
    /// Where to approve, once the flow has started.
    pub url: Option<String>,
    /// The code the page must show (device flow only).
    pub user_code: Option<String>,
    /// Whether a browser was opened.
    pub browser: bool,
}

/// A helper command (`mfa_process`, a token or assertion command) running
/// while the switcher owns the screen: what it writes on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperOutput {
    /// The command's run.
    pub id: u64,
    /// What it is for (`mfa_process "..." to print the code for "..."`).
    pub label: String,
    /// Its last lines on stderr.
    pub lines: Vec<String>,
    /// It failed: the panel stays until a key is pressed.
    pub failed: bool,
}

/// Exclusive modes, checked first when routing keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The list has the keys.
    None,
    /// The key help, scrolled to start at this line (short terminals).
    Help(usize),
    /// Asking for an MFA code.
    Mfa(MfaModal),
    /// y/n before forgetting a session.
    ConfirmForget(usize),
    /// Type the alias before handing out production credentials.
    Guard(Guard),
    /// Pick the region for a row.
    Region(RegionPicker),
    /// Pick a scope-down preset for a row: (row, highlighted line; 0 = none, then `App::presets`).
    Preset(usize, usize),
    /// Signing in to Identity Center before a hand-out.
    SignIn(SignInModal),
    /// A whole message to read (`m`: the status line's, or why a box closed).
    Message(String),
    /// `x`: the command line to run on the marked rows (and the production guard).
    Run(RunPrompt),
    /// A row's captured output from the run (`Enter`).
    Output(OutputPane),
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    /// Drawn as an error.
    pub error: bool,
}

/// The whole switcher state.
#[derive(Debug, Clone)]
pub struct App {
    /// Every target, in display order.
    pub entries: Vec<Entry>,
    /// How many entries have a refresh in flight: [`App::busy`] runs at every
    /// tick, and scanning 15,000 rows for it cost more than drawing a frame.
    refreshing_rows: usize,
    /// Filter text and matches.
    pub filter: Filter,
    /// Typing goes to the filter.
    pub filtering: bool,
    /// Position in `filter.matches`.
    pub selected: usize,
    /// The user picked the selected row (moved to it, clicked it, pinned it):
    /// typing in the filter keeps the cursor on it while it matches, instead
    /// of on the best match (see `update::filtering`).
    pub chosen: bool,
    /// The target highlighted before the filter matched nothing: clearing the
    /// filter brings the cursor back to it.
    pub unlisted: Option<usize>,
    /// The open overlay.
    pub overlay: Overlay,
    /// The status line.
    pub status: Option<Status>,
    /// MFA session expiry per device, for the header.
    pub mfa_sessions: Vec<(String, Option<Timestamp>)>,
    /// The helper command running now, shown over the list.
    pub helper: Option<HelperOutput>,
    /// The Identity Center sign-ins the targets use, for the header.
    pub sso_signins: Vec<SsoSignIn>,
    /// Source profiles in use, for the header.
    pub sources: String,
    /// Set when running inside a hats shell.
    pub nested_in: Option<String>,
    /// Sessions are cached (not `HATS_KEYRING=none`): only then do rows count
    /// down, since only then is a session used again.
    pub caching: bool,
    /// Last generation handed out.
    pub generation: u64,
    /// The request started right after a sign-in: if it finds the session
    /// signed out again, the token was not kept, and no new sign-in opens.
    pub signed_in_for: Option<u64>,
    /// The only hand-out request whose reply is still wanted (see
    /// `update::handout` for the rules that cancel it).
    pub handout: Option<(u64, usize, Purpose)>,
    /// MFA questions that came while another box was open, shown in turn.
    pub queued: Vec<MfaModal>,
    /// Under `hats use`: Enter hands the exports to the shell function.
    pub use_mode: bool,
    /// Entries of the configuration left out as unusable (`hats ls` says why).
    pub skipped: usize,
    /// Set when the loop should end.
    pub quit: bool,
    /// The user quit with Ctrl-C (exit status 130).
    pub interrupted: bool,
    /// Time zone for local times in the detail pane: found when first shown
    /// (finding the system's reads the time zone database, which the first frame seldom needs).
    pub tz: std::sync::OnceLock<jiff::tz::TimeZone>,
    /// The terminal's size, for mapping mouse clicks to rows.
    pub size: ratatui::layout::Rect,
    /// The last click (row, when), to tell a double-click.
    pub last_click: Option<(usize, Timestamp)>,
    /// An `[organization]` is configured (`S` syncs it).
    pub organization: bool,
    /// The AWS config has sso-sessions (`S` discovers them too).
    pub identity_center: bool,
    /// An organization sync is running.
    pub syncing: bool,
    /// Scope-down preset names from hats config, offered by `p`.
    pub presets: Vec<String>,
    /// Served commands running now, in any terminal.
    pub served: Vec<ServedCommand>,
    /// Targets whose console was opened this run (marked in the list).
    pub consoles_opened: BTreeSet<String>,
    /// Rows marked with `Space` or `*`, by target name (a sync keeps them).
    pub marked: BTreeSet<String>,
    /// The last run started with `x`, its rows' status and output.
    pub run: Option<RunState>,
    /// The last command line typed in the `x` box, offered again.
    pub last_command: String,
}

impl Entry {
    /// The account id as shown, `-` when unknown.
    pub fn account_text(&self) -> &str {
        self.account
            .as_ref()
            .map_or("-", crate::domain::AccountId::as_str)
    }
}

impl App {
    /// A switcher over `entries`, everything visible, first row selected.
    /// The time zone local times are shown in.
    pub fn tz(&self) -> &jiff::tz::TimeZone {
        self.tz.get_or_init(jiff::tz::TimeZone::system)
    }

    pub fn new(entries: Vec<Entry>) -> Self {
        let mut filter = Filter::default();
        filter.apply(&entries);
        Self {
            refreshing_rows: entries.iter().filter(|e| e.refreshing.is_some()).count(),
            entries,
            filter,
            filtering: false,
            selected: 0,
            chosen: false,
            unlisted: None,
            overlay: Overlay::None,
            status: None,
            mfa_sessions: Vec::new(),
            sso_signins: Vec::new(),
            helper: None,
            sources: String::new(),
            nested_in: None,
            caching: true,
            generation: 0,
            signed_in_for: None,
            handout: None,
            queued: Vec::new(),
            use_mode: false,
            skipped: 0,
            quit: false,
            interrupted: false,
            tz: std::sync::OnceLock::new(),
            size: ratatui::layout::Rect::new(0, 0, 80, 24),
            last_click: None,
            organization: false,
            identity_center: false,
            syncing: false,
            presets: Vec::new(),
            served: Vec::new(),
            consoles_opened: BTreeSet::new(),
            marked: BTreeSet::new(),
            run: None,
            last_command: String::new(),
        }
    }

    /// Index into `entries` of the selected row.
    pub fn selected_entry(&self) -> Option<usize> {
        self.filter.matches.get(self.selected).map(|m| m.index)
    }

    /// Whether a request is in flight (the loop ticks faster to animate the spinner).
    pub fn busy(&self) -> bool {
        self.handout.is_some()
            || self.run.as_ref().is_some_and(|r| !r.ended)
            || matches!(self.overlay, Overlay::SignIn(_))
            || self.helper.as_ref().is_some_and(|h| !h.failed)
            || self.refreshing_rows > 0
    }

    /// Marks row `target` as refreshing for request `generation`.
    pub fn start_refresh(&mut self, target: usize, generation: u64) {
        if self.entries[target].refreshing.replace(generation).is_none() {
            self.refreshing_rows += 1;
        }
    }

    /// Row `target`'s refresh is over.
    pub fn end_refresh(&mut self, target: usize) {
        if self.entries[target].refreshing.take().is_some() {
            self.refreshing_rows -= 1;
        }
    }

    /// Puts `entries` in place of the rows (none of them refreshing).
    pub fn replace_entries(&mut self, entries: Vec<Entry>) {
        self.refreshing_rows = entries.iter().filter(|e| e.refreshing.is_some()).count();
        self.entries = entries;
    }
}
