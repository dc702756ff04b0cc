//! `hats shell`: an interactive subshell with the target's credentials.

use super::exec::{hand_over, serve_child};
use super::{obtain, serve_wanted};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::domain::format_remaining;
use crate::error::Error;
use crate::history::Handout;
use crate::output::exports;
use std::process::{Command, ExitCode};

/// Starts `$SHELL` (or `/bin/sh`) with the credentials, after one line on stderr.
pub async fn shell(ctx: &Context, target: &str, args: &SessionArgs, serve: bool) -> Result<ExitCode, Error> {
    let serve = serve_wanted(ctx, serve);
    let how = if serve { Handout::Serve } else { Handout::Shell };
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let started = || receipt.record(ctx, target, how);
    let shell = std::env::var_os("SHELL")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into());
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
        return serve_child(ctx, target, &session, args, Command::new(&shell), started).await;
    }
    eprintln!(
        "hats: shell for \"{}\" ({}); credentials expire at {local} (in {}); exit to leave",
        target.name,
        session.assumed_arn.as_deref().unwrap_or("session"),
        format_remaining(left),
    );
    hand_over(
        Command::new(&shell),
        &exports(target, &session, args.region.as_deref()),
        started,
    )
}
