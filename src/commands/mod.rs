//! One file per subcommand. Commands ask the engine for sessions and print;
//! they never call AWS or the keyring themselves.

mod completions;
mod credential_process;
mod env;
mod exec;
mod forget;
mod history;
mod login;
mod ls;
mod org_sync;
mod shell;
mod whoami;

pub use completions::{answer_completion_request, completions, target_completer};
pub use credential_process::credential_process;
pub use env::env;
pub use exec::exec;
pub use forget::forget;
pub use history::history;
pub use login::{federation_endpoint, login, open_browser_quietly};
pub use ls::ls;
pub use org_sync::org_sync;
pub use shell::shell;
pub use whoami::whoami;

use crate::cli::SessionArgs;
use crate::config::Target;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::session::{Engine, Request, Session, TerminalPrompter};

/// Resolves `name` to its target and a session, as every hand-out command does;
/// records the hand-out in the local history when `how` says how it leaves hats.
pub async fn obtain<'c>(
    ctx: &'c Context,
    name: &str,
    args: &SessionArgs,
    how: Option<Handout>,
) -> Result<(&'c Target, Session), Error> {
    let target = ctx.target(name)?;
    // Before the keyring and any call: a bad policy must never reach STS.
    let scope = ctx.presets.scope(args.scope_request())?;
    if let Ok(outer) = std::env::var("HATS_TARGET") {
        eprintln!(
            "hats: running inside the hats shell for \"{outer}\"; source credentials still come from your profiles"
        );
    }
    let cache = if args.no_cache {
        None
    } else {
        ctx.open_cache().await?
    };
    let request = Request {
        duration: args.duration,
        mfa_code: args.mfa_code.clone(),
        region: crate::context::sts_region(target, args.region.as_deref()),
        refresh: false,
    };
    let log = |line: &str| ctx.log(line);
    let engine = Engine::new(
        &ctx.settings,
        ctx.clock,
        cache.as_ref(),
        &TerminalPrompter,
        request,
        &log,
    )
    .with_policy(scope.as_ref().map(|s| s.policy.clone()));
    let session = engine.resolve(target).await?;
    if !session.from_cache {
        ctx.log(&format!(
            "{}: new session until {}",
            target.name, session.expiration
        ));
    }
    if let Some(how) = how {
        let now = ctx.clock.now();
        let logged = crate::history::log_handout(
            &ctx.paths.data_dir,
            &ctx.settings,
            target,
            session.expiration,
            scope.as_ref(),
            how,
            now,
        );
        if let Err(e) = logged {
            eprintln!("hats: cannot write the hand-out history in the data directory: {e}");
        }
    }
    Ok((target, session))
}

/// Whether `exec`/`shell` serve renewing credentials: `--serve`, or `serve = true`.
/// Scoped sessions are served too: renewals carry the same policy.
pub fn serve_wanted(ctx: &Context, explicit: bool) -> bool {
    explicit || ctx.settings.serve
}
