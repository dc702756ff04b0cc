//! `Effect::Run`: one command across rows through [`crate::fanout`], the
//! engine and limits of `hats run` (`-j` at its default, the same interrupt
//! grace), on a thread and runtime of its own: the fan-out borrows the
//! context and is not `Send`, and it must not block the UI loop.
//!
//! Its MFA questions go through the switcher's prompter, tagged with the
//! run's generation, so they open the MFA modal like a hand-out's. What it
//! reports comes back in batches (`Msg::RunEvents`): at once when a command
//! starts or ends, else a few times a second, so a chatty command does not
//! redraw the screen for every line. Each hand-out is recorded in the history
//! with a run id, as `hats run` records it. Credentials stay in this thread
//! and each command's environment.

use super::{Reply, Runner, terminal};
use crate::context::Context;
use crate::fanout::{self, CommandLine, EngineParts, Event, Job, Limits, Sessions, Sink, Tally};
use crate::session::{Cache, Session};
use crate::tui::prompter::TuiPrompter;
use crate::tui::update::Msg;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OnceCell, mpsc, oneshot};

/// Output lines held back before a batch is sent anyway.
const BATCH: usize = 256;

/// The fan-out's sink: events to the UI loop, in batches.
struct Batches {
    run: u64,
    replies: mpsc::UnboundedSender<Reply>,
    pending: Vec<Event>,
}

impl Batches {
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let events = std::mem::take(&mut self.pending);
        let _ = self.replies.send(Reply::Msg(Msg::RunEvents {
            run: self.run,
            events,
        }));
    }
}

impl Sink for Batches {
    fn event(&mut self, event: Event, _tally: &Tally) {
        let status_changed = !matches!(event, Event::Line { .. });
        self.pending.push(event);
        if status_changed || self.pending.len() >= BATCH {
            self.flush();
        }
    }

    fn tick(&mut self, _tally: &Tally) {
        self.flush();
    }
}

/// What one run is.
struct Plan {
    run: u64,
    targets: Vec<usize>,
    argv: Vec<String>,
}

impl Runner {
    /// Starts run `run` of `argv` on rows `targets`; dropping `self.run_stop` interrupts it.
    pub(super) fn spawn_run(&mut self, run: u64, targets: Vec<usize>, argv: Vec<String>) {
        let (ctx, cache, prompter, replies) = (
            self.ctx.clone(),
            self.cache.clone(),
            self.prompter.for_request(run),
            self.replies.clone(),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        self.run_stop = Some(stop);
        self.run_thread = Some(std::thread::spawn(move || {
            let plan = Plan { run, targets, argv };
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())
                    .and_then(|runtime| {
                        runtime.block_on(fan_out(&ctx, &cache, &prompter, plan, &replies, stopped))
                    })
            }));
            let reply = match outcome {
                Ok(error) => Reply::Msg(Msg::RunEnded {
                    run,
                    error: error.err(),
                }),
                Err(payload) => {
                    let text = terminal::take_panic().unwrap_or_else(|| terminal::panic_text(&*payload));
                    let error = Some(format!("internal error: {text}"));
                    Reply::Panicked(Msg::RunEnded { run, error }, text)
                }
            };
            let _ = replies.send(reply);
        }));
    }

    /// The switcher quits: a run in progress is interrupted (its MFA questions
    /// cancelled, its commands sent SIGINT, then SIGKILL after the grace
    /// period) and waited for that long at most, so no command outlives hats
    /// unnoticed.
    pub(super) fn end_run(&mut self) {
        self.answers.clear();
        self.run_stop.take();
        let Some(thread) = self.run_thread.take() else {
            return;
        };
        let until = std::time::Instant::now() + crate::commands::INTERRUPT_GRACE + Duration::from_secs(1);
        while !thread.is_finished() && std::time::Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Resolves every target (each MFA code once) and runs the command on them.
async fn fan_out(
    ctx: &Arc<Context>,
    cell: &OnceCell<Option<Cache>>,
    prompter: &TuiPrompter,
    plan: Plan,
    replies: &mpsc::UnboundedSender<Reply>,
    stopped: oneshot::Receiver<()>,
) -> Result<(), String> {
    let targets: Vec<&crate::inventory::Target> = plan
        .targets
        .iter()
        .filter_map(|&i| ctx.targets.targets.get(i))
        .collect();
    let jobs = fanout::jobs(&targets, &[], &ctx.settings);
    let run_id = fanout::new_run_id();
    let keyring = super::tasks::open(ctx, cell).await.map_err(|e| e.to_string())?;
    // Without a keyring the run keeps its sessions in memory, as `hats run` does.
    let scratch = match keyring {
        Some(_) => None,
        None => Some(crate::commands::Scratch::new(ctx, &run_id).map_err(|e| e.to_string())?),
    };
    let scratch_cache = scratch.as_ref().map(crate::commands::Scratch::cache);
    let quiet = |_: &str| {};
    let parts = EngineParts {
        settings: &ctx.settings,
        clock: ctx.clock,
        cache: keyring.or(scratch_cache.as_ref()),
        prompter,
        mfa_code: None,
        log: &quiet,
    };
    let sessions = Sessions::new(parts, &targets);
    sessions.warm_up(&targets).await;
    let record = |job: &Job<'_>, session: &Session| {
        if let Err(text) = fanout::record_handout(ctx, &run_id, job, session) {
            let _ = replies.send(Reply::Msg(Msg::Notice { text, error: true }));
        }
    };
    let line = CommandLine {
        argv: plan.argv.into_iter().map(Into::into).collect(),
        timeout: None,
    };
    let limits = Limits {
        parallel: usize::from(crate::cli::DEFAULT_JOBS),
        interrupt_grace: crate::commands::INTERRUPT_GRACE,
    };
    let mut sink = Batches {
        run: plan.run,
        replies: replies.clone(),
        pending: Vec::new(),
    };
    let interrupt = async {
        let _ = stopped.await;
    };
    fanout::run(&jobs, &sessions, &line, limits, &mut sink, interrupt, &record).await;
    sink.flush();
    Ok(())
}
