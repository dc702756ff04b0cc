//! The options of `hats run`.

use crate::domain::{MfaCode, SessionDuration};
use clap::Args;
use std::ffi::OsString;
use std::path::PathBuf;

/// `hats run`: which targets, how many at once, where the output goes.
#[derive(Debug, Clone, Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct RunArgs {
    /// Target names or shell-style patterns on names ('team-*/ReadOnly'); exact, never fuzzy.
    #[arg(value_name = "TARGET|PATTERN", add = crate::commands::target_completer())]
    pub targets: Vec<String>,
    /// Targets in this OU or below it (organization or Identity Center OU path, e.g. Workloads/Prod).
    #[arg(long = "ou", value_name = "PATH")]
    pub ous: Vec<String>,
    /// Targets whose account has this tag (KEY=VALUE, or KEY for any value).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Targets with this role name.
    #[arg(long = "role", value_name = "NAME")]
    pub roles: Vec<String>,
    /// Leave out targets matching this name or pattern.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub excludes: Vec<String>,
    /// Every target (narrowed by --ou, --tag, --role, --exclude).
    #[arg(long)]
    pub all: bool,
    /// Run in this region (repeat for an account × region matrix); else in each target's region.
    #[arg(long = "region", value_name = "REGION", value_parser = super::parse_region)]
    pub regions: Vec<String>,
    /// Commands running at once.
    #[arg(short = 'j', long = "jobs", value_name = "N", default_value_t = DEFAULT_JOBS,
          value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,
    /// Print one JSON object per target and region (and nothing else on stdout).
    #[arg(long, conflicts_with_all = ["output_dir", "group"])]
    pub json: bool,
    /// Write each target's output to DIR/TARGET[.REGION].out and .err; print only the summary.
    #[arg(long, value_name = "DIR", conflicts_with = "group")]
    pub output_dir: Option<PathBuf>,
    /// Print each target's output in one block when it ends, instead of prefixed lines.
    #[arg(long)]
    pub group: bool,
    /// Print the selected targets (and regions) and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Run on production targets without asking (needed without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// End a command (its whole process group) that runs longer than this: 30s, 5m, 1h.
    #[arg(long, value_name = "DURATION", value_parser = super::parse_duration)]
    pub timeout: Option<SessionDuration>,
    /// MFA code (6 digits), instead of mfa_process or a prompt; used once, for the first device.
    #[arg(long, value_name = "CODE", value_parser = super::parse_code)]
    pub mfa_code: Option<MfaCode>,
    /// The command and its arguments, after `--` (no shell: write `sh -c '…'` for one).
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// `-j` when not given: the same bound as hats' other fan-outs to AWS
/// (Identity Center discovery keeps at most 8 requests in flight), far below
/// STS's request rates, and about what a laptop runs of AWS CLI processes at
/// once without them queueing for the CPU. `tests/bench/fanout.py` sweeps -j
/// (trivial command, a 200 ms wait, the AWS CLI) to check it on a machine.
pub const DEFAULT_JOBS: u16 = 8;

impl RunArgs {
    /// The selection these options make.
    pub fn selector(&self) -> crate::fanout::Selector {
        crate::fanout::Selector {
            names: self.targets.clone(),
            ous: self.ous.clone(),
            tags: self.tags.clone(),
            roles: self.roles.clone(),
            excludes: self.excludes.clone(),
            all: self.all,
        }
    }
}
