//! `hats run`: one command across many targets and regions, the command-line
//! front end of [`crate::fanout`]. It selects, shows (`--dry-run`), guards
//! production, asks each MFA code once, then runs at most `-j` commands at
//! once, prints their output, a failure table and the totals.
//!
//! Exit status: 0 when every command succeeded, 1 when any failed (or had no
//! credentials), 130 after Ctrl-C.

mod files;
mod guard;
mod print;
mod summary;

use crate::cli::RunArgs;
use crate::context::Context;
use crate::error::Error;
use crate::fanout::{self, CommandLine, EngineParts, Job, Limits, Sessions, Status};
use crate::session::{Session, TerminalPrompter};
use print::{Layout, Printer};
use std::io::{IsTerminal as _, Write};
use std::process::ExitCode;
use std::time::Duration;

/// After Ctrl-C, how long running commands have to end before they are killed.
pub(crate) const INTERRUPT_GRACE: Duration = Duration::from_secs(5);
/// The exit status after Ctrl-C, as a shell reports a command ended by SIGINT.
const INTERRUPTED: u8 = 130;

/// Runs `args.command` on every selected target.
pub async fn run(ctx: &Context, args: &RunArgs) -> Result<ExitCode, Error> {
    let targets = args
        .selector()
        .select(&ctx.targets)
        .map_err(|e| Error::Usage(e.to_string()))?;
    let jobs = fanout::jobs(&targets, &args.regions, &ctx.settings);
    for job in &jobs {
        crate::context::check_partition(job.target, &job.region).map_err(Error::Usage)?;
    }
    if args.dry_run {
        dry_run(&jobs)?;
        return Ok(ExitCode::SUCCESS);
    }
    guard::confirm(&jobs, args.yes)?;
    let layout = layout(args, &jobs)?;
    let run_id = fanout::new_run_id();
    let (cache, _scratch) = open_cache(ctx, &run_id).await?;
    let log = |line: &str| ctx.log(line);
    let parts = EngineParts {
        settings: &ctx.settings,
        clock: ctx.clock,
        cache: cache.as_ref(),
        prompter: &TerminalPrompter,
        mfa_code: args.mfa_code.clone(),
        log: &log,
    };
    let sessions = Sessions::new(parts, &targets);
    sessions.warm_up(&targets).await;
    ctx.log(&format!(
        "run {run_id}: {} commands on {} targets",
        jobs.len(),
        targets.len()
    ));
    let record = |job: &Job<'_>, session: &Session| {
        if let Err(text) = fanout::record_handout(ctx, &run_id, job, session) {
            let _ = writeln!(std::io::stderr(), "hats: {text}");
        }
    };
    let line = CommandLine {
        argv: args.command.clone(),
        timeout: args.timeout.map(|t| Duration::from_secs(u64::from(t.as_secs()))),
    };
    let parallel = usize::from(args.jobs);
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut printer = Printer::new(&jobs, layout, colour, std::io::stderr().is_terminal(), parallel);
    let limits = Limits {
        parallel,
        interrupt_grace: INTERRUPT_GRACE,
    };
    let began = std::time::Instant::now();
    let (tally, interrupted) =
        fanout::run(&jobs, &sessions, &line, limits, &mut printer, ctrl_c(), &record).await;
    printer.clear_progress();
    let text = summary::summary(&jobs, &tally, began.elapsed(), interrupted);
    let _ = std::io::stderr().write_all(text.as_bytes());
    Ok(if interrupted {
        ExitCode::from(INTERRUPTED)
    } else if tally.all_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where the output goes: files, JSON, blocks or prefixed lines.
fn layout(args: &RunArgs, jobs: &[Job<'_>]) -> Result<Layout, Error> {
    Ok(match &args.output_dir {
        Some(dir) => Layout::Files(
            files::OutputFiles::create(dir, jobs).map_err(Error::doing(format!(
                "create the output directory \"{}\"",
                dir.display()
            )))?,
        ),
        None if args.json => Layout::Json,
        None if args.group => Layout::Grouped,
        None => Layout::Prefixed,
    })
}

/// The keyring's session cache, or (without a keyring) one in memory for this run.
async fn open_cache(
    ctx: &Context,
    run_id: &str,
) -> Result<(Option<crate::session::Cache>, Option<Scratch>), Error> {
    Ok(match ctx.open_cache().await? {
        Some(cache) => (Some(cache), None),
        None => {
            let scratch = Scratch::new(ctx, run_id)?;
            (Some(scratch.cache()), Some(scratch))
        }
    })
}

/// Without a keyring (`HATS_KEYRING=none`), the run keeps its sessions in
/// its own memory, so one MFA code still serves every target; the index and
/// locks of that cache live in a private directory removed when the run ends.
pub(crate) struct Scratch {
    dir: std::path::PathBuf,
}

impl Scratch {
    pub(crate) fn new(ctx: &Context, run_id: &str) -> Result<Self, Error> {
        let dir = ctx.paths.cache_dir.join(format!("run-{run_id}"));
        crate::fs_private::create_dir(&dir).map_err(Error::doing(format!("create \"{}\"", dir.display())))?;
        Ok(Self { dir })
    }

    pub(crate) fn cache(&self) -> crate::session::Cache {
        let store = std::sync::Arc::new(crate::session::MemoryStore::default());
        crate::session::Cache::new(store, crate::session::IndexFile::in_dir(&self.dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Completes at the first Ctrl-C (never, when it cannot be listened for).
///
/// Listens from the call on, before the first command starts: a command
/// started while hats still ignored SIGINT (hats itself started with it
/// ignored, as a script's background job is) would keep ignoring the Ctrl-C
/// that hats forwards; one started once hats handles it starts with the default.
fn ctrl_c() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let listening = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    #[cfg(windows)]
    let listening = tokio::signal::windows::ctrl_c();
    async move {
        match listening {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    }
}

/// `--dry-run`: the jobs, one a line, and nothing run.
fn dry_run(jobs: &[Job<'_>]) -> Result<(), Error> {
    let width = jobs
        .iter()
        .map(|j| j.target.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for job in jobs {
        let name = crate::domain::clean_text(&job.target.name);
        let mark = if job.production { "  production" } else { "" };
        text.push_str(&format!("{name:<width$}  {}{mark}\n", job.region));
    }
    let targets = {
        let mut names: Vec<&str> = jobs.iter().map(|j| j.target.name.as_str()).collect();
        names.dedup();
        names.len()
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Output)?;
    let _ = writeln!(
        std::io::stderr(),
        "hats run --dry-run: {} commands on {targets} targets would run; nothing ran",
        jobs.len()
    );
    Ok(())
}

/// One `--json` element: the job, and its output or why it did not run.
fn json_object(
    job: &Job<'_>,
    status: &Status,
    duration: Duration,
    stdout: String,
    stderr: String,
) -> serde_json::Value {
    let mut object = serde_json::json!({
        "target": job.target.name,
        "account_id": job.target.account_id.as_ref().map(ToString::to_string),
        "account_name": job.target.account_name.as_deref(),
        "region": job.region,
        "exit_code": serde_json::Value::Null,
        "duration_ms": u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
    });
    let error = match status {
        Status::Exited(code) => {
            object["exit_code"] = (*code).into();
            None
        }
        Status::Signalled(signal) => Some(format!("ended by signal {signal}")),
        Status::TimedOut(after) => Some(format!("timed out after {}", summary::short(*after))),
        Status::NoCredentials(why) => Some(format!("no credentials: {why}")),
        Status::Failed(why) => Some(why.clone()),
        Status::NotRun => Some("not run: the run was interrupted".to_owned()),
    };
    let ran = !matches!(
        status,
        Status::NoCredentials(_) | Status::NotRun | Status::Failed(_)
    );
    if ran {
        object["stdout"] = stdout.into();
        object["stderr"] = stderr.into();
    }
    if let Some(error) = error {
        object["error"] = error.into();
    }
    object
}
