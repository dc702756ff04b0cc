//! The switcher's background tasks: resolving a target through the engine,
//! forgetting its sessions, an organization sync, the console sign-in. Each
//! reports back as a `Reply`; a panic in one ends its request with a message.

use super::{Reply, Runner, terminal};
use crate::aws::{AwsError, Progress, SsoProgress};
use crate::config::{Scope, ScopeRequest};
use crate::context::{Context, sts_region};
use crate::error::Error;
use crate::session::{Cache, Engine, Request, Session, SessionError, keys_to_forget};
use crate::tui::entries::{cached_index, mfa_sessions};
use crate::tui::prompter::TuiPrompter;
use crate::tui::state::Purpose;
use crate::tui::update::{Failure, Msg};
use tokio::sync::OnceCell;

impl Runner {
    pub(super) fn spawn_resolve(
        &self,
        generation: u64,
        target: usize,
        purpose: Purpose,
        refresh: bool,
        mfa_code: Option<String>,
        preset: Option<String>,
    ) {
        let (ctx, cache, prompter, replies) = (
            self.ctx.clone(),
            self.cache.clone(),
            self.prompter.for_request(generation),
            self.replies.clone(),
        );
        let ended = (ctx.clone(), preset.clone());
        let task = tokio::spawn(async move {
            #[cfg(debug_assertions)]
            if std::env::var_os("HATS_TEST_PANIC").is_some_and(|v| v == "resolve") {
                panic!("HATS_TEST_PANIC asked the resolve task to panic");
            }
            let wanted = Wanted {
                target,
                refresh,
                mfa_code,
                preset: preset.as_deref(),
            };
            let outcome = resolve(&ctx, &cache, &prompter, wanted).await;
            for text in cache
                .get()
                .and_then(Option::as_ref)
                .map(Cache::take_notices)
                .unwrap_or_default()
            {
                let _ = replies.send(Reply::Msg(Msg::Notice { text, error: true }));
            }
            let now = ctx.clock.now();
            let mfa = mfa_sessions(&ctx, &cached_index(&ctx), now);
            let (result, session) = match outcome {
                Ok((s, scope)) => (Ok((s.expiration, s.assumed_arn.clone())), Some((s, scope))),
                Err(Error::Session(SessionError::SsoSignIn { session, .. })) => {
                    // Signed out: the switcher signs in (a modal), then asks again.
                    let msg = Msg::SignInNeeded {
                        generation,
                        target,
                        purpose,
                        session,
                    };
                    let _ = replies.send(Reply::Msg(msg));
                    return;
                }
                Err(e) => (Err(failure(&e)), None),
            };
            let msg = Msg::Resolved {
                generation,
                target,
                purpose,
                outcome: result,
                preset,
                mfa_sessions: mfa,
            };
            let _ = replies.send(Reply::Resolved(msg, session));
        });
        self.watch(task, move |text| {
            let (ctx, preset) = ended;
            Msg::Resolved {
                generation,
                target,
                purpose,
                outcome: Err(format!("internal error: {text}").into()),
                preset,
                mfa_sessions: mfa_sessions(&ctx, &cached_index(&ctx), ctx.clock.now()),
            }
        });
    }

    /// Turns a panic of `task` into `on_panic`'s message, so its request ends and the user hears of it.
    pub(super) fn watch(
        &self,
        task: tokio::task::JoinHandle<()>,
        on_panic: impl FnOnce(String) -> Msg + Send + 'static,
    ) {
        let replies = self.replies.clone();
        tokio::spawn(async move {
            if let Err(e) = task.await
                && e.is_panic()
            {
                let text = terminal::take_panic().unwrap_or_else(|| terminal::panic_text(&*e.into_panic()));
                let _ = replies.send(Reply::Panicked(on_panic(text.clone()), text));
            }
        });
    }

