//! The fan-out: one command across many targets (and regions), the engine of
//! `hats run` and of the switcher's `x` on marked rows: one module, two front ends.
//!
//! `select` picks targets (exact names and patterns, never fuzzy), [`jobs`]
//! makes the target × region matrix, `sessions` gets every target's
//! credentials through the engine (MFA once per device, throttling retried),
//! `child` runs one command in its own process group, and [`run`] drives at
//! most `-j` of them at once, turning what happens into [`Event`]s for the
//! front end's [`Sink`]. It never prints: what the user sees is the front
//! end's. Secrets go only into each command's environment.

mod child;
mod drive;
#[cfg(test)]
pub(crate) mod fixture;
mod pattern;
mod process;
mod select;
mod sessions;
mod tally;

pub use child::CommandLine;
pub use drive::{Limits, run};
pub use pattern::{is_pattern, matches as pattern_matches};
pub use select::{SelectError, Selector};
pub use sessions::{EngineParts, Resolved, Sessions};
pub use tally::{Tally, ended_well};

use crate::config::Settings;
use crate::inventory::Target;
use std::time::Duration;

/// One command to run: a target in a region.
#[derive(Debug, Clone)]
pub struct Job<'t> {
    pub target: &'t Target,
    /// The region the command runs in (`AWS_REGION`).
    pub region: String,
    /// What output lines and files are named by: the target, plus the region
    /// when the run covers several.
    pub label: String,
    /// Whether the region is part of the label (an account × region matrix).
    pub region_in_label: bool,
    /// Guarded as production.
    pub production: bool,
}

/// The jobs for `targets`: once per region of `regions`, or once in each
/// target's own region when none is given.
pub fn jobs<'t>(targets: &[&'t Target], regions: &[String], settings: &Settings) -> Vec<Job<'t>> {
    let matrix = regions.len() > 1;
    let mut jobs = Vec::with_capacity(targets.len() * regions.len().max(1));
    for target in targets {
        let production = target.production || settings.is_production_name(&target.name);
        let own = [crate::context::sts_region(target, None)];
        let each: &[String] = if regions.is_empty() { &own } else { regions };
        for region in each {
            let label = if matrix {
                format!("{} {region}", target.name)
            } else {
                target.name.clone()
            };
            jobs.push(Job {
                target,
                region: region.clone(),
                label,
                region_in_label: matrix,
                production,
            });
        }
    }
    jobs
}

/// Which of a command's outputs a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

/// How one job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The command exited with this code.
    Exited(i32),
    /// A signal ended the command.
    Signalled(i32),
    /// `--timeout` ended it.
    TimedOut(Duration),
    /// No credentials could be had for the target.
    NoCredentials(String),
    /// The command could not be started.
    Failed(String),
    /// The run was interrupted before this job started.
    NotRun,
}

/// What the fan-out tells its front end, in order per job: `Started`, its
/// lines, `Finished` (a job that never started sends only `Finished`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The job's command is running.
    Started {
        /// Index in the jobs.
        job: usize,
    },
    /// One line of its output, without the newline.
    Line {
        /// Index in the jobs.
        job: usize,
        /// Which output.
        stream: Stream,
        /// The bytes (not necessarily UTF-8).
        text: Vec<u8>,
    },
    /// The job ended.
    Finished {
        /// Index in the jobs.
        job: usize,
        /// How.
        status: Status,
        /// From its start (credentials included) to its end.
        duration: Duration,
    },
}

/// Where a front end takes the fan-out's events.
pub trait Sink {
    /// One event; `tally` already counts it.
    fn event(&mut self, event: Event, tally: &Tally);
    /// Called a few times a second, for a progress line.
    fn tick(&mut self, _tally: &Tally) {}
    /// The run was interrupted: no new command starts.
    fn interrupted(&mut self) {}
}

/// A command's request to stop, shared by every running job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Keep going.
    Running,
    /// Interrupt (forwarded Ctrl-C).
    Interrupt,
    /// End now.
    Kill,
}

/// A random id that ties a run's hand-outs together in the history.
pub fn new_run_id() -> String {
    let mut bytes = [0u8; 4];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Records `job`'s hand-out in the history under run `run_id`, as both front
/// ends do for every command; `Err` is the sentence to show the user.
pub fn record_handout(
    ctx: &crate::context::Context,
    run_id: &str,
    job: &Job<'_>,
    session: &crate::session::Session,
) -> Result<(), String> {
    crate::history::log_run_handout(
        &ctx.paths.data_dir,
        &ctx.settings,
        job.target,
        session.expiration,
        run_id,
        ctx.clock.now(),
    )
    .map_err(|e| format!("cannot write the hand-out history: {e}"))
}
