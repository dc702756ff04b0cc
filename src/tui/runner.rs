//! The UI loop: one task owns the terminal and the state; keys, ticks and
//! finished background tasks become messages; effects start background tasks.
//! STS and keyring work never runs on this loop.
//!
//! ```text
//! loop { draw if dirty; select! { keys first, replies, MFA questions, ticks } -> Msg;
//!        update(&mut app, msg) -> effects; apply each (a subshell hand-off suspends the screen) }
//! ```
//! Keys are taken before replies that are ready at the same time: a key the
//! user pressed is acted on before a hand-out it may cancel.
//!
//! Every background task is watched: a panic in one becomes an error in the
//! status line (and its request ends), the switcher keeps running, and the
//! message is printed again after the terminal is restored. A terminal that
//! goes away (input closed or hung up) ends the process with a message, never a
//! spin (`terminal::end_on_hang_up`).
//!
//! Test hook: in debug builds only, `HATS_TEST_PANIC=resolve` makes the resolve
//! task panic, so the end-to-end tests can check the above. Release builds do
//! not contain it.

mod effects;
mod run;
mod screen;
mod sso;
mod subshell;
mod tasks;
mod watch;

use super::prompter::{MfaQuestion, TuiPrompter};
use super::state::App;
use super::terminal;
use super::update::{Effect, Msg, Sessions, update};
use super::view::{Theme, draw};
use crate::config::Scope;
use crate::context::Context;
use crate::error::Error;
use crate::output::Format;
use crate::session::{Cache, Session};
use screen::{Input, Screen};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OnceCell, mpsc, oneshot};
use watch::{IndexPoll, ServedPoll};

/// What background tasks send back.
enum Reply {
    Msg(Msg),
    Resolved(Msg, Option<(Session, Option<Scope>)>),
    /// A finished organization sync: the reloaded context and its rows.
    Synced(Box<Context>, Msg),
    /// The session index read again, from this context's targets.
    Sessions(Arc<Context>, Sessions),
    /// A background task panicked: the message that ends its request, and the panic.
    Panicked(Msg, String),
}

/// The loop's resources.
struct Runner {
    ctx: Arc<Context>,
    cache: Arc<OnceCell<Option<Cache>>>,
    prompter: TuiPrompter,
    replies: mpsc::UnboundedSender<Reply>,
    answers: HashMap<u64, oneshot::Sender<Option<String>>>,
    /// Resolved sessions waiting for their hand-out, with the scope they were made with.
    sessions: HashMap<u64, (Session, Option<Scope>)>,
    print_on_exit: Option<String>,
    /// Under `hats use` (the shell function evals stdout): its dialect. Enter then
    /// hands the exports to the function instead of opening a subshell.
    eval_dialect: Option<Format>,
    /// Set when a hand-out under `hats use` ends the switcher.
    leave: bool,
    /// Panics of background tasks, printed after the terminal is restored.
    panics: Vec<String>,
    /// The Identity Center sign-in running for the modal.
    signing_in: Option<tokio::task::AbortHandle>,
    /// A sign-in in the modal succeeded: its accounts are discovered once the
    /// hand-out it continues is over (a sync replaces the rows under it).
    discover_after_sign_in: bool,
    served: ServedPoll,
    index: IndexPoll,
    /// Dropping it interrupts the run in progress (`run.rs`).
    run_stop: Option<oneshot::Sender<()>>,
    /// The thread of the run in progress, waited for when the switcher quits.
    run_thread: Option<std::thread::JoinHandle<()>>,
}

/// Where the loop's messages come from, besides the terminal.
struct Inbox {
    replies: mpsc::UnboundedReceiver<Reply>,
    questions: mpsc::UnboundedReceiver<MfaQuestion>,
    ticker: tokio::time::Interval,
}

/// What was last drawn.
#[derive(Default)]
struct Drawn {
    /// Something changed since.
    dirty: bool,
    /// The second the countdowns showed.
    second: i64,
    /// The Identity Center sign-ins have been asked for (after the first frame).
    sso_read: bool,
}

/// How the switcher ended.
pub struct Ending {
    /// Exports to print on stdout (`e`, or a hand-out under `hats use`).
    pub print: Option<String>,
    /// The user quit with Ctrl-C.
    pub interrupted: bool,
}

