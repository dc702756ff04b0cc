//! `hats serve`: the container-credentials endpoint on its own, until stopped.

use super::obtain;
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use std::process::ExitCode;

/// Gets the first session (prompting if needed), then serves it renewed on
/// `listen` (loopback when `None`) until SIGINT or SIGTERM.
pub async fn serve(
    ctx: &Context,
    target: &str,
    listen: Option<std::net::SocketAddr>,
    args: &SessionArgs,
) -> Result<ExitCode, Error> {
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let started = || receipt.record(ctx, target, Handout::Serve);
    #[cfg(unix)]
    {
        crate::serve::serve_alone(ctx, target, &session, args, listen, started).await
    }
    #[cfg(not(unix))]
    {
        let _ = (session, listen, started);
        Err(Error::Usage("hats serve is only available on Unix".into()))
    }
}