    /// Builds the sign-in URL and opens it with the target's launcher, off the UI loop.
    pub(super) fn spawn_console(
        &self,
        target: &crate::inventory::Target,
        session: Session,
        region: Option<&str>,
    ) {
        use crate::console::{Console, Landing};
        let (ctx, replies, name) = (self.ctx.clone(), self.replies.clone(), target.name.clone());
        let console = Console::new(&ctx, target, None, &Landing::Home, &sts_region(target, region));
        let task = tokio::task::spawn_blocking(move || {
            let opened = console.and_then(|console| {
                let url = match console.portal_url() {
                    Some(portal) => portal.to_owned(),
                    None => {
                        let endpoint = crate::commands::federation_endpoint(&ctx, console.partition);
                        let sign_out = console.should_sign_out(&ctx, false);
                        console
                            .signin_url(&session.credentials, &endpoint, sign_out)
                            .map_err(|e| e.to_string())?
                    }
                };
                console.open(&url)?;
                console.remember(&ctx, session.expiration);
                Ok(console.describe())
            });
            let msg = match opened {
                Ok(how) => Msg::ConsoleOpened {
                    text: format!("opened the AWS console for {name} ({how})"),
                    target: name,
                },
                Err(e) => Msg::Notice {
                    text: format!("console sign-in failed: {e}"),
                    error: true,
                },
            };
            let _ = replies.send(Reply::Msg(msg));
        });
        self.watch(task, |text| Msg::Notice {
            text: format!("console sign-in failed: internal error: {text}"),
            error: true,
        });
    }

    /// Discovery runs on its own thread and runtime: its stream combinators make a
    /// future the compiler cannot prove `Send`, and it must not block the UI loop.
    /// With `stale_only`, inventories still fresh are left alone.
    pub(super) fn spawn_sync(&self, stale_only: bool) {
        let (ctx, cache, prompter, replies) = (
            self.ctx.clone(),
            self.cache.clone(),
            self.prompter.clone(),
            self.replies.clone(),
        );
        std::thread::spawn(move || {
            let progress_replies = replies.clone();
            let sso_replies = replies.clone();
            let progress = move |p: Progress| {
                let text = match p {
                    Progress::Units(n) => format!("organization: {n} OUs"),
                    Progress::Accounts(n) => format!("organization: accounts {n}"),
                    Progress::Tags(done, total) => format!("organization: accounts {done}/{total}"),
                };
                let _ = progress_replies.send(Reply::Msg(Msg::SyncProgress(text)));
            };
            let synced = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(Error::doing("start the sync's runtime"))
                    .and_then(|runtime| {
                        runtime.block_on(async {
                            let cache = open(&ctx, &cache).await?;
                            let sso_progress = |p: SsoProgress| {
                                let text = match p {
                                    SsoProgress::Accounts(n) => format!("Identity Center: accounts {n}"),
                                    SsoProgress::Roles(done, total) => {
                                        format!("Identity Center: roles of {done}/{total} accounts")
                                    }
                                };
                                let _ = sso_replies.send(Reply::Msg(Msg::SyncProgress(text)));
                            };
                            let partial = sync_inventories(
                                &ctx,
                                cache,
                                &prompter,
                                stale_only,
                                &progress,
                                &sso_progress,
                            )
                            .await?;
                            Ok((Context::load(false).await?, partial))
                        })
                    })
            }));
            let synced = match synced {
                Ok(synced) => synced,
                Err(payload) => {
                    let text = terminal::take_panic().unwrap_or_else(|| terminal::panic_text(&*payload));
                    let msg = Msg::SyncFailed(format!("internal error: {text}"));
                    let _ = replies.send(Reply::Panicked(msg, text));
                    return;
                }
            };
            let reply = match synced {
                Ok((new, partial)) => {
                    let fresh = crate::tui::initial_app(&new, new.clock.now());
                    let msg = Msg::Synced {
                        entries: fresh.entries,
                        mfa_sessions: fresh.mfa_sessions,
                        partial: partial.map(|e| e.to_string()),
                    };
                    Reply::Synced(Box::new(new), msg)
                }
                Err(e) => Reply::Msg(Msg::SyncFailed(e.to_string())),
            };
            let _ = replies.send(reply);
        });
    }

    pub(super) fn spawn_forget(&self, target: usize) {
        let (ctx, cache, replies) = (self.ctx.clone(), self.cache.clone(), self.replies.clone());
        let name = ctx.targets.targets[target].name.clone();
        let ended = name.clone();
        let task = tokio::spawn(async move {
            let outcome = async {
                let Some(cache) = open(&ctx, &cache).await? else {
                    return Ok(());
                };
                let keys = keys_to_forget(&ctx.index().read(), Some(&ctx.targets.targets[target]));
                cache.remove(keys).await.map(|_| ()).map_err(Error::from)
            }
            .await
            .map_err(|e: Error| e.to_string());
            let _ = replies.send(Reply::Msg(Msg::Forgotten {
                target,
                name,
                outcome,
            }));
        });
        self.watch(task, move |text| Msg::Forgotten {
            target,
            name: ended,
            outcome: Err(format!("internal error: {text}")),
        });
    }
}

