//! Identity Center work of the switcher, off the UI loop: reading how long each
//! sign-in has left (keyring and the AWS CLI's cache; no network), and the
//! sign-in itself, whose steps reach the modal as messages. Nothing here writes
//! to the terminal: the switcher owns the screen.

use super::tasks::open;
use super::{Reply, Runner};
use crate::config::SsoSession;
use crate::context::Context;
use crate::session::{Cache, SsoToken, keep_sso_token, kept_token, read_cli_cache_async};
use crate::signin::{Options, Report, Step, sign_in_with};
use crate::tui::entries::sso_sessions_in_use;
use crate::tui::state::SsoSignIn;
use crate::tui::update::Msg;
use tokio::sync::mpsc::UnboundedSender;

/// Sends each step of a sign-in to the modal.
struct ToModal(UnboundedSender<Reply>);

impl Report for ToModal {
    fn step(&mut self, _session: &SsoSession, step: Step) {
        let _ = self.0.send(Reply::Msg(Msg::SignInStep(step)));
    }
}

impl Runner {
    /// Reads every sign-in's expiry in the background; the header shows it when it comes.
    pub(super) fn spawn_sso_status(&self) {
        let (ctx, cache, replies) = (self.ctx.clone(), self.cache.clone(), self.replies.clone());
        let task = tokio::spawn(async move {
            let sessions = sso_sessions_in_use(&ctx);
            if sessions.is_empty() {
                return;
            }
            // A keyring that does not open still leaves the AWS CLI's cache to read.
            let cache = open(&ctx, &cache).await.ok().flatten();
            let mut found = Vec::with_capacity(sessions.len());
            for session in &sessions {
                found.push(status(&ctx, cache, session).await);
            }
            let _ = replies.send(Reply::Msg(Msg::SsoSignIns(found)));
        });
        self.watch(task, |text| Msg::Notice {
            text: format!("reading the Identity Center sign-ins failed: internal error: {text}"),
            error: true,
        });
    }

    /// Signs in to `name` for the modal; the token is kept as `hats sso login` keeps it.
    pub(super) fn spawn_sign_in(&mut self, name: String) {
        self.cancel_sign_in();
        let (ctx, cache, replies) = (self.ctx.clone(), self.cache.clone(), self.replies.clone());
        let ended = name.clone();
        let task = tokio::spawn(async move {
            let outcome = async {
                let session = sso_sessions_in_use(&ctx)
                    .into_iter()
                    .find(|s| s.key() == name)
                    .ok_or_else(|| format!("no sso-session \"{name}\" in the AWS config"))?;
                let mut report = ToModal(replies.clone());
                let cache = open(&ctx, &cache).await.map_err(|e| e.to_string())?;
                let now = ctx.clock.now();
                let token = sign_in_with(&session, Options::default(), now, cache, &mut report)
                    .await
                    .map_err(|e| e.to_string())?;
                keep_sso_token(cache, &ctx.settings, &session, &token)
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            let _ = replies.send(Reply::Msg(Msg::SignedIn {
                session: name,
                outcome,
            }));
        });
        self.signing_in = Some(task.abort_handle());
        self.watch(task, move |text| Msg::SignedIn {
            session: ended,
            outcome: Err(format!("internal error: {text}")),
        });
    }

    /// Stops the sign-in in progress, if any (its loopback listener closes with it).
    pub(super) fn cancel_sign_in(&mut self) {
        if let Some(task) = self.signing_in.take() {
            task.abort();
        }
    }
}

/// How long `session`'s sign-in has left: the later of the keyring's token and
/// the AWS CLI's, as the engine would use them.
async fn status(ctx: &Context, cache: Option<&Cache>, session: &SsoSession) -> SsoSignIn {
    let ours = kept_token(cache, session).await.ok().flatten();
    let theirs = read_cli_cache_async(session).await.token;
    let now = ctx.clock.now();
    let tokens: Vec<SsoToken> = ours.into_iter().chain(theirs).collect();
    SsoSignIn {
        session: session.key().to_owned(),
        known: true,
        expires: tokens.iter().map(|t| t.expires_at).max(),
        renewable: tokens.iter().any(|t| t.refreshable(now)),
    }
}