/// Runs the switcher until the user quits.
pub async fn run(ctx: Context, mut app: App) -> Result<Ending, Error> {
    let theme = Theme::new(std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()));
    let (mut runner, mut inbox) = Runner::new(ctx);
    app.use_mode = runner.eval_dialect.is_some();
    // Ctrl-C arrives as a key in raw mode; while a subshell runs, SIGINT must not end hats.
    let _interrupts = terminal::ignore_interrupts();
    // Leaves raw mode and the alternate screen on every way out, `?` and panics included.
    let restore = terminal::Restore;
    terminal::keep_panics();
    let mut screen = Screen::open(runner.replies.clone())?;
    if let Ok(size) = terminal::window() {
        app.size = size;
    }
    runner.sync_stale(&mut app);
    let result = runner.serve(&mut app, &mut screen, &mut inbox, theme).await;
    screen.close();
    drop(restore);
    runner.end_run();
    for text in &runner.panics {
        // Not eprintln!: stderr may be the terminal that just closed.
        let _ = writeln!(
            std::io::stderr(),
            "hats: internal error in a background task: {text}; please report it"
        );
    }
    let interrupted = app.interrupted;
    // The process ends next: freeing thousands of rows and targets one by one
    // would only delay the shell prompt. (Sessions in `runner` are still dropped,
    // so their secrets are zeroed.)
    std::mem::forget(app);
    std::mem::forget(Arc::clone(&runner.ctx));
    result.map(|()| Ending {
        print: runner.print_on_exit.take(),
        interrupted,
    })
}

impl Runner {
    fn new(ctx: Context) -> (Self, Inbox) {
        let (reply_tx, replies) = mpsc::unbounded_channel();
        let (question_tx, questions) = mpsc::unbounded_channel::<MfaQuestion>();
        let mut ticker = tokio::time::interval(Duration::from_millis(250));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let index = IndexPoll::new(&ctx);
        let runner = Self {
            ctx: Arc::new(ctx),
            cache: Arc::new(OnceCell::new()),
            prompter: TuiPrompter::new(question_tx),
            replies: reply_tx,
            answers: HashMap::new(),
            sessions: HashMap::new(),
            print_on_exit: None,
            eval_dialect: std::env::var(crate::output::FUNCTION_MARKER)
                .ok()
                .and_then(|v| crate::output::function_dialect(&v)),
            leave: false,
            panics: Vec::new(),
            signing_in: None,
            discover_after_sign_in: false,
            served: ServedPoll::default(),
            index,
            run_stop: None,
            run_thread: None,
        };
        let inbox = Inbox {
            replies,
            questions,
            ticker,
        };
        (runner, inbox)
    }

    /// The loop: draw when something changed, wait for the next message, apply it.
    async fn serve(
        &mut self,
        app: &mut App,
        screen: &mut Screen,
        inbox: &mut Inbox,
        theme: Theme,
    ) -> Result<(), Error> {
        let mut drawn = Drawn {
            dirty: true,
            ..Drawn::default()
        };
        // Not read when there is no sign-in to show.
        drawn.sso_read = app.sso_signins.is_empty();
        loop {
            if drawn.dirty {
                self.draw(app, screen, theme, &mut drawn)?;
            }
            let Some(msg) = self.next(app, screen, inbox, drawn.second).await? else {
                continue;
            };
            drawn.dirty = true;
            self.step(app, screen, msg).await?;
            if app.quit || self.leave {
                return Ok(());
            }
            if self.discover_after_sign_in && !app.busy() {
                self.discover_after_sign_in = false;
                self.sync_stale(app);
            }
        }
    }

    fn draw(
        &mut self,
        app: &mut App,
        screen: &mut Screen,
        theme: Theme,
        drawn: &mut Drawn,
    ) -> Result<(), Error> {
        let now = self.ctx.clock.now();
        super::describe_selected(app, &self.ctx);
        screen.draw(|f| draw(f, app, now, theme))?;
        if !drawn.sso_read {
            // After the first frame: the keyring is not on its path.
            drawn.sso_read = true;
            self.spawn_sso_status();
        }
        drawn.dirty = false;
        drawn.second = now.as_second();
        // While the user reads the frame; a no-op once built.
        app.filter.prepare(&app.entries);
        Ok(())
    }

