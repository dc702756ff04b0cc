//! One file per subcommand. Commands ask the engine for sessions and print;
//! they never call AWS or the keyring themselves.

mod completions;
mod credential_process;
mod dispatch;
mod eks;
mod env;
mod exec;
mod forget;
mod history;
mod keys;
mod login;
mod ls;
mod org_sync;
mod own_path;
mod profiles;
mod progress;
mod run;
mod saml_sync;
mod serve;
mod shell;
mod shell_use;
mod sign_in;
mod sso;
mod sso_logout;
mod sso_status;
mod sso_sync;
mod whoami;

pub use completions::{answer_completion_request, completions, registration, target_completer};
pub use credential_process::credential_process;
pub use eks::{eks_kubeconfig, eks_token};
pub use env::env;
pub use exec::exec;
pub use forget::forget;
pub use history::history;
pub use keys::{keys_add, keys_import, keys_ls, keys_remove, keys_rotate, plaintext_warning};
pub use login::{LoginOptions, federation_endpoint, login};
pub use ls::ls;
pub use org_sync::org_sync;
pub use profiles::{profiles_print, profiles_sync};
pub use run::run;
pub(crate) use run::{INTERRUPT_GRACE, Scratch};
pub use saml_sync::saml_sync;
pub use serve::serve;
pub use shell::shell;
pub use shell_use::{dialect as use_dialect, init, prompt, use_exports, use_hook, use_target, use_unset};
pub use sso::sso_login;
pub use sso_logout::sso_logout;
pub use sso_status::sso_status;
pub use sso_sync::{note_unsynced, sso_sync, sync_stale};
pub use whoami::whoami;

use crate::cli::SessionArgs;
use crate::config::Scope;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::inventory::Target;
use crate::session::{Engine, Request, Session, TerminalPrompter};

/// Resolves `name` to its target and a session, as every hand-out command does.
/// Nothing is recorded yet: the command calls [`Receipt::record`] once the
/// credentials have actually left hats (printed, handed to a started program).
pub async fn obtain<'c>(
    ctx: &'c Context,
    name: &str,
    args: &SessionArgs,
) -> Result<(&'c Target, Session, Receipt), Error> {
    obtain_with(ctx, name, args, &TerminalPrompter, Asker::Command).await
}

/// Who asks for a hand-out, which decides what hats may do on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// A command: hats credentials already in the environment are pointed out.
    Command,
    /// `hats use`, which replaces those on purpose.
    Use,
    /// The prompt hook: like `Use`, and it never asks or runs a command
    /// ([`Engine::quiet`]).
    Hook,
}

/// [`obtain`] with another MFA prompter, for `asker`.
pub async fn obtain_with<'c, P: crate::session::MfaPrompter>(
    ctx: &'c Context,
    name: &str,
    args: &SessionArgs,
    prompter: &P,
    asker: Asker,
) -> Result<(&'c Target, Session, Receipt), Error> {
    let target = ctx.target(name)?;
    // Before the keyring and any call: a bad policy or a region of another
    // partition must never reach STS.
    let scope = ctx.presets.scope(args.scope_request())?;
    let region = crate::context::sts_region(target, args.region.as_deref());
    crate::context::check_partition(target, &region).map_err(Error::Usage)?;
    if asker == Asker::Command {
        note_outer_credentials();
    }
    // --no-cache makes a new session that is neither read from the cache nor
    // written to it; what sits below it (an MFA session, the Identity Center
    // sign-in) is still reused, so it never asks for a code or a sign-in again.
    // It worked without a keyring before, and still does when none opens.
    let cache = match ctx.open_cache().await {
        Err(e) if args.no_cache => {
            ctx.log(&format!("--no-cache: no keyring ({e}); every step is new"));
            None
        }
        opened => opened?,
    };
    let request = Request {
        duration: args.duration,
        mfa_code: args.mfa_code.clone(),
        region,
        refresh: false,
    };
    let log = |line: &str| ctx.log(line);
    let engine = Engine::new(&ctx.settings, ctx.clock, cache.as_ref(), prompter, request, &log)
        .keeping_sessions(!args.no_cache)
        .with_policy(scope.as_ref().map(|s| s.policy.clone()));
    let engine = if asker == Asker::Hook {
        engine.quiet()
    } else {
        engine
    };
    let session = match engine.resolve(target).await {
        // The prompt hook never asks anything, a sign-in least of all.
        Err(e @ crate::session::SessionError::SsoSignIn { .. }) if asker != Asker::Hook => {
            sign_in::sign_in_for(ctx, target, cache.as_ref(), e).await?;
            engine.resolve(target).await?
        }
        resolved => resolved?,
    };
    if !session.from_cache {
        ctx.log(&format!(
            "{}: new session until {}",
            target.name, session.expiration
        ));
    }
    let receipt = Receipt {
        expires: session.expiration,
        scope,
    };
    Ok((target, session, receipt))
}

/// What the local history records of a hand-out (no secrets), kept until the
/// hand-out has happened: one that failed is not recorded.
#[derive(Debug)]
pub struct Receipt {
    expires: jiff::Timestamp,
    scope: Option<Scope>,
}

impl Receipt {
    /// Appends the hand-out of `target` `how` to the history; a failure to write
    /// it is a notice, never a failed hand-out.
    pub fn record(&self, ctx: &Context, target: &Target, how: Handout) {
        let logged = crate::history::log_handout(
            &ctx.paths.data_dir,
            &ctx.settings,
            target,
            self.expires,
            self.scope.as_ref(),
            how,
            ctx.clock.now(),
        );
        if let Err(e) = logged {
            eprintln!("hats: cannot write the hand-out history in the data directory: {e}");
        }
    }
}

/// Whether `exec`/`shell` serve renewing credentials: `--serve`, or `serve = true`.
/// Scoped sessions are served too: renewals carry the same policy.
pub fn serve_wanted(ctx: &Context, explicit: bool) -> bool {
    explicit || ctx.settings.serve
}

/// Points out hats credentials already in the environment: source credentials
/// still come from the profiles, not from them.
fn note_outer_credentials() {
    if let Some(outer) = crate::output::inside_hats_shell() {
        eprintln!(
            "hats: running inside the hats shell for \"{outer}\"; source credentials still come from your profiles"
        );
    } else if let Ok(outer) = std::env::var("HATS_TARGET") {
        // Exports were evaluated here, or hats runs a program that runs hats: no shell of ours.
        eprintln!(
            "hats: this environment holds hats credentials for \"{outer}\"; source credentials still come from your profiles"
        );
    }
}