/// A failed request as the switcher shows it.
fn failure(e: &Error) -> Failure {
    let denied = matches!(
        e,
        Error::Session(SessionError::Aws(AwsError::AccessDenied { .. }))
            | Error::Aws(AwsError::AccessDenied { .. })
    );
    Failure {
        text: e.to_string(),
        denied,
    }
}

pub(super) async fn open<'c>(
    ctx: &Context,
    cell: &'c OnceCell<Option<Cache>>,
) -> Result<Option<&'c Cache>, Error> {
    let cache = cell
        .get_or_try_init(|| async { ctx.open_cache_quietly().await.map(|(cache, _)| cache) })
        .await?;
    Ok(cache.as_ref())
}

/// What a background request asks for.
struct Wanted<'a> {
    target: usize,
    refresh: bool,
    mfa_code: Option<String>,
    preset: Option<&'a str>,
}

async fn resolve(
    ctx: &Context,
    cell: &OnceCell<Option<Cache>>,
    prompter: &TuiPrompter,
    wanted: Wanted<'_>,
) -> Result<(Session, Option<Scope>), Error> {
    let Wanted {
        target,
        refresh,
        mfa_code,
        preset,
    } = wanted;
    // Read and checked on every request, before any call: the file may have changed.
    let scope = ctx.presets.scope(ScopeRequest {
        preset,
        ..Default::default()
    })?;
    let cache = open(ctx, cell).await?;
    let target = &ctx.targets.targets[target];
    let mfa_code = mfa_code
        .map(|c| crate::domain::MfaCode::parse(&c))
        .transpose()
        .map_err(crate::session::SessionError::from)?;
    let request = Request {
        duration: None,
        mfa_code,
        region: sts_region(target, None),
        refresh,
    };
    let quiet = |_: &str| {};
    let engine = Engine::new(&ctx.settings, ctx.clock, cache, prompter, request, &quiet)
        .with_policy(scope.as_ref().map(|s| s.policy.clone()));
    Ok((engine.resolve(target).await?, scope))
}

/// Discovers the organization and every Identity Center sign-in (with
/// `stale_only`, only those whose inventory is stale). A sign-in that fails
/// fails alone: its error is the whole result only when nothing landed, else
/// it comes back beside the success, to be shown.
async fn sync_inventories(
    ctx: &Context,
    cache: Option<&Cache>,
    prompter: &TuiPrompter,
    stale_only: bool,
    progress: &(dyn Fn(Progress) + Sync),
    sso_progress: &(dyn Fn(SsoProgress) + Sync),
) -> Result<Option<Error>, Error> {
    let org_due = ctx.file_organization.as_ref().is_some_and(|org| {
        !stale_only || crate::config::is_stale(ctx.inventory.as_ref(), org, ctx.clock.now())
    });
    if org_due {
        crate::org::sync(ctx, cache, prompter, None, progress).await?;
    }
    let sessions = if stale_only {
        crate::org::stale_sessions(ctx)
    } else {
        ctx.sso_sessions
            .iter()
            .map(|(s, _)| std::sync::Arc::clone(s))
            .collect()
    };
    let (mut failed, mut landed) = (None, org_due);
    for session in &sessions {
        match crate::org::sync_identity_center(ctx, cache, session, sso_progress).await {
            Ok(_) => landed = true,
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    match failed {
        Some(e) if !landed => Err(e),
        partial => Ok(partial),
    }
}
