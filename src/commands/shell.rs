//! `hats shell`: an interactive subshell with the target's credentials.

use super::exec::{hand_over, serve_child};
use super::{obtain, serve_wanted};
use crate::cli::SessionArgs;
use crate::context::Context;
use crate::error::Error;
use crate::history::Handout;
use crate::output::{SHELL_MARKER, ShellBanner, exports};
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
    let banner = ShellBanner {
        target: &target.name,
        assumed_arn: session.assumed_arn.as_deref(),
        expires: session.expiration,
        served: serve,
        exit_to: "exit to leave",
    };
    eprintln!("{}", banner.text(ctx.clock.now(), &jiff::tz::TimeZone::system()));
    if serve {
        return serve_child(ctx, target, &session, args, subshell).await;
    }
    hand_over(subshell, &exports(target, &session, args.region.as_deref()))
}
