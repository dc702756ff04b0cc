//! `hats shell`: an interactive subshell with the target's credentials.

use super::exec::{hand_over, serve_child};
use super::{obtain, serve_wanted};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::domain::format_remaining;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{SHELL_MARKER, exports};
use std::process::{Command, ExitCode};

/// Starts `$SHELL` (or `/bin/sh`) with the credentials, after one line on stderr.
pub async fn shell(ctx: &Context, target: &str, args: &SessionArgs, serve: bool) -> Result<ExitCode, Error> {
    let serve = serve_wanted(ctx, serve);
    let how = if serve { Handout::Serve } else { Handout::Shell };
    let (target, session) = obtain(ctx, target, args, Some(how)).await?;
    let shell = std::env::var_os("SHELL")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into());
    let mut subshell = Command::new(&shell);
    subshell.env(SHELL_MARKER, &target.name);
    let left = session.expiration.as_second() - ctx.clock.now().as_second();
    let local = session
        .expiration
        .to_zoned(jiff::tz::TimeZone::system())
        .strftime("%H:%M:%S %Z");
    if serve {
        eprintln!(
            "hats: shell for \"{}\" ({}); credentials are served and renewed while hats runs; exit to leave",
            target.name,
            session.assumed_arn.as_deref().unwrap_or("session"),
        );
        return serve_child(ctx, target, &session, args, subshell).await;
    }
    eprintln!(
        "hats: shell for \"{}\" ({}); credentials expire at {local} (in {}); exit to leave",
        target.name,
        session.assumed_arn.as_deref().unwrap_or("session"),
        format_remaining(left),
    );
    hand_over(subshell, &exports(target, &session, args.region.as_deref()))
}
