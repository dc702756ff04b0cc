//! The UI loop: one task owns the terminal and the state; keys, ticks and
//! finished background tasks become messages; effects start background tasks.
//! STS and keyring work never runs on this loop.
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

mod sso;
mod subshell;
mod tasks;

use super::prompter::{MfaQuestion, TuiPrompter};
use super::state::{App, Purpose, ServedCommand};
use super::terminal;
use super::update::{Effect, Msg, update};
use super::view::{Theme, draw};
use crate::config::Scope;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{Format, exports, render};
use crate::session::{Cache, Session};
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use subshell::Handoff;
use tokio::sync::{OnceCell, mpsc, oneshot};

/// What background tasks send back.
enum Reply {
    Msg(Msg),
    Resolved(Msg, Option<(Session, Option<Scope>)>),
    /// A finished organization sync: the reloaded context and its rows.
    Synced(Box<Context>, Msg),
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
}

/// Runs the switcher until the user quits; returns text to print on stdout afterwards.
pub async fn run(ctx: Context, mut app: App) -> Result<Option<String>, Error> {
    let theme = Theme::new(std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()));
    let (reply_tx, mut reply_rx) = mpsc::unbounded_channel();
    let (question_tx, mut question_rx) = mpsc::unbounded_channel::<MfaQuestion>();
    let mut runner = Runner {
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
    };
    // Ctrl-C arrives as a key in raw mode; while a subshell runs, SIGINT must not end hats.
    let _sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    // Leaves raw mode and the alternate screen on every way out, `?` and panics included.
    let _restore = terminal::Restore;
    terminal::keep_panics();
    // A helper command's stderr would tear the screen: it goes to a panel instead.
    let helper_replies = runner.replies.clone();
    let capture_helpers = move || {
        let replies = helper_replies.clone();
        crate::session::capture_stderr(Arc::new(move |event| {
            let _ = replies.send(Reply::Msg(Msg::Helper(event)));
        }))
    };
    let mut capture = Some(capture_helpers());
    let mut tty = terminal::enter()?;
    // A handle of our own to watch for a hang-up, whatever happens to `tty`.
    let watched = terminal::open_tty()?;
    terminal::end_on_hang_up(watched.try_clone()?)?;
    if let Ok(size) = terminal::window() {
        app.size = size;
    }
    let mut events = EventStream::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    runner.sync_stale(&mut app);
    let mut dirty = true;
    let mut shown_second = 0;
    let mut served = ServedPoll::default();
    let mut sso_read = app.sso_signins.is_empty();
    let result = loop {
        let now = runner.ctx.clock.now();
        if dirty {
            super::describe_selected(&mut app, &runner.ctx);
            if let Err(e) = tty.draw(|f| draw(f, &app, now, theme)) {
                // A hang-up can fail a frame before a tick notices it: same event, same message.
                if terminal::hung_up(&watched) {
                    terminal::end_after_hang_up(Some(&e));
                }
                break Err(Error::Output(e));
            }
            if !sso_read {
                // After the first frame: the keyring is not on its path.
                sso_read = true;
                runner.spawn_sso_status();
            }
            dirty = false;
            shown_second = now.as_second();
            // While the user reads the frame; a no-op once built.
            app.filter.prepare(&app.entries);
        }
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
                Some(Ok(Event::Resize(width, height))) => {
                    match terminal::fresh() {
                        Ok(fresh) => tty = fresh,
                        Err(e) => break Err(Error::Output(e)),
                    }
                    Some(Msg::Resized { width, height })
                }
                Some(Ok(Event::Mouse(mouse))) => Some(Msg::Mouse(mouse)),
                Some(Ok(_)) => None,
                // The terminal went away: stop rather than spin.
                Some(Err(e)) => break Err(Error::Usage(format!("the terminal closed ({e}); left the switcher"))),
                None => break Err(Error::Usage("the terminal closed; left the switcher".into())),
            },
            _ = ticker.tick() => {
                let second = runner.ctx.clock.now().as_second();
                served.poll(&runner.ctx, second)
                    .or_else(|| (second != shown_second || app.busy()).then_some(Msg::Tick))
            }
            Some(reply) = reply_rx.recv() => Some(runner.receive(reply)),
            Some(question) = question_rx.recv() => {
                let msg = Msg::MfaAsked { id: question.id, serial: question.serial.clone() };
                runner.answers.insert(question.id, question.reply);
                Some(msg)
            }
        };
        if let Some(msg) = msg {
            // A sign-in in the modal discovers its accounts, as `hats sso login` does.
            runner.discover_after_sign_in |= matches!(&msg, Msg::SignedIn { outcome: Ok(()), .. });
            let effects = update(&mut app, msg, runner.ctx.clock.now());
            dirty = true;
            for effect in effects {
                let handed = match runner.apply(effect) {
                    Ok(Some(handoff)) => {
                        // Stop reading keys before the shell does: two readers of one terminal fight.
                        drop(events);
                        terminal::leave();
                        // The subshell has the terminal: a renewal's helper command
                        // (under `serve`) may talk to the user there.
                        drop(capture.take());
                        let outcome = runner.run_subshell(handoff).await;
                        capture = Some(capture_helpers());
                        tty = terminal::enter()?;
                        events = EventStream::new();
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
        }
        if app.quit || runner.leave {
            break Ok(());
        }
        if runner.discover_after_sign_in && !app.busy() {
            runner.discover_after_sign_in = false;
            runner.sync_stale(&mut app);
        }
    };
    // Not dropped: ratatui's drop shows the cursor and prints an error when the
    // terminal is gone; `Restore` shows the cursor anyway.
    std::mem::forget(tty);
    drop(capture);
    drop(_restore);
    for text in &runner.panics {
        // Not eprintln!: stderr may be the terminal that just closed.
        let _ = writeln!(
            std::io::stderr(),
            "hats: internal error in a background task: {text}; please report it"
        );
    }
    // The process ends next: freeing thousands of rows and targets one by one
    // would only delay the shell prompt. (Sessions in `runner` are still dropped,
    // so their secrets are zeroed.)
    std::mem::forget(app);
    std::mem::forget(Arc::clone(&runner.ctx));
    result.map(|()| runner.print_on_exit.take())
}

/// Reads the serve registry every few seconds; a message only when it changed.
#[derive(Default)]
struct ServedPoll {
    polled_at: i64,
    seen: Vec<ServedCommand>,
}

impl ServedPoll {
    const EVERY_SECS: i64 = 2;

    fn poll(&mut self, ctx: &Context, second: i64) -> Option<Msg> {
        if second - self.polled_at < Self::EVERY_SECS {
            return None;
        }
        self.polled_at = second;
        let running: Vec<ServedCommand> = crate::serve::registry::running(&ctx.paths.cache_dir)
            .into_iter()
            .map(|s| ServedCommand {
                target: s.target,
                command: s.command,
                expires: s.expires,
            })
            .collect();
        (running != self.seen).then(|| {
            self.seen.clone_from(&running);
            Msg::Served(running)
        })
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

    fn receive(&mut self, reply: Reply) -> Msg {
        match reply {
            Reply::Msg(msg) => {
                if matches!(msg, Msg::SignedIn { .. }) {
                    self.signing_in = None;
                    self.spawn_sso_status();
                }
                msg
            }
            Reply::Synced(ctx, msg) => {
                self.ctx = Arc::new(*ctx);
                msg
            }
            Reply::Panicked(msg, text) => {
                self.panics.push(text);
                msg
            }
            Reply::Resolved(msg, session) => {
                // A hand-out may have refreshed or refused a sign-in token.
                self.spawn_sso_status();
                if let (Msg::Resolved { generation, .. }, Some(session)) = (&msg, session) {
                    self.sessions.insert(*generation, session);
                }
                msg
            }
        }
    }

    /// Carries out `effect`; returns a hand-off when a subshell should run now.
    fn apply(&mut self, effect: Effect) -> Result<Option<Handoff>, Error> {
        match effect {
            Effect::Resolve {
                generation,
                target,
                purpose,
                refresh,
                mfa_code,
                preset,
            } => {
                self.spawn_resolve(generation, target, purpose, refresh, mfa_code, preset);
            }
            Effect::AnswerMfa { id, code } => {
                if let Some(reply) = self.answers.remove(&id) {
                    let _ = reply.send(Some(code));
                }
            }
            Effect::CancelMfa { id } => {
                if let Some(reply) = self.answers.remove(&id) {
                    let _ = reply.send(None);
                }
            }
            Effect::Forget { target } => self.spawn_forget(target),
            Effect::SignIn { session } => self.spawn_sign_in(session),
            Effect::CancelSignIn => self.cancel_sign_in(),
            Effect::Sync => self.spawn_sync(false),
            Effect::SavePrefs(prefs) => {
                super::prefs::save(&super::prefs::path(&self.ctx.paths.data_dir), &prefs)?;
            }
            Effect::Discard { generation } => {
                self.sessions.remove(&generation);
            }
            Effect::HandOut {
                generation,
                target,
                purpose,
                region,
            } => {
                let Some((session, scope)) = self.sessions.remove(&generation) else {
                    return Ok(None);
                };
                self.record(target, &session, scope.as_ref());
                if purpose == Purpose::Shell && self.eval_dialect.is_none() {
                    return Ok(Some(Handoff {
                        target,
                        session,
                        region,
                        scoped: scope.is_some(),
                    }));
                }
                let target = &self.ctx.targets.targets[target];
                let vars = match (self.eval_dialect, purpose) {
                    // Under `hats use`, exports replace the shell's: its own region is saved.
                    (Some(_), Purpose::Env | Purpose::Shell) => {
                        crate::commands::use_exports(&self.ctx, target, &session, region.as_deref())
                    }
                    _ => exports(target, &session, region.as_deref()),
                };
                match purpose {
                    Purpose::Env => {
                        self.print_on_exit = Some(render(&vars, self.eval_dialect.unwrap_or(Format::Sh)));
                    }
                    Purpose::Shell => {
                        self.print_on_exit = Some(render(&vars, self.eval_dialect.unwrap_or(Format::Sh)));
                        self.leave = true;
                    }
                    Purpose::Copy => terminal::copy_to_clipboard(&render(&vars, Format::Sh))?,
                    Purpose::Console => self.spawn_console(target, session, region.as_deref()),
                    Purpose::Refresh => {}
                }
            }
        }
        Ok(None)
    }

    /// Appends the hand-out to the history; a failure is shown, never fatal.
    fn record(&self, target: usize, session: &Session, scope: Option<&Scope>) {
        let ctx = &self.ctx;
        let logged = crate::history::log_handout(
            &ctx.paths.data_dir,
            &ctx.settings,
            &ctx.targets.targets[target],
            session.expiration,
            scope,
            Handout::Tui,
            ctx.clock.now(),
        );
        if let Err(e) = logged {
            let text = format!("cannot write the hand-out history: {e}");
            let _ = self.replies.send(Reply::Msg(Msg::Notice { text, error: true }));
        }
    }
}
