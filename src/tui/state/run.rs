//! The switcher's side of a fan-out (`x` on marked rows, the same engine as
//! `hats run`): the command-line box, each target's live status and
//! captured output, and the output pane. Plain data; no secrets (the
//! credentials stay in the fan-out's thread and each child's environment).

use crate::fanout::Status;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

/// Output kept per target and stream: the last 1 MiB. A run over hundreds of
/// targets must not grow without bound, and the end of an output is what
/// tells why a command failed.
pub const OUTPUT_CAP: usize = 1024 * 1024;

/// The box `x` opens: the command line, then (with production targets) the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunPrompt {
    /// Rows to run on (indices into `App::entries`), in list order.
    pub targets: Vec<usize>,
    /// Names of the production targets among them.
    pub production: Vec<String>,
    /// The command line typed so far.
    pub input: String,
    /// The split command line once Enter was pressed: the guard asks next.
    pub argv: Option<Vec<String>>,
    /// The count typed in the guard.
    pub count: String,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

/// The output pane (`Enter` on a row that ran).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPane {
    /// The target whose output is shown.
    pub name: String,
    /// First line shown.
    pub scroll: usize,
}

/// One stream's last lines, at most [`OUTPUT_CAP`] bytes of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// The lines kept (control characters removed).
    pub lines: VecDeque<String>,
    bytes: usize,
    /// Lines dropped from the front to keep under the cap.
    pub dropped: usize,
}

impl Captured {
    /// Keeps `line`, dropping the oldest lines past the cap.
    pub fn push(&mut self, line: String) {
        self.bytes += line.len() + 1;
        self.lines.push_back(line);
        while self.bytes > OUTPUT_CAP && self.lines.len() > 1 {
            if let Some(old) = self.lines.pop_front() {
                self.bytes -= old.len() + 1;
                self.dropped += 1;
            }
        }
    }
}

/// Where one target of the run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for its turn (at most `-j` at once) or its credentials.
    Queued,
    /// Its command runs.
    Running,
    /// It ended.
    Ended(Status),
}

/// One target of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// The target's name.
    pub name: String,
    /// Where it stands.
    pub phase: Phase,
    /// From its start to its end, once ended.
    pub duration: Option<Duration>,
    /// Its standard output.
    pub stdout: Captured,
    /// Its standard error.
    pub stderr: Captured,
}

/// A run started from the switcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunState {
    /// The run's generation (its MFA questions carry it).
    pub id: u64,
    /// The command line as typed.
    pub command: String,
    /// One per target, in the order of the jobs.
    pub rows: Vec<RunRow>,
    by_name: HashMap<String, usize>,
    /// The fan-out has returned (or could not start: `error`).
    pub ended: bool,
    /// Why the run could not start.
    pub error: Option<String>,
}

impl RunState {
    /// A run of `command` over `names`, nothing started yet.
    pub fn new(id: u64, command: String, names: Vec<String>) -> Self {
        let by_name = names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        let rows = names
            .into_iter()
            .map(|name| RunRow {
                name,
                phase: Phase::Queued,
                duration: None,
                stdout: Captured::default(),
                stderr: Captured::default(),
            })
            .collect();
        Self {
            id,
            command,
            rows,
            by_name,
            ended: false,
            error: None,
        }
    }

    /// The row of target `name`, if it is part of the run.
    pub fn row(&self, name: &str) -> Option<&RunRow> {
        self.by_name.get(name).map(|&i| &self.rows[i])
    }

    /// `(done, failed, running)`.
    pub fn totals(&self) -> (usize, usize, usize) {
        let mut totals = (0, 0, 0);
        for row in &self.rows {
            match &row.phase {
                Phase::Queued => {}
                Phase::Running => totals.2 += 1,
                Phase::Ended(status) => {
                    totals.0 += 1;
                    if !crate::fanout::ended_well(status) {
                        totals.1 += 1;
                    }
                }
            }
        }
        totals
    }
}

/// The short status a row shows: `running`, `ok`, `exit N`, `no credentials`…
pub fn phase_text(phase: &Phase) -> String {
    match phase {
        Phase::Queued => "queued".into(),
        Phase::Running => "running".into(),
        Phase::Ended(Status::Exited(0)) => "ok".into(),
        Phase::Ended(Status::Exited(code)) => format!("exit {code}"),
        Phase::Ended(Status::Signalled(signal)) => format!("signal {signal}"),
        Phase::Ended(Status::TimedOut(_)) => "timed out".into(),
        Phase::Ended(Status::NoCredentials(_)) => "no credentials".into(),
        Phase::Ended(Status::Failed(_)) => "not started".into(),
        Phase::Ended(Status::NotRun) => "not run".into(),
    }
}