    /// Waits for the next message: a key first, then a finished task, an MFA
    /// question, or a tick (a countdown second, or a changed file).
    async fn next(
        &mut self,
        app: &App,
        screen: &mut Screen,
        inbox: &mut Inbox,
        shown: i64,
    ) -> Result<Option<Msg>, Error> {
        tokio::select! {
            biased;
            event = screen.event() => match screen.on_event(event)? {
                Input::Msg(msg) => Ok(Some(msg)),
                Input::Focus => {
                    self.reread();
                    Ok(None)
                }
                Input::Nothing => Ok(None),
            },
            Some(reply) = inbox.replies.recv() => Ok(self.receive(reply)),
            Some(question) = inbox.questions.recv() => {
                let msg = Msg::MfaAsked {
                    id: question.id,
                    serial: question.serial.clone(),
                    generation: question.generation,
                };
                self.answers.insert(question.id, question.reply);
                Ok(Some(msg))
            }
            _ = inbox.ticker.tick() => match screen.missed_resize(app.size)? {
                Some(resized) => Ok(Some(resized)),
                None => Ok(self.tick(app, shown)),
            },
        }
    }

    /// A tick: the served commands or the index changed, or a countdown second passed.
    fn tick(&mut self, app: &App, shown: i64) -> Option<Msg> {
        let second = self.ctx.clock.now().as_second();
        if self.index.changed(&self.ctx, second) {
            self.reread();
        }
        self.served
            .poll(&self.ctx, second)
            .or_else(|| (second != shown || app.busy()).then_some(Msg::Tick))
    }

    /// Reads again what other processes may have changed: the index, and the sign-ins.
    fn reread(&self) {
        self.spawn_sessions_read();
        self.spawn_sso_status();
    }

    /// Applies `msg` and carries out its effects; a subshell runs right here.
    async fn step(&mut self, app: &mut App, screen: &mut Screen, msg: Msg) -> Result<(), Error> {
        // A sign-in in the modal discovers its accounts, as `hats sso login` does.
        self.discover_after_sign_in |= matches!(&msg, Msg::SignedIn { outcome: Ok(()), .. });
        let effects = update(app, msg, self.ctx.clock.now());
        for effect in effects {
            let handed = match self.apply(effect) {
                Ok(Some(handoff)) => {
                    screen.suspend();
                    let outcome = self.run_subshell(handoff).await;
                    screen.resume()?;
                    outcome
                }
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            if let Err(e) = handed {
                app.status = Some(super::state::Status {
                    text: e.to_string(),
                    error: true,
                });
            }
        }
        Ok(())
    }
}

impl Runner {
    /// Refreshes a stale or missing organization or Identity Center inventory
    /// in the background (only the stale ones; `S` refreshes everything), unless
    /// a sync is already running.
    fn sync_stale(&self, app: &mut App) {
        let ctx = &self.ctx;
        let org_stale = ctx
            .file_organization
            .as_ref()
            .is_some_and(|org| crate::config::is_stale(ctx.inventory.as_ref(), org, ctx.clock.now()));
        if (org_stale || !crate::org::stale_sessions(ctx).is_empty())
            && super::update::sync(app).contains(&Effect::Sync)
        {
            self.spawn_sync(true);
        }
    }

    /// A finished task's message; `None` when it is out of date.
    fn receive(&mut self, reply: Reply) -> Option<Msg> {
        let msg = match reply {
            Reply::Msg(msg) => {
                match &msg {
                    Msg::SignedIn { .. } => {
                        self.signing_in = None;
                        self.spawn_sso_status();
                    }
                    // What the header says about that sign-in was wrong.
                    Msg::SignInNeeded { .. } => self.spawn_sso_status(),
                    Msg::Forgotten { .. } => self.spawn_sessions_read(),
                    _ => {}
                }
                msg
            }
            Reply::Synced(ctx, msg) => {
                self.ctx = Arc::new(*ctx);
                msg
            }
            Reply::Sessions(read_from, sessions) => {
                // Rows of a context a sync has replaced since.
                if !Arc::ptr_eq(&read_from, &self.ctx) {
                    return None;
                }
                Msg::Sessions(sessions)
            }
            Reply::Panicked(msg, text) => {
                self.panics.push(text);
                msg
            }
            Reply::Resolved(msg, session) => {
                // A hand-out may have made, refreshed or refused sessions and sign-ins.
                self.reread();
                if let (Msg::Resolved { generation, .. }, Some(session)) = (&msg, session) {
                    self.sessions.insert(*generation, session);
                }
                msg
            }
        };
        Some(msg)
    }
}
