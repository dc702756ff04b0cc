//! Drives a fan-out: at most `-j` jobs at once, each getting its target's
//! credentials and running the command, every event counted and passed to the
//! front end in order. When `interrupt` completes (Ctrl-C, or the switcher's
//! cancel), no new command starts, the running ones get SIGINT, and those
//! still running after a grace period are killed.
//!
//! One task, no threads: the jobs are futures polled side by side (the engine
//! borrows the context), so the front end's sink needs no locking and lines
//! are written by one writer only.

use super::child::{self, CommandLine};
use super::sessions::Sessions;
use super::{Event, Job, Sink, Status, Stop, Tally};
use crate::session::{MfaPrompter, Session};
use futures_util::StreamExt;
use std::cell::Cell;
use std::future::Future;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

/// How often the sink is ticked (progress line).
const TICK: Duration = Duration::from_millis(250);
/// Events waiting for the front end before the commands' readers wait.
const QUEUE: usize = 1024;

/// How a fan-out runs.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Commands at once (`-j`).
    pub parallel: usize,
    /// After an interrupt, how long running commands have before they are killed.
    pub interrupt_grace: Duration,
}

/// Runs `line` for every job; `record` is called as each command starts (the
/// hand-out happened). Returns the tally, and whether the run was interrupted.
pub async fn run<'t, P: MfaPrompter>(
    jobs: &[Job<'t>],
    sessions: &Sessions<'_, P>,
    line: &CommandLine,
    limits: Limits,
    sink: &mut dyn Sink,
    interrupt: impl Future<Output = ()>,
    record: &dyn Fn(&Job<'_>, &Session),
) -> (Tally, bool) {
    let (events, mut received) = mpsc::channel::<Event>(QUEUE);
    let (stop, stopped) = watch::channel(Stop::Running);
    let stopping = Cell::new(false);
    let one = |index: usize, job: &Job<'t>| {
        let (events, stopped, stopping) = (events.clone(), stopped.clone(), &stopping);
        let job = job.clone();
        async move {
            let began = Instant::now();
            let status = if stopping.get() {
                Status::NotRun
            } else {
                match sessions.get(job.target).await {
                    Err(why) => Status::NoCredentials(why),
                    Ok(_) if stopping.get() => Status::NotRun,
                    Ok(session) => {
                        let env = environment(&job, &session);
                        let started = || record(&job, &session);
                        child::run(index, line, &env, &events, stopped, started).await
                    }
                }
            };
            let duration = began.elapsed();
            let _ = events
                .send(Event::Finished {
                    job: index,
                    status,
                    duration,
                })
                .await;
        }
    };
    let work = futures_util::stream::iter(jobs.iter().enumerate())
        .map(|(index, job)| one(index, job))
        .buffer_unordered(limits.parallel.max(1));
    let mut tally = Tally::new(jobs.len(), std::time::Instant::now());
    tokio::pin!(work, interrupt);
    let mut ticks = tokio::time::interval(TICK);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let far = Instant::now() + Duration::from_secs(365 * 86_400);
    let mut kill_at = far;
    let mut work_done = false;
    let deliver = |event: Event, tally: &mut Tally, sink: &mut dyn Sink| {
        tally.count(&event);
        sink.event(event, tally);
    };
    while !work_done {
        tokio::select! {
            biased;
            Some(event) = received.recv() => deliver(event, &mut tally, sink),
            next = work.next() => work_done = next.is_none(),
            () = &mut interrupt, if !stopping.get() => {
                stopping.set(true);
                let _ = stop.send(Stop::Interrupt);
                kill_at = Instant::now() + limits.interrupt_grace;
                sink.interrupted();
            }
            () = tokio::time::sleep_until(kill_at) => {
                kill_at = far;
                let _ = stop.send(Stop::Kill);
            }
            _ = ticks.tick() => sink.tick(&tally),
        }
    }
    // Every job has ended, so all its events are queued.
    while let Ok(event) = received.try_recv() {
        deliver(event, &mut tally, sink);
    }
    (tally, stopping.get())
}

/// The command's environment: the credentials as `hats exec` gives them, the
/// job's region, and what names the target.
fn environment(job: &Job<'_>, session: &Session) -> Vec<(&'static str, String)> {
    let mut vars = crate::output::exports(job.target, session, Some(&job.region)).vars;
    if let Some(name) = &job.target.account_name {
        vars.push(("HATS_ACCOUNT_NAME", name.to_string()));
    }
    vars
}
