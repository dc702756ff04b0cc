//! `hats serve`: the container-credentials endpoint on its own, until stopped.

use super::obtain;
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use std::process::ExitCode;

/// Binds `listen` (loopback when `None`) first, so a taken port fails before
/// any prompt; then gets the first session (prompting if needed) and serves it
/// renewed until SIGINT or SIGTERM (Ctrl-C, Ctrl-Break or closing the console on Windows).
pub async fn serve(
    ctx: &Context,
    target: &str,
    listen: Option<std::net::SocketAddr>,
    args: &SessionArgs,
) -> Result<ExitCode, Error> {
    let bound = crate::serve::bind_alone(listen).await?;
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let started = || receipt.record(ctx, target, Handout::Serve);
    crate::serve::serve_alone(ctx, target, &session, args, bound, started).await
}
