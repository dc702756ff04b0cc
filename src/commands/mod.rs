//! One file per subcommand. Commands ask the engine for sessions and print;
//! they never call AWS or the keyring themselves.

mod completions;
mod credential_process;
mod env;
mod exec;
mod forget;
mod login;
mod ls;
mod org_sync;
mod shell;
mod whoami;

pub use completions::completions;
pub use credential_process::credential_process;
pub use env::env;
pub use exec::exec;
pub use forget::forget;
pub use login::{federation_endpoint, login, open_browser_quietly};
pub use ls::ls;
pub use org_sync::org_sync;
pub use shell::shell;
pub use whoami::whoami;

use crate::cli::SessionArgs;
use crate::config::Target;
use crate::context::Context;
use crate::error::Error;
use crate::session::{Engine, Request, Session, TerminalPrompter};

/// Resolves `name` to its target and a session, as every hand-out command does.
pub async fn obtain<'c>(
    ctx: &'c Context,
    name: &str,
    args: &SessionArgs,
) -> Result<(&'c Target, Session), Error> {
    let target = ctx.target(name)?;
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
    );
    let session = engine.resolve(target).await?;
    if !session.from_cache {
        ctx.log(&format!(
            "{}: new session until {}",
            target.name, session.expiration
        ));
    }
    Ok((target, session))
}
